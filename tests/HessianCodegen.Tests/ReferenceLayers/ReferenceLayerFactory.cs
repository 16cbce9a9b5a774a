using System;

namespace HessianCodegen.Tests.ReferenceLayers;

/// <summary>Builds the hand-written reference layer an oracle layer description names.</summary>
public static class ReferenceLayerFactory
{
    public static IHessianLayer Create(ReferenceLayerSpec spec) => (spec.Kind, spec.Activation) switch
    {
        ("dense", "tanh") => new DenseReferenceLayer(Activation.Tanh, spec.Inputs, spec.Outputs),
        ("dense", "sigmoid") => new DenseReferenceLayer(Activation.Sigmoid, spec.Inputs, spec.Outputs),
        ("dense", "softplus") => new DenseReferenceLayer(Activation.Softplus, spec.Inputs, spec.Outputs),
        ("dense", "identity") => new DenseReferenceLayer(Activation.Identity, spec.Inputs, spec.Outputs),
        ("softmax_cross_entropy", _) => new SoftmaxCrossEntropyReferenceLayer(spec.Inputs, spec.Outputs),
        ("mean_squared_error", _) => new MeanSquaredErrorReferenceLayer(spec.Inputs, spec.Outputs),
        _ => throw new ArgumentException($"No reference layer for kind '{spec.Kind}', activation '{spec.Activation}'.", nameof(spec)),
    };
}
