using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using HessianCodegen;
using HessianCodegen.Layers;

namespace SampleSupport;

/// <summary>
/// An oracle case rebuilt with its loss as a parameterless last layer: the oracle's fused last layer
/// <c>u = W z + c</c> then loss becomes <c>LinearLayer</c> then <c>SoftmaxCrossEntropyLoss</c> or
/// <c>SquaredErrorLoss</c>. The parameters map one to one (the linear layer holds W then c, as the fused
/// layer does), so the oracle's vectors apply unchanged; with it, the oracle's <c>gauss_newton</c> fields.
/// Shared by the Gauss-Newton oracle tests and the OracleCheck sample.
/// </summary>
public sealed class SplitCase
{
    private SplitCase(ReferenceCase fused, Network split, double[] gaussNewtonProduct, IReadOnlyList<ReferenceSolve> gaussNewtonSolves,
        IReadOnlyList<double> gaussNewtonLogDeterminants)
    {
        Fused = fused;
        Split = split;
        GaussNewtonProduct = gaussNewtonProduct;
        GaussNewtonSolves = gaussNewtonSolves;
        GaussNewtonLogDeterminants = gaussNewtonLogDeterminants;
    }

    /// <summary>The case as the oracle builds it, with the standard (fused) loss layer.</summary>
    public ReferenceCase Fused { get; }

    /// <summary>The same model with the loss as its own parameterless layer.</summary>
    public Network Split { get; }

    /// <summary>The oracle's <c>gauss_newton.vector_product</c>: <c>G v</c> for <c>Fused.Direction</c>.</summary>
    public double[] GaussNewtonProduct { get; }

    /// <summary>The oracle's <c>gauss_newton.solves</c>: solutions of <c>(G + eps I) x = Fused.RightHandSide</c>.</summary>
    public IReadOnlyList<ReferenceSolve> GaussNewtonSolves { get; }

    /// <summary>The oracle's <c>log |det(G + eps I)|</c>, one per entry of <see cref="GaussNewtonSolves"/>.</summary>
    public IReadOnlyList<double> GaussNewtonLogDeterminants { get; }

    /// <summary>The split network at the oracle's parameters and batch.</summary>
    public NetworkPoint SplitPoint() => Split.At(Fused.Parameters, Fused.Batch);

    /// <summary>The fused network at the oracle's parameters and batch.</summary>
    public NetworkPoint FusedPoint() => Fused.Network.At(Fused.Parameters, Fused.Batch);

    public static SplitCase Load(string path)
    {
        ReferenceCase fused = ReferenceCase.Load(path);
        var layers = new List<IHessianLayer>();
        foreach (ReferenceLayerSpec spec in fused.LayerSpecs.Take(fused.LayerSpecs.Count - 1))
        {
            layers.Add(StandardLayers.Create(spec));
        }

        ReferenceLayerSpec last = fused.LayerSpecs[^1];
        layers.Add(new LinearLayer(last.Inputs, last.Outputs));
        layers.Add(last.Kind switch
        {
            "softmax_cross_entropy" => new SoftmaxCrossEntropyLoss(last.Outputs),
            "mean_squared_error" => new SquaredErrorLoss(last.Outputs),
            _ => throw new InvalidDataException($"{path}: the last layer's kind is '{last.Kind}'; expected a loss."),
        });

        using JsonDocument document = JsonDocument.Parse(File.ReadAllText(path));
        JsonElement gaussNewton = Required(document.RootElement, "gauss_newton", path);
        double[] product = Vector(Required(gaussNewton, "vector_product", path));
        var solves = Required(gaussNewton, "solves", path).EnumerateArray()
            .Select(solve => new ReferenceSolve(
                Required(solve, "epsilon", path).GetDouble(),
                Vector(Required(solve, "solution", path)),
                Required(solve, "condition_number", path).GetDouble()))
            .ToList();
        var logDeterminants = gaussNewton.GetProperty("solves").EnumerateArray()
            .Select(solve => Required(solve, "log_abs_determinant", path).GetDouble())
            .ToList();
        return new SplitCase(fused, new Network(layers.ToArray()), product, solves, logDeterminants);
    }

    // GetProperty's KeyNotFoundException does not say which key; a missing field should.
    private static JsonElement Required(JsonElement parent, string name, string path) =>
        parent.TryGetProperty(name, out JsonElement value)
            ? value
            : throw new InvalidDataException($"{path}: the Gauss-Newton field '{name}' is missing (../shared/oracle/README.md).");

    private static double[] Vector(JsonElement array) => array.EnumerateArray().Select(value => value.GetDouble()).ToArray();
}
