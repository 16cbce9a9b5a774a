using System;
using HessianCodegen.Layers;

namespace HessianCodegen;

/// <summary>Builds the standard layer (<see cref="HessianCodegen.Layers"/>) a reference layer description names.</summary>
public static class StandardLayers
{
    /// <summary>The standard layer for <paramref name="spec"/>.</summary>
    /// <exception cref="ArgumentException">The kind or activation is not one the standard layers cover.</exception>
    public static IHessianLayer Create(ReferenceLayerSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return (spec.Kind, spec.Activation) switch
        {
            ("dense", "tanh") => new TanhLayer(spec.Inputs, spec.Outputs),
            ("dense", "sigmoid") => new SigmoidLayer(spec.Inputs, spec.Outputs),
            ("dense", "softplus") => new SoftplusLayer(spec.Inputs, spec.Outputs),
            ("dense", "identity") => new LinearLayer(spec.Inputs, spec.Outputs),
            ("dense", "relu") => new ReluLayer(spec.Inputs, spec.Outputs),
            ("softmax_cross_entropy", _) => new SoftmaxCrossEntropyLayer(spec.Inputs, spec.Outputs),
            ("mean_squared_error", _) => new MeanSquaredErrorLayer(spec.Inputs, spec.Outputs),
            _ => throw new ArgumentException(
                $"The layer kind '{spec.Kind}' with activation '{spec.Activation}' has no standard layer; expected " +
                "dense (tanh, sigmoid, softplus, identity, relu), softmax_cross_entropy or mean_squared_error.", nameof(spec)),
        };
    }
}
