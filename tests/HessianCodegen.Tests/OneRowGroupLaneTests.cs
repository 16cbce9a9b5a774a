using System;
using System.Collections.Generic;
using System.Linq;
using HessianCodegen.LinearAlgebra;
using HessianCodegen.Tests.Infrastructure;
using Xunit;

namespace HessianCodegen.Tests;

/// <summary>
/// <see cref="OneRowGroupKernel.FactorLanes"/> against <see cref="OneRowGroupKernel.Factor(Span{double}, int, double, out double, out double, ref double, ref double, ref long)"/>
/// on each group alone, to the bit (the same operations lane by lane): every value a group leaves, its norm, condition bound, the
/// log-determinant summed in group order, the smallest pivot and the flops; at each vector width the machine runs, a full vector of
/// groups and fewer (the lanes past them filled with values that are not numbers, which must not reach any output), pivots whose
/// product overflows, underflows or is subnormal, and a failed pivot in any lane.
/// </summary>
public sealed class OneRowGroupLaneTests
{
    /// <summary>Vector width, order and groups (0: a full vector); a width this machine lacks is left out.</summary>
    public static IEnumerable<object[]> LaneCases => VectorWidthCases.Runnable(0,
        (from bits in new[] { 256, 512 }
         from q in new[] { 1, 2, 5, 9, 17, 32 }
         from count in new[] { 0, 1, 3 }
         select new object[] { bits, q, count }).ToArray());

    [Theory]
    [MemberData(nameof(LaneCases))]
    public void FactorsEachLaneAsFactorAlone(int vectorBits, int q, int count)
    {
        count = count == 0 ? OneRowGroupKernel.LaneCount(vectorBits) : count;
        double[][] groups = Enumerable.Range(0, count)
            .Select(g => (double[])[.. RandomValues.PositiveDefiniteLowerTriangle(q, seed: (31 * q) + g, diagonalBase: (q / 2.0) + 1 + g), .. RandomValues.Uniform(new Random(q + g), q), double.NaN])
            .ToArray();
        AssertFactorsAsEachAlone(groups, q, vectorBits);
    }

    /// <summary>Vector width and order; a width this machine lacks is left out.</summary>
    public static IEnumerable<object[]> FarPivotCases => VectorWidthCases.Runnable(0, [256, 9], [512, 9], [512, 17]);

    /// <summary>
    /// Lanes whose pivots' product leaves the normal range (<c>X_g</c> scaled by <c>1e250</c>, <c>1e-200</c>, or to a subnormal
    /// product) beside lanes whose product stays normal: each takes the sum of <c>2 log L_ii</c> from its own lane's pivots.
    /// </summary>
    [Theory]
    [MemberData(nameof(FarPivotCases))]
    public void PivotProductsFarFromOneTakeTheirOwnLanesLogarithms(int vectorBits, int q)
    {
        double[] scales = [1, 1e250, 1e-200, 3e-72, 1, 1e-150, 1e200, 1];
        double[][] groups = Enumerable.Range(0, OneRowGroupKernel.LaneCount(vectorBits)).Select(g =>
        {
            double[] x = RandomValues.PositiveDefiniteLowerTriangle(q, seed: q + 3 + g, diagonalBase: (q / 2.0) + 1);
            for (int i = 0; i < q; i++)
            {
                for (int j = 0; j <= i; j++)
                {
                    x[(i * q) + j] *= scales[g];
                }
            }

            return (double[])[.. x, .. RandomValues.Uniform(new Random(g), q), 0];
        }).ToArray();
        AssertFactorsAsEachAlone(groups, q, vectorBits);
    }

    /// <summary>Vector width, failing lane and failing pivot; a width this machine lacks is left out.</summary>
    public static IEnumerable<object[]> FailedPivotCases => VectorWidthCases.Runnable(0, [256, 0, 0], [256, 3, 8], [512, 0, 4], [512, 5, 0], [512, 7, 8]);

    [Theory]
    [MemberData(nameof(FailedPivotCases))]
    public void StopsAtAFailedPivotInAnyLane(int vectorBits, int failingLane, int failingPivot)
    {
        const int q = 9;
        int laneCount = OneRowGroupKernel.LaneCount(vectorBits);
        double[][] groups = Enumerable.Range(0, laneCount)
            .Select(g => (double[])[.. RandomValues.PositiveDefiniteLowerTriangle(q, seed: 21 + g, diagonalBase: 5.5), .. RandomValues.Uniform(new Random(g), q), 0])
            .ToArray();
        double[] interleaved = Interleave(groups, q, laneCount);
        double logDeterminant = 0, smallest = double.PositiveInfinity;
        long flops = 0;
        var norms = new double[laneCount];
        var bounds = new double[laneCount];
        Assert.True(OneRowGroupKernel.FactorLanes((double[])interleaved.Clone(), q, laneCount, 1e-12, norms, bounds, ref logDeterminant, ref smallest, ref flops, vectorBits));

        groups[failingLane][(failingPivot * q) + failingPivot] -= 40;
        interleaved = Interleave(groups, q, laneCount);
        Assert.False(OneRowGroupKernel.FactorLanes(interleaved, q, laneCount, 1e-12, norms, bounds, ref logDeterminant, ref smallest, ref flops, vectorBits));
    }

    /// <summary>The groups factored in lanes and each alone by <c>Factor</c>, one accumulator across them in group order; every output the same bits.</summary>
    private static void AssertFactorsAsEachAlone(double[][] groups, int q, int vectorBits)
    {
        int count = groups.Length;
        int laneCount = OneRowGroupKernel.LaneCount(vectorBits);
        double expectedLogDeterminant = 0.25, expectedSmallest = double.PositiveInfinity;
        long expectedFlops = 0;
        var expectedNorms = new double[count];
        var expectedBounds = new double[count];
        double[][] expected = groups.Select(g => (double[])g.Clone()).ToArray();
        for (int g = 0; g < count; g++)
        {
            Assert.True(OneRowGroupKernel.Factor(expected[g], q, 0, out expectedNorms[g], out expectedBounds[g], ref expectedLogDeterminant, ref expectedSmallest,
                ref expectedFlops));
        }

        double[] interleaved = Interleave(groups, q, laneCount);
        double logDeterminant = 0.25, smallest = double.PositiveInfinity;
        long flops = 0;
        var norms = new double[count];
        var bounds = new double[count];
        Assert.True(OneRowGroupKernel.FactorLanes(interleaved, q, count, 0, norms, bounds, ref logDeterminant, ref smallest, ref flops, vectorBits));
        for (int g = 0; g < count; g++)
        {
            double[] actual = Enumerable.Range(0, expected[g].Length).Select(e => interleaved[(e * laneCount) + g]).ToArray();
            Assert.Equal(expected[g].Select(BitConverter.DoubleToInt64Bits), actual.Select(BitConverter.DoubleToInt64Bits));
        }

        Assert.Equal(expectedNorms.Select(BitConverter.DoubleToInt64Bits), norms.Select(BitConverter.DoubleToInt64Bits));
        Assert.Equal(expectedBounds.Select(BitConverter.DoubleToInt64Bits), bounds.Select(BitConverter.DoubleToInt64Bits));
        Assert.Equal(BitConverter.DoubleToInt64Bits(expectedLogDeterminant), BitConverter.DoubleToInt64Bits(logDeterminant));
        Assert.Equal(BitConverter.DoubleToInt64Bits(expectedSmallest), BitConverter.DoubleToInt64Bits(smallest));
        Assert.Equal(expectedFlops, flops);
    }

    /// <summary>Value <c>e</c> of group <c>g</c> at <c>e * laneCount + g</c>; the lanes past the groups not a number.</summary>
    private static double[] Interleave(double[][] groups, int q, int laneCount)
    {
        var interleaved = new double[OneRowGroupKernel.LaneValueCount(q, laneCount)];
        Array.Fill(interleaved, double.NaN);
        for (int g = 0; g < groups.Length; g++)
        {
            for (int e = 0; e < groups[g].Length; e++)
            {
                interleaved[(e * laneCount) + g] = groups[g][e];
            }
        }

        return interleaved;
    }
}
