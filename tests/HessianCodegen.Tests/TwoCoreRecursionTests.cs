using System;
using System.Linq;
using HessianCodegen.Layers;
using HessianCodegen.Tests.Infrastructure;
using Xunit;

namespace HessianCodegen.Tests;

/// <summary>
/// The recursion's layers at a state order of <see cref="RiccatiFactorization.TwoCoreStateOrder"/> or more, whose large products
/// run on two cores (width 16 at batch 64: <c>m = 1024</c>, <c>p = 272</c>; width 8: <c>m = 512</c>, <c>p = 72</c>, issue 7's layer,
/// where <c>Dz^T P Dz</c> is formed beside <c>-(Dx^T P)</c> and the packed update runs in two bands), solve to round-off
/// against the dense <c>H + eps I</c> (on a machine with two processors or more; on one, the one-core path).
/// </summary>
public sealed class TwoCoreRecursionTests
{
    private const int Count = 64;

    [Theory]
    [InlineData(16, 1.0)]
    [InlineData(16, 1e-3)]
    [InlineData(8, 1.0)]
    [InlineData(8, 1e-3)]
    public void ALayerOnTwoCoresSolvesToRoundOff(int width, double epsilon)
    {
        var network = new Network(new TanhLayer(width, width), new TanhLayer(width, width), new SoftmaxCrossEntropyLayer(width, 4));
        NetworkPoint point = network.At(network.RandomParameters(seed: 32), RandomBatch(width, seed: 31));
        Assert.True(Count * width >= RiccatiFactorization.TwoCoreStateOrder);
        double[] rhs = point.Gradient();
        RiccatiFactorization factorization = RiccatiFactorization.Create(point.Derivatives(), epsilon, out int singular)!;
        Assert.Equal(-1, singular);
        var x = new double[rhs.Length];
        factorization.Solve(rhs, x);

        double backward = DampedSystem.BackwardError(DampedSystem.Matrix(point, epsilon), x, rhs);
        Assert.True(backward <= 1e-13, $"eps {epsilon}: backward error {backward:E2}");
        Assert.All(factorization.Routes, route => Assert.Equal(PivotBlockRoute.Whole, route));
    }

    /// <summary>
    /// The two-core layers (width 8 at batch 64: state order 512) give the same bits as the same layers on one core: the
    /// log-determinant, the inertia and a solve (on a machine with one processor both runs take one core and the test proves nothing).
    /// </summary>
    [Theory]
    [InlineData(1.0)]
    [InlineData(1e-3)]
    public void TwoCoresGiveTheSameBitsAsOne(double epsilon)
    {
        const int width = 8;
        var network = new Network(new TanhLayer(width, width), new TanhLayer(width, width), new SoftmaxCrossEntropyLayer(width, 4));
        NetworkPoint point = network.At(network.RandomParameters(seed: 34), RandomBatch(width, seed: 33));
        Assert.Equal(RiccatiFactorization.TwoCoreStateOrder, Count * width);
        HessianDerivatives derivatives = point.Derivatives();
        double[] rhs = point.Gradient();
        RiccatiFactorization oneCore = RiccatiFactorization.Create(derivatives, epsilon, out int singular, allowTwoCores: false)
            ?? throw new InvalidOperationException($"The pivot block of layer {singular} was singular on one core; expected a regular one.");
        var oneCoreSolution = new double[rhs.Length];
        oneCore.Solve(rhs, oneCoreSolution);
        (Inertia inertia, LogDeterminant logDeterminant) = (oneCore.Inertia, oneCore.LogDeterminant);
        oneCore.Release();

        RiccatiFactorization twoCores = RiccatiFactorization.Create(derivatives, epsilon, out singular)
            ?? throw new InvalidOperationException($"The pivot block of layer {singular} was singular on two cores; expected a regular one.");
        var twoCoresSolution = new double[rhs.Length];
        twoCores.Solve(rhs, twoCoresSolution);

        Assert.All(oneCoreSolution, value => Assert.True(double.IsFinite(value)));
        Assert.Equal(oneCoreSolution, twoCoresSolution);
        Assert.Equal(inertia, twoCores.Inertia);
        Assert.Equal(logDeterminant, twoCores.LogDeterminant);
        twoCores.Release();
    }

    /// <summary>
    /// A ReLU unit off for every example (its bias far below its inputs' reach) has no rows in <c>Dx</c>: its parameters are groups
    /// without rows, which the large-state <c>-(Dx^T P)</c> must write as zeros (it once sliced past their empty rows and threw).
    /// </summary>
    [Theory]
    [InlineData(1.0)]
    [InlineData(1e-3)]
    public void ALayerWithADeadReluUnitSolvesToRoundOff(double epsilon)
    {
        const int width = 8;
        var network = new Network(new ReluLayer(width, width), new ReluLayer(width, width), new SoftmaxCrossEntropyLayer(width, 4));
        double[] parameters = network.RandomParameters(seed: 38);
        network.ParameterSlice(parameters.AsSpan(), 1)[width * width] = -100; // c_0 of the second layer, after its W (8 x 8)
        NetworkPoint point = network.At(parameters, RandomBatch(width, seed: 37));
        HessianDerivatives derivatives = point.Derivatives();
        Assert.Contains(derivatives.ParameterGroups(1).Rows, rows => rows.Length == 0);
        double[] rhs = point.Gradient();
        RiccatiFactorization factorization = RiccatiFactorization.Create(derivatives, epsilon, out int singular)!;
        Assert.Equal(-1, singular);
        var x = new double[rhs.Length];
        factorization.Solve(rhs, x);

        double backward = DampedSystem.BackwardError(DampedSystem.Matrix(point, epsilon), x, rhs);
        Assert.True(backward <= 1e-13, $"eps {epsilon}: backward error {backward:E2}");
    }

    /// <summary><see cref="Count"/> examples of inputs uniform in [-1, 1) and labels among 4 classes.</summary>
    private static Batch RandomBatch(int width, int seed) => RandomValues.LabeledBatch(new Random(seed), Count, width, classes: 4);
}
