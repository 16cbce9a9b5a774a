using System;
using System.Collections.Generic;
using System.Linq;
using HessianCodegen.Layers;
using Xunit;

namespace HessianCodegen.Generator.Tests.Numerics;

/// <summary>
/// A layer under numerical test at one size, with its math written out independently of the
/// generator (<see cref="Reference"/>: the per-example output from the pre-activation <c>u</c> and the
/// data span), how it forms <c>u</c> (<see cref="Affine"/>), whether it has a kink at <c>u = 0</c> and
/// whether its math is finite for every finite input (so that overflow in the generated code would be a bug).
/// <see cref="Affine"/> true: the layer's parameters are <c>W</c> (<c>Outputs x Inputs</c>, row-major) then
/// <c>c</c> (<c>Outputs</c>) and <c>u = W z + c</c>. False: the layer has no parameters, <c>u = z</c> and
/// <c>Inputs == Outputs</c> (a loss of the previous layer's output, such as <c>SoftmaxCrossEntropyLoss</c>).
/// </summary>
internal sealed record LayerCase(string Name, int Inputs, int Outputs, Func<int, int, IHessianLayer> Factory,
    bool Affine, bool HasKink, bool FiniteEverywhere, Func<double[], double[], double[]> Reference)
{
    /// <summary>A fresh layer of this case's size.</summary>
    public IHessianLayer Create() => Factory(Inputs, Outputs);

    /// <summary>The test case id shown by the runner, e.g. <c>TanhLayer(3,5)</c>, or <c>SquaredErrorLoss(4)</c> for a parameterless layer.</summary>
    public string Id => Affine ? $"{Name}({Inputs},{Outputs})" : $"{Name}({Inputs})";

    /// <summary>The pre-activation <c>u</c> at <paramref name="at"/>: <c>W z + c</c> for an affine layer, <c>z</c> otherwise.</summary>
    public double[] PreActivation(IHessianLayer layer, LayerPoint at) =>
        Affine ? ForwardTests.PreActivation(layer, at) : (double[])at.Input.Clone();

    /// <summary>A seeded point for this case; the seed depends only on the id, so failures reproduce.</summary>
    public LayerPoint Point(int salt = 0) =>
        LayerPoint.Create(Create(), StableSeed(Id) + salt, HasKink);

    private static int StableSeed(string text) => text.Aggregate(17, (hash, character) => unchecked(hash * 31 + character));
}

/// <summary>The layers and sizes every numerical test runs over.</summary>
internal static class LayerCases
{
    // Square and non-square, wide and narrow. The standard layers, the quick start's SiluLayer, a
    // hand-written reference and test-only layers using the rest of the layer-math vocabulary (VocabularyLayers.cs).
    private static readonly (int Inputs, int Outputs)[] Sizes = [(3, 5), (6, 2), (4, 4)];

    // Above 128 elements the generated code takes its temporaries from the array pool instead of
    // the stack, and pooled arrays are not zeroed: the standard layers and SiluLayer also run there,
    // with more outputs (classes) and with more inputs than that.
    private static readonly (int Inputs, int Outputs)[] PooledSizes = [(3, 130), (130, 2)];

    // A parameterless layer has one size (its input is its u): the output widths above, and 130 for the pool.
    private static readonly (int Inputs, int Outputs)[] ParameterlessSizes = [(5, 5), (2, 2), (4, 4)];

    private static readonly (int Inputs, int Outputs)[] ParameterlessPooledSizes = [(130, 130)];

    private static readonly string[] LayersWithPooledSizes =
    [
        "TanhLayer", "SigmoidLayer", "SoftplusLayer", "LinearLayer", "ReluLayer", "SoftmaxCrossEntropyLayer", "MeanSquaredErrorLayer", "SiluLayer",
        "SoftmaxCrossEntropyLoss", "SquaredErrorLoss",
    ];

    // Every layer here but the last two is affine (u = W z + c).
    private static readonly (string Name, Func<int, int, IHessianLayer> Factory, bool HasKink, bool FiniteEverywhere,
        Func<double[], double[], double[]> Reference)[] AffineLayers =
    [
        ("HandWrittenTanhLayer", (inputs, outputs) => new HandWrittenTanhLayer(inputs, outputs), false, true, Elementwise(Math.Tanh)),
        ("TanhLayer", (inputs, outputs) => new TanhLayer(inputs, outputs), false, true, Elementwise(Math.Tanh)),
        ("SigmoidLayer", (inputs, outputs) => new SigmoidLayer(inputs, outputs), false, true, Elementwise(u => 1.0 / (1.0 + Math.Exp(-u)))),
        ("SoftplusLayer", (inputs, outputs) => new SoftplusLayer(inputs, outputs), false, true, Elementwise(u => Math.Log(1.0 + Math.Exp(u)))),
        ("LinearLayer", (inputs, outputs) => new LinearLayer(inputs, outputs), false, true, Elementwise(u => u)),
        ("ReluLayer", (inputs, outputs) => new ReluLayer(inputs, outputs), true, true, Elementwise(u => Math.Max(u, 0.0))),
        ("SoftmaxCrossEntropyLayer", (inputs, classes) => new SoftmaxCrossEntropyLayer(inputs, classes), false, true,
            (logits, data) => [Math.Log(logits.Sum(Math.Exp)) - logits[(int)data[0]]]),
        ("MeanSquaredErrorLayer", (inputs, outputs) => new MeanSquaredErrorLayer(inputs, outputs), false, true,
            (predictions, target) => [0.5 * predictions.Select((u, k) => (u - target[k]) * (u - target[k])).Sum()]),
        ("SiluLayer", (inputs, outputs) => new QuickStart.SiluLayer(inputs, outputs), false, true, Elementwise(u => u / (1.0 + Math.Exp(-u)))),
        ("ComposedFunctionsLayer", (inputs, outputs) => new ComposedFunctionsLayer(inputs, outputs), false, false,
            Elementwise(u => Math.Log(1.0 + u * u) + Math.Pow(Math.Sqrt(1.0 + Math.Exp(u)), 3.0))),
        // Finite everywhere, but with no closed form in ClosedForms.cs: it stays out of the overflow tests.
        ("NestedActivationsLayer", (inputs, outputs) => new NestedActivationsLayer(inputs, outputs), false, false,
            Elementwise(u => Math.Tanh(1.0 / (1.0 + Math.Exp(-Math.Log(1.0 + Math.Exp(Math.Tanh(Math.Exp(Math.Tanh(u)))))))))),
        ("ExponentialLossLayer", (inputs, outputs) => new ExponentialLossLayer(inputs, outputs), false, false,
            (predictions, target) => [predictions.Select((u, k) => Math.Exp(-target[k] * u)).Sum()]),
        ("MeanCenteredTanhLayer", (inputs, outputs) => new MeanCenteredTanhLayer(inputs, outputs), false, true,
            (u, _) => u.Select(value => 1.5 * Math.Tanh(value - u.Average())).ToArray()),
        ("MeanSquaredErrorOverSizeLayer", (inputs, outputs) => new MeanSquaredErrorOverSizeLayer(inputs, outputs), false, true,
            (predictions, target) => [0.75 * predictions.Select((u, k) => (u - target[k]) * (u - target[k])).Sum() / (2.0 * predictions.Length)]),
    ];

    // The parameterless loss layers (u = z): the factory's two sizes are equal, the layer takes one.
    private static readonly (string Name, Func<int, int, IHessianLayer> Factory, bool HasKink, bool FiniteEverywhere,
        Func<double[], double[], double[]> Reference)[] ParameterlessLayers =
    [
        ("SoftmaxCrossEntropyLoss", (classes, _) => new SoftmaxCrossEntropyLoss(classes), false, true,
            (logits, data) => [Math.Log(logits.Sum(Math.Exp)) - logits[(int)data[0]]]),
        ("SquaredErrorLoss", (outputs, _) => new SquaredErrorLoss(outputs), false, true,
            (predictions, target) => [0.5 * predictions.Select((u, k) => (u - target[k]) * (u - target[k])).Sum()]),
    ];

    /// <summary>Every case, by id.</summary>
    public static IReadOnlyDictionary<string, LayerCase> All { get; } =
        AffineLayers.SelectMany(layer => Sizes.Concat(LayersWithPooledSizes.Contains(layer.Name) ? PooledSizes : []).Select(size =>
                new LayerCase(layer.Name, size.Inputs, size.Outputs, layer.Factory, Affine: true, layer.HasKink, layer.FiniteEverywhere, layer.Reference)))
            .Concat(ParameterlessLayers.SelectMany(layer =>
                ParameterlessSizes.Concat(LayersWithPooledSizes.Contains(layer.Name) ? ParameterlessPooledSizes : []).Select(size =>
                    new LayerCase(layer.Name, size.Inputs, size.Outputs, layer.Factory, Affine: false, layer.HasKink, layer.FiniteEverywhere, layer.Reference))))
            .ToDictionary(layerCase => layerCase.Id);

    /// <summary>The case ids, as theory data.</summary>
    public static TheoryData<string> Ids => new(All.Keys);

    /// <summary>The ids of the cases whose math is finite for every finite input, as theory data.</summary>
    public static TheoryData<string> FiniteEverywhereIds => new(All.Values.Where(layerCase => layerCase.FiniteEverywhere).Select(layerCase => layerCase.Id));

    private static Func<double[], double[], double[]> Elementwise(Func<double, double> activation) =>
        (u, _) => u.Select(activation).ToArray();
}
