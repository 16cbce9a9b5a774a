using System;
using System.Linq;
using HessianCodegen.Layers;
using HessianCodegen.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace HessianCodegen.Tests;

/// <summary>
/// The Riccati recursion's direct coupling (<see cref="LowRankPivotBlockFactor.SolveCouplingLowerHalf"/>: <c>Y = W^-1 C</c> from
/// <c>Xzx</c> and <c>-(P Dz)</c>, <c>C</c> never formed) end to end, on a tanh chain of width 16 at batch 8 (each unit's group 17
/// parameters and 8 rows: the explicit <c>Q_g^T L_g^-1</c>), against the dense <c>H + eps I</c> and the whole-block route.
/// The hidden layers after the first take it: the low-rank route, every group past <see cref="LowRankPivotBlockFactor.SolvesGroupExplicitly"/>,
/// a state below <see cref="RiccatiFactorization.TwoCoreStateOrder"/> (one core).
/// </summary>
public sealed class DirectCouplingChainTests(ITestOutputHelper output)
{
    private const int Width = 16;
    private const int Count = 8;

    [Theory]
    [InlineData(1.0)]
    [InlineData(10.0)]
    public void A_chain_whose_couplings_are_solved_directly_solves_as_the_dense_matrix(double epsilon)
    {
        var network = new Network(new TanhLayer(Width, Width), new TanhLayer(Width, Width), new TanhLayer(Width, Width),
            new SoftmaxCrossEntropyLayer(Width, 3));
        var random = new Random(16);
        NetworkPoint point = network.At(network.RandomParameters(seed: 8), RandomValues.LabeledBatch(random, Count, inputs: Width, classes: 3));
        HessianDerivatives derivatives = point.Derivatives();
        int m = Count * Width;
        Assert.True(m < RiccatiFactorization.TwoCoreStateOrder);
        for (int l = 1; l < 3; l++)
        {
            LayerDerivatives d = derivatives.Layer(l);
            ParameterGroups groups = ParameterGroups.Find(d.Xxx, d.Dx, d.ParameterCount, m);
            Assert.All(Enumerable.Range(0, groups.Parameters.Length), g => Assert.True(LowRankPivotBlockFactor.SolvesGroupExplicitly(
                groups.Parameters[g].Length, Math.Min(groups.Parameters[g].Length, groups.Rows[g].Length), m)));
        }

        double[] rhs = Enumerable.Range(0, network.ParameterCount).Select(_ => random.NextDouble() - 0.5).ToArray();
        RiccatiFactorization lowRank = RiccatiFactorization.Create(derivatives, epsilon, out _)!;
        RiccatiFactorization whole = RiccatiFactorization.Create(derivatives, epsilon, out _, allowLowRank: false)!;
        var x = new double[rhs.Length];
        var reference = new double[rhs.Length];
        lowRank.Solve(rhs, x);
        whole.Solve(rhs, reference);
        double[,] dense = DampedSystem.Matrix(point, epsilon);
        double backward = DampedSystem.BackwardError(dense, x, rhs);
        double wholeBackward = DampedSystem.BackwardError(dense, reference, rhs);
        output.WriteLine($"eps {epsilon}: routes {string.Join(", ", lowRank.Routes)}, backward error {backward:E2} (whole {wholeBackward:E2}), " +
            $"inertia {lowRank.Inertia} (whole {whole.Inertia})");

        Assert.Equal(PivotBlockRoute.LowRankUpdate, lowRank.Routes[1]);
        Assert.Equal(PivotBlockRoute.LowRankUpdate, lowRank.Routes[2]);
        Assert.InRange(backward, 0, Math.Max(1e-13, 4 * wholeBackward));
        Assert.Equal(whole.Inertia, lowRank.Inertia);
    }
}
