using System;
using HessianCodegen;

namespace Training;

/// <summary>Mean loss and accuracy of a network's parameters on a labeled set, from one forward pass.</summary>
/// <remarks>
/// The hidden layers run on the whole set at once (<see cref="IHessianLayer.ForwardBatch"/>): a generated layer's
/// <see cref="IHessianLayer.Forward"/> is that member with one example, so a loop over it would only add overhead.
/// The loss layer is asked per example and class, for the loss each label would give.
/// </remarks>
internal sealed class Evaluator
{
    private readonly Network network;
    private readonly LabeledSet set;
    private readonly double[][] activations;
    private readonly LayerWorkspace[] workspaces;
    private readonly double[] label = new double[1];
    private readonly double[] loss = new double[1];

    public Evaluator(Network network, LabeledSet set)
    {
        this.network = network;
        this.set = set;
        activations = new double[network.Depth][];
        workspaces = new LayerWorkspace[network.Depth];
        activations[0] = new double[set.Count * network.InputSize];
        for (int n = 0; n < set.Count; n++)
        {
            for (int j = 0; j < network.InputSize; j++)
            {
                activations[0][(n * network.InputSize) + j] = set.Inputs[n, j];
            }
        }

        for (int l = 0; l + 1 < network.Depth; l++)
        {
            activations[l + 1] = new double[set.Count * network.Layers[l].OutputSize];
            workspaces[l] = new LayerWorkspace();
        }
    }

    /// <summary>
    /// The mean loss and the fraction of examples classified right. The prediction is the class whose
    /// loss would be least, which for softmax cross-entropy is the largest logit.
    /// </summary>
    public (double Loss, double Accuracy) Evaluate(ReadOnlySpan<double> parameters)
    {
        double total = 0;
        int right = 0;
        int last = network.Depth - 1;
        IHessianLayer lossLayer = network.Layers[last];
        for (int l = 0; l < last; l++)
        {
            network.Layers[l].ForwardBatch(set.Count, network.ParameterSlice(parameters, l), activations[l], default, activations[l + 1], workspaces[l]);
        }

        int width = lossLayer.InputSize;
        for (int n = 0; n < set.Count; n++)
        {
            ReadOnlySpan<double> logits = activations[last].AsSpan(n * width, width);
            int best = -1;
            double bestLoss = double.PositiveInfinity;
            for (int k = 0; k < DigitsData.Classes; k++)
            {
                label[0] = k;
                lossLayer.Forward(network.ParameterSlice(parameters, last), logits, label, loss);
                if (k == set.Labels[n])
                {
                    total += loss[0];
                }

                if (loss[0] < bestLoss)
                {
                    bestLoss = loss[0];
                    best = k;
                }
            }

            right += best == set.Labels[n] ? 1 : 0;
        }

        return (total / set.Count, (double)right / set.Count);
    }
}
