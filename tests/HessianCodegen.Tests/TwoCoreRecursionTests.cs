using System;
using System.Linq;
using HessianCodegen.Layers;
using HessianCodegen.Tests.Infrastructure;
using Xunit;

namespace HessianCodegen.Tests;

/// <summary>
/// The recursion's layers at a state order of <see cref="RiccatiFactorization.TwoCoreStateOrder"/> or more, whose large products
/// run on two cores (width 16 at batch 64: <c>m = 1024</c>), solve to round-off against the dense <c>H + eps I</c>.
/// </summary>
public sealed class TwoCoreRecursionTests
{
    private const int Width = 16;
    private const int Count = 64;

    [Theory]
    [InlineData(1.0)]
    [InlineData(1e-3)]
    public void ALayerOnTwoCoresSolvesToRoundOff(double epsilon)
    {
        var network = new Network(new TanhLayer(Width, Width), new TanhLayer(Width, Width), new SoftmaxCrossEntropyLayer(Width, 4));
        var random = new Random(31);
        var inputs = new double[Count, Width];
        var labels = new int[Count];
        for (int n = 0; n < Count; n++)
        {
            for (int j = 0; j < Width; j++)
            {
                inputs[n, j] = (2 * random.NextDouble()) - 1;
            }

            labels[n] = random.Next(4);
        }

        NetworkPoint point = network.At(network.RandomParameters(seed: 32), Batch.WithLabels(inputs, labels));
        Assert.True(Count * Width >= RiccatiFactorization.TwoCoreStateOrder);
        double[] rhs = point.Gradient();
        RiccatiFactorization factorization = RiccatiFactorization.Create(point.Derivatives(), epsilon, out int singular)!;
        Assert.Equal(-1, singular);
        var x = new double[rhs.Length];
        factorization.Solve(rhs, x);

        double backward = DampedSystem.BackwardError(DampedSystem.Matrix(point, epsilon), x, rhs);
        Assert.True(backward <= 1e-13, $"eps {epsilon}: backward error {backward:E2}");
        Assert.All(factorization.Routes, route => Assert.Equal(PivotBlockRoute.Whole, route));
    }
}
