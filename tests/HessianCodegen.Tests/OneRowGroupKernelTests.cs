using System;
using System.Collections.Generic;
using System.Linq;
using HessianCodegen.LinearAlgebra;
using HessianCodegen.Tests.Infrastructure;
using Xunit;

namespace HessianCodegen.Tests;

/// <summary>
/// The low-rank route's one-row group kernel against the general kernels it stands for, step by step: the group's norm,
/// Cholesky factor and condition bound to the bit (the same operations in the same order), <c>L^-1 z</c>, its reflector and
/// <c>tau</c> to round-off; the half solve against a gather, <see cref="TriangularKernel.SolveLower(ReadOnlySpan{double}, int, Span{double}, int)"/>,
/// <see cref="HouseholderKernel.ApplyTranspose"/> and a scatter, at each vector width, on a group's parameters scattered among
/// other rows, which it must leave alone.
/// </summary>
public sealed class OneRowGroupKernelTests
{
    /// <summary>Order and the Cholesky updates' vector width (512, 256, 0: plain loops); a width this machine lacks is left out.</summary>
    public static IEnumerable<object[]> FactorCases => VectorWidthCases.Runnable(1,
        (from bits in new[] { 0, 256, 512 }
         from q in new[] { 1, 2, 5, 9, 13, 17, 32 }
         select new object[] { q, bits }).ToArray());

    [Theory]
    [MemberData(nameof(FactorCases))]
    public void FactorsAsTheGeneralKernels(int q, int vectorBits)
    {
        double[] x = RandomValues.PositiveDefiniteLowerTriangle(q, seed: q, diagonalBase: (q / 2.0) + 1);
        double[] z = RandomValues.Uniform(new Random(q + 50), q);
        double[] group = [.. x, .. z, double.NaN];

        // The reference: the kernels the general path calls, one after another; the norm as FactorAllGroupsCholesky sums it (the
        // lower triangle row by row, each entry added to its row's sum and, off the diagonal, its column's), so to the bit.
        var rowSums = new double[q];
        for (int i = 0; i < q; i++)
        {
            for (int j = 0; j <= i; j++)
            {
                double magnitude = Math.Abs(x[(i * q) + j]);
                rowSums[i] += magnitude;
                rowSums[j] += j < i ? magnitude : 0;
            }
        }

        double norm = rowSums.Max();

        double[] factor = (double[])x.Clone();
        long expectedFlops = 0;
        Assert.Equal(-1, SmallCholeskyKernel.Factor(factor, q, 0, ref expectedFlops));
        double bound = TriangularKernel.InverseNormBound(factor, q);
        double[] solved = (double[])z.Clone();
        TriangularKernel.SolveLower(factor, q, solved, 1);
        expectedFlops += (long)q * q;
        var tau = new double[1];
        HouseholderKernel.Factor(solved, q, 1, tau, new double[1]);
        double logDeterminant = 0;
        double smallestPivot = double.PositiveInfinity;
        for (int i = 0; i < q; i++)
        {
            logDeterminant += 2 * Math.Log(factor[(i * q) + i]);
            smallestPivot = Math.Min(smallestPivot, factor[(i * q) + i] * factor[(i * q) + i]);
        }

        double groupLogDeterminant = 0;
        double groupSmallestPivot = double.PositiveInfinity;
        long flops = 0;
        Assert.True(OneRowGroupKernel.Factor(group, q, 0, out double groupNorm, out double groupBound, ref groupLogDeterminant, ref groupSmallestPivot, ref flops,
            vectorBits));
        Assert.Equal(expectedFlops, flops);
        Assert.Equal(norm, groupNorm);
        Assert.Equal(bound, groupBound);
        // One logarithm of the pivots' product against a sum of one per pivot: round-off.
        Assert.Equal(logDeterminant, groupLogDeterminant, 1e-14 * Math.Max(1, Math.Abs(logDeterminant)));
        Assert.Equal(smallestPivot, groupSmallestPivot);
        Assert.Equal(factor, group[..(q * q)]);
        double scale = solved.Max(Math.Abs);
        for (int i = 0; i < q; i++)
        {
            Assert.True(Math.Abs(group[(q * q) + i] - solved[i]) <= 1e-14 * scale, $"order {q}: reflector entry {i} {group[(q * q) + i]:R} against {solved[i]:R}");
        }

        Assert.True(Math.Abs(group[^1] - tau[0]) <= 1e-14, $"order {q}: tau {group[^1]:R} against {tau[0]:R}");
    }

    [Fact]
    public void AColumnZeroBelowItsFirstEntryTakesNoReflector()
    {
        // X diagonal, so that L^-1 z keeps z's zeros.
        const int q = 4;
        var x = new double[q * q];
        for (int i = 0; i < q; i++)
        {
            x[(i * q) + i] = 4.0 * (i + 1);
        }

        double[] group = [.. x, 2.5, 0, 0, 0, double.NaN];
        double logDeterminant = 0, smallestPivot = double.PositiveInfinity;
        long flops = 0;
        Assert.True(OneRowGroupKernel.Factor(group, q, 0, out _, out _, ref logDeterminant, ref smallestPivot, ref flops));
        Assert.Equal(0, group[^1]);
        Assert.Equal(2.5 / 2.0, group[q * q]);
        Assert.Equal([0, 0, 0], group[((q * q) + 1)..^1]);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    [InlineData(8)]
    public void StopsAtAFailedPivot(int failing)
    {
        const int q = 9;
        double[] x = RandomValues.PositiveDefiniteLowerTriangle(q, seed: 11, diagonalBase: 5.5);
        x[(failing * q) + failing] -= 40;
        double[] group = [.. x, .. RandomValues.Uniform(new Random(12), q), 0];
        double logDeterminant = 0, smallestPivot = double.PositiveInfinity;
        long flops = 0;
        Assert.False(OneRowGroupKernel.Factor(group, q, 1e-12, out _, out _, ref logDeterminant, ref smallestPivot, ref flops));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(9)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(OneRowGroupKernel.PairLimit)]
    public void FactorsAPairAsEachAlone(int q)
    {
        double[] first = [.. RandomValues.PositiveDefiniteLowerTriangle(q, seed: q, diagonalBase: (q / 2.0) + 1), .. RandomValues.Uniform(new Random(q), q), 0];
        double[] second = [.. RandomValues.PositiveDefiniteLowerTriangle(q, seed: q + 1, diagonalBase: (q / 2.0) + 2), .. RandomValues.Uniform(new Random(q + 1), q), 0];
        double[] expectedFirst = (double[])first.Clone();
        double[] expectedSecond = (double[])second.Clone();
        double expectedLogDeterminant = 0, expectedSmallest = double.PositiveInfinity;
        long expectedFlops = 0;
        Assert.True(OneRowGroupKernel.Factor(expectedFirst, q, 0, out double firstNorm, out double firstBound, ref expectedLogDeterminant, ref expectedSmallest, ref expectedFlops));
        Assert.True(OneRowGroupKernel.Factor(expectedSecond, q, 0, out double secondNorm, out double secondBound, ref expectedLogDeterminant, ref expectedSmallest, ref expectedFlops));

        double logDeterminant = 0, smallest = double.PositiveInfinity;
        long flops = 0;
        Assert.True(OneRowGroupKernel.FactorPair(first, second, q, 0, out (double First, double Second) norms, out (double First, double Second) bounds,
            ref logDeterminant, ref smallest, ref flops));
        Assert.Equal(expectedFirst, first);
        Assert.Equal(expectedSecond, second);
        Assert.Equal((firstNorm, secondNorm), norms);
        Assert.Equal((firstBound, secondBound), bounds);
        Assert.Equal(expectedSmallest, smallest);
        Assert.Equal(expectedFlops, flops);
        Assert.Equal(expectedLogDeterminant, logDeterminant);
    }

    /// <summary>
    /// Pivots whose product leaves the normal range (<c>X_g = s I</c> plus a small coupling, <c>s</c> from <c>1e-200</c> to <c>1e250</c>: the
    /// product of the <c>L_ii = sqrt(s)</c> overflows, underflows to 0, or lands among the subnormal numbers, where a finite positive product
    /// has lost most of its bits) still give <c>log det X_g</c> as the sum of <c>2 log L_ii</c>, alone and in a pair: in either lane beside a
    /// group whose product stays normal, and beside a second such group.
    /// </summary>
    [Theory]
    [InlineData(9, 1e250, false)]
    [InlineData(9, 1e-200, false)]
    [InlineData(9, SubnormalScale, true)]
    [InlineData(32, 1e40, false)]
    [InlineData(32, 1e-30, false)]
    public void LogDeterminantOfPivotsFarFromOne(int q, double scale, bool subnormalProduct)
    {
        (double[] group, double expected, double product) = FarGroup(q, seed: q + 3, scale);
        // The subnormal case far below 2^-1022 (under 2^-1050: at most 24 bits left, the logarithm of such a product off by 2^-24 or more).
        Assert.True(subnormalProduct == (product > 0 && product < Math.ScaleB(1.0, -1050)), $"order {q}, scale {scale:R}: the pivots' product {product:R}");
        long flops = 0;
        double alone = 0, smallest = double.PositiveInfinity;
        Assert.True(OneRowGroupKernel.Factor((double[])group.Clone(), q, 0, out _, out _, ref alone, ref smallest, ref flops));
        AssertRoundOff(expected, alone, $"order {q}, scale {scale:R}: log det");

        double[] normal = [.. RandomValues.PositiveDefiniteLowerTriangle(q, seed: q, diagonalBase: (q / 2.0) + 1), .. RandomValues.Uniform(new Random(q + 1), q), 0];
        double normalAlone = 0;
        Assert.True(OneRowGroupKernel.Factor((double[])normal.Clone(), q, 0, out _, out _, ref normalAlone, ref smallest, ref flops));
        (double[] second, double secondExpected, _) = FarGroup(q, seed: q + 4, scale);
        foreach ((double[] first, double[] other, double sum, string lanes) in new[]
            {
                (normal, group, normalAlone + expected, "normal, far"), (group, normal, expected + normalAlone, "far, normal"),
                (group, second, expected + secondExpected, "far, far"),
            })
        {
            double pair = 0;
            Assert.True(OneRowGroupKernel.FactorPair((double[])first.Clone(), (double[])other.Clone(), q, 0, out _, out _, ref pair, ref smallest, ref flops));
            AssertRoundOff(sum, pair, $"order {q}, scale {scale:R}, lanes {lanes}: the pair's log det");
        }
    }

    /// <summary>A scale whose order-9 group (seed 12) has its pivots' product among the subnormal numbers, near <c>2^-1058</c>: about 16 bits left.</summary>
    private const double SubnormalScale = 3e-72;

    /// <summary>
    /// A group (<c>X_g</c>, its row, <c>tau</c>) whose <c>X_g</c> is <paramref name="scale"/> times a positive definite one, with the sum of
    /// <c>2 log L_ii</c> and the product of the <c>L_ii</c> of its Cholesky factor by <see cref="SmallCholeskyKernel"/>.
    /// </summary>
    private static (double[] Group, double LogDeterminant, double PivotProduct) FarGroup(int q, int seed, double scale)
    {
        double[] x = RandomValues.PositiveDefiniteLowerTriangle(q, seed, diagonalBase: (q / 2.0) + 1);
        for (int k = 0; k < x.Length; k++)
        {
            x[k] *= scale;
        }

        double[] factor = (double[])x.Clone();
        long flops = 0;
        Assert.Equal(-1, SmallCholeskyKernel.Factor(factor, q, 0, ref flops));
        double logDeterminant = 0;
        double product = 1;
        for (int i = 0; i < q; i++)
        {
            logDeterminant += 2 * Math.Log(factor[(i * q) + i]);
            product *= factor[(i * q) + i];
        }

        return ([.. x, .. RandomValues.Uniform(new Random(seed - 3), q), 0], logDeterminant, product);
    }

    private static void AssertRoundOff(double expected, double actual, string what) =>
        Assert.True(Math.Abs(actual - expected) <= 1e-14 * Math.Abs(expected), $"{what} {actual:R} against the sum of logarithms {expected:R}");

    [Theory]
    [InlineData(0, -1)]
    [InlineData(-1, 0)]
    [InlineData(5, -1)]
    [InlineData(-1, 8)]
    public void APairStopsAtAFailedPivotOfEither(int firstFailing, int secondFailing)
    {
        const int q = 9;
        double[] first = [.. RandomValues.PositiveDefiniteLowerTriangle(q, seed: 21, diagonalBase: 5.5), .. RandomValues.Uniform(new Random(22), q), 0];
        double[] second = [.. RandomValues.PositiveDefiniteLowerTriangle(q, seed: 23, diagonalBase: 5.5), .. RandomValues.Uniform(new Random(24), q), 0];
        if (firstFailing >= 0)
        {
            first[(firstFailing * q) + firstFailing] -= 40;
        }

        if (secondFailing >= 0)
        {
            second[(secondFailing * q) + secondFailing] -= 40;
        }

        double logDeterminant = 0, smallest = double.PositiveInfinity;
        long flops = 0;
        Assert.False(OneRowGroupKernel.FactorPair(first, second, q, 1e-12, out _, out _, ref logDeterminant, ref smallest, ref flops));
    }

    /// <summary>Order, width of the rows and vector width (512, 256, 0: plain loops); a width this machine lacks is left out.</summary>
    public static IEnumerable<object[]> SolveCases => VectorWidthCases.Runnable(2,
        (from bits in new[] { 0, 256, 512 }
         from shape in new[] { (1, 1), (2, 3), (9, 1), (9, 8), (9, 13), (17, 16), (17, 20), (32, 8) }
         select new object[] { shape.Item1, shape.Item2, bits }).ToArray());

    [Theory]
    [MemberData(nameof(SolveCases))]
    public void SolvesTheLowerHalfAsGatherSolveReflectAndScatter(int q, int width, int vectorBits)
    {
        double[] x = RandomValues.PositiveDefiniteLowerTriangle(q, seed: q + width, diagonalBase: (q / 2.0) + 1);
        AssertSolvesAsGatherSolveReflectAndScatter(x, RandomValues.Uniform(new Random(q), q), q, width, vectorBits);
    }

    /// <summary>Order (at least 4), width of the rows and vector width, as <see cref="SolveCases"/>.</summary>
    public static IEnumerable<object[]> DecoupledSolveCases => VectorWidthCases.Runnable(2,
        (from bits in new[] { 0, 256, 512 }
         from shape in new[] { (4, 1), (9, 3), (9, 8), (17, 13) }
         select new object[] { shape.Item1, shape.Item2, bits }).ToArray());

    [Theory]
    [MemberData(nameof(DecoupledSolveCases))]
    public void SolvesTheLowerHalfWithoutAReflector(int q, int width, int vectorBits)
    {
        // z = [a, 0, ..., 0] and X's first parameter coupled to no other, so that L^-1 z = [a / L_00, 0, ..., 0]: tau = 0, no reflection.
        double[] x = Decoupled(RandomValues.PositiveDefiniteLowerTriangle(q, seed: q + width + 1, diagonalBase: (q / 2.0) + 1), q, 0);
        double[] z = new double[q];
        z[0] = 1.75;
        AssertSolvesAsGatherSolveReflectAndScatter(x, z, q, width, vectorBits, expectedTau: 0);
    }

    [Theory]
    [MemberData(nameof(DecoupledSolveCases))]
    public void SolvesTheLowerHalfWithAZeroInsideTheReflector(int q, int width, int vectorBits)
    {
        // z_2 = 0 and X's third parameter coupled to no other: (L^-1 z)_2 = 0, so the reflector's entry 2 is zero and skipped.
        double[] x = Decoupled(RandomValues.PositiveDefiniteLowerTriangle(q, seed: q + width + 2, diagonalBase: (q / 2.0) + 1), q, 2);
        double[] z = RandomValues.Uniform(new Random(q + 7), q);
        z[2] = 0;
        AssertSolvesAsGatherSolveReflectAndScatter(x, z, q, width, vectorBits, zeroReflectorEntry: 2);
    }

    /// <summary><paramref name="x"/> (<c>q x q</c>, lower triangle) with parameter <paramref name="k"/>'s row and column zero off the diagonal (still positive definite).</summary>
    private static double[] Decoupled(double[] x, int q, int k)
    {
        for (int j = 0; j < q; j++)
        {
            if (j != k)
            {
                x[(Math.Max(j, k) * q) + Math.Min(j, k)] = 0;
            }
        }

        return x;
    }

    /// <summary>
    /// Factors the group <c>(X, z)</c>, then checks <see cref="OneRowGroupKernel.SolveLower"/> on its parameters scattered among other
    /// rows against a gather, <see cref="TriangularKernel.SolveLower(ReadOnlySpan{double}, int, Span{double}, int)"/>,
    /// <see cref="HouseholderKernel.ApplyTranspose"/> and a scatter, and the core row against the first of the group's rows.
    /// </summary>
    private static void AssertSolvesAsGatherSolveReflectAndScatter(double[] x, double[] z, int q, int width, int vectorBits, double? expectedTau = null,
        int? zeroReflectorEntry = null)
    {
        double[] group = [.. x, .. z, 0];
        double logDeterminant = 0, smallestPivot = double.PositiveInfinity;
        long flops = 0;
        Assert.True(OneRowGroupKernel.Factor(group, q, 0, out _, out _, ref logDeterminant, ref smallestPivot, ref flops));
        if (expectedTau is double tau)
        {
            Assert.Equal(tau, group[^1]);
        }

        if (zeroReflectorEntry is int entry)
        {
            Assert.NotEqual(0, group[^1]);
            Assert.Equal(0, group[(q * q) + entry]);
        }

        // The group's parameters every other row and one more, among 2 q + 3 rows.
        int[] parameters = Enumerable.Range(0, q).Select(i => (2 * i) + (i % 3 == 2 ? 1 : 0)).ToArray();
        int rowCount = (2 * q) + 3;
        double[] rows = RandomValues.Uniform(new Random(q + (3 * width)), rowCount * width);

        double[] block = new double[q * width];
        for (int i = 0; i < q; i++)
        {
            rows.AsSpan(parameters[i] * width, width).CopyTo(block.AsSpan(i * width, width));
        }

        TriangularKernel.SolveLower(group.AsSpan(0, q * q), q, block, width);
        HouseholderKernel.ApplyTranspose(group.AsSpan(q * q, q), q, 1, group.AsSpan((q * q) + q, 1), block, width, new double[width]);
        double[] expected = (double[])rows.Clone();
        for (int i = 0; i < q; i++)
        {
            block.AsSpan(i * width, width).CopyTo(expected.AsSpan(parameters[i] * width, width));
        }

        var coreRow = new double[width];
        OneRowGroupKernel.SolveLower(group, parameters, rows, width, coreRow, vectorBits);
        double scale = expected.Max(Math.Abs);
        for (int k = 0; k < rows.Length; k++)
        {
            Assert.True(Math.Abs(rows[k] - expected[k]) <= 1e-14 * scale,
                $"order {q}, width {width}, {vectorBits} bits: entry ({k / width}, {k % width}) {rows[k]:R} against {expected[k]:R}");
        }

        Assert.Equal(rows.AsSpan(parameters[0] * width, width).ToArray(), coreRow);
    }
}
