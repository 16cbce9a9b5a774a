using System;
using System.Collections.Generic;
using System.Linq;
using HessianCodegen.Layers;
using Xunit;

namespace HessianCodegen.Generator.Tests.Numerics;

/// <summary>
/// A layer under numerical test at one size, with its math written out independently of the
/// generator (<see cref="Reference"/>: the per-example output from the pre-activation <c>u = W z + c</c>
/// and the data span), whether it has a kink at <c>u = 0</c> and whether its math is finite for
/// every finite input (so that overflow in the generated code would be a bug).
/// </summary>
internal sealed record LayerCase(string Name, int Inputs, int Outputs, Func<int, int, IHessianLayer> Factory,
    bool HasKink, bool FiniteEverywhere, Func<double[], double[], double[]> Reference)
{
    /// <summary>A fresh layer of this case's size.</summary>
    public IHessianLayer Create() => Factory(Inputs, Outputs);

    /// <summary>The test case id shown by the runner, e.g. <c>TanhLayer(3,5)</c>.</summary>
    public string Id => $"{Name}({Inputs},{Outputs})";

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

    private static readonly string[] LayersWithPooledSizes =
    [
        "TanhLayer", "SigmoidLayer", "SoftplusLayer", "LinearLayer", "ReluLayer", "SoftmaxCrossEntropyLayer", "MeanSquaredErrorLayer", "SiluLayer",
    ];

    private static readonly (string Name, Func<int, int, IHessianLayer> Factory, bool HasKink, bool FiniteEverywhere,
        Func<double[], double[], double[]> Reference)[] Layers =
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
        ("ExponentialLossLayer", (inputs, outputs) => new ExponentialLossLayer(inputs, outputs), false, false,
            (predictions, target) => [predictions.Select((u, k) => Math.Exp(-target[k] * u)).Sum()]),
        ("MeanCenteredTanhLayer", (inputs, outputs) => new MeanCenteredTanhLayer(inputs, outputs), false, true,
            (u, _) => u.Select(value => 1.5 * Math.Tanh(value - u.Average())).ToArray()),
        ("MeanSquaredErrorOverSizeLayer", (inputs, outputs) => new MeanSquaredErrorOverSizeLayer(inputs, outputs), false, true,
            (predictions, target) => [0.75 * predictions.Select((u, k) => (u - target[k]) * (u - target[k])).Sum() / (2.0 * predictions.Length)]),
    ];

    /// <summary>Every case, by id.</summary>
    public static IReadOnlyDictionary<string, LayerCase> All { get; } =
        Layers.SelectMany(layer => Sizes.Concat(LayersWithPooledSizes.Contains(layer.Name) ? PooledSizes : []).Select(size =>
                new LayerCase(layer.Name, size.Inputs, size.Outputs, layer.Factory, layer.HasKink, layer.FiniteEverywhere, layer.Reference)))
            .ToDictionary(layerCase => layerCase.Id);

    /// <summary>The case ids, as theory data.</summary>
    public static TheoryData<string> Ids => new(All.Keys);

    /// <summary>The ids of the cases whose math is finite for every finite input, as theory data.</summary>
    public static TheoryData<string> FiniteEverywhereIds => new(All.Values.Where(layerCase => layerCase.FiniteEverywhere).Select(layerCase => layerCase.Id));

    private static Func<double[], double[], double[]> Elementwise(Func<double, double> activation) =>
        (u, _) => u.Select(activation).ToArray();
}
