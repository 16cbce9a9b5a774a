using System;
using HessianCodegen.Layers;

namespace HessianCodegen;

/// <summary>
/// Gauss-Newton needs the loss as its own parameterless last layer (docs/algorithm.md section 14): a
/// fused loss layer's second derivatives contain the bilinear <c>W z</c> term, which is curvature of
/// the model, not of the loss, and not positive semi-definite. This check says how to split it.
/// </summary>
internal static class GaussNewtonLossCheck
{
    /// <exception cref="InvalidOperationException">The loss layer of <paramref name="network"/> has parameters.</exception>
    public static void Require(Network network)
    {
        IHessianLayer loss = network.LossLayer;
        if (loss.ParameterCount == 0)
        {
            return;
        }

        throw new InvalidOperationException(
            $"Gauss-Newton needs the loss as its own parameterless last layer, but {network.Describe(network.Depth - 1)} " +
            $"has {loss.ParameterCount} parameters; {Fix(loss)}");
    }

    private static string Fix(IHessianLayer loss) => loss switch
    {
        SoftmaxCrossEntropyLayer => Split(loss, "SoftmaxCrossEntropyLoss"),
        MeanSquaredErrorLayer => Split(loss, "SquaredErrorLoss"),
        _ => "move its parameters into a hidden layer before it and end the chain with a loss layer that declares " +
             "no Parameter fields, such as SoftmaxCrossEntropyLoss(classes) or SquaredErrorLoss(outputs).",
    };

    /// <summary>"use LinearLayer(16, 10) followed by SoftmaxCrossEntropyLoss(10) instead ...".</summary>
    private static string Split(IHessianLayer loss, string parameterlessLoss)
    {
        // The fused layers' only data field (the label or the target) has the size of their output.
        int outputs = loss.DataLayout[0].Size;
        return $"use LinearLayer({loss.InputSize}, {outputs}) followed by {parameterlessLoss}({outputs}) instead " +
               "(the same parameters in the same order, and the same loss).";
    }
}
