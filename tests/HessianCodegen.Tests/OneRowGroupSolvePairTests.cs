using System;
using System.Collections.Generic;
using System.Linq;
using HessianCodegen.LinearAlgebra;
using HessianCodegen.Tests.Infrastructure;
using Xunit;

namespace HessianCodegen.Tests;

/// <summary>
/// <see cref="OneRowGroupKernel.SolveLowerPair"/> against two <see cref="OneRowGroupKernel.SolveLower"/> calls at 512 bits, to the
/// bit: the rows of both groups (their parameters interleaved among rows of neither, which must stay as they were) and both core
/// rows; groups with a reflector, without one (<c>tau = 0</c>), and with a zero inside it. Only where the machine runs 512 bits:
/// the pair kernel has no 256-bit form, so elsewhere each case returns without checking (and passes).
/// </summary>
public sealed class OneRowGroupSolvePairTests
{
    public static IEnumerable<object[]> Cases =>
        from q in new[] { 1, 2, 9, 17, 32 }
        from width in new[] { 8, 16, 24 }
        from kinds in new[] { (Kind.Random, Kind.Random), (Kind.NoReflector, Kind.Random), (Kind.Random, Kind.ZeroInsideTheReflector) }
        select new object[] { q, width, kinds.Item1, kinds.Item2 };

    public enum Kind
    {
        Random,
        NoReflector,
        ZeroInsideTheReflector,
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void SolvesAPairAsEachAlone(int q, int width, Kind firstKind, Kind secondKind)
    {
        if (VectorWidth.Hardware < 512)
        {
            return;
        }

        double[] first = FactoredGroup(q, seed: q + width, firstKind);
        double[] second = FactoredGroup(q, seed: q + width + 1, secondKind);
        // Rows: the first group's parameters at 3 k + 1, the second's at 3 k + 2 in reverse, rows 3 k of neither.
        int[] firstParameters = Enumerable.Range(0, q).Select(k => (3 * k) + 1).ToArray();
        int[] secondParameters = Enumerable.Range(0, q).Select(k => (3 * (q - 1 - k)) + 2).ToArray();
        double[] rows = RandomValues.Uniform(new Random(q * width), 3 * q * width);

        double[] expected = (double[])rows.Clone();
        var expectedCores = new double[2 * width];
        OneRowGroupKernel.SolveLower(first, firstParameters, expected, width, expectedCores.AsSpan(0, width), 512);
        OneRowGroupKernel.SolveLower(second, secondParameters, expected, width, expectedCores.AsSpan(width, width), 512);

        double[] actual = (double[])rows.Clone();
        var actualCores = new double[2 * width];
        OneRowGroupKernel.SolveLowerPair(first, firstParameters, actualCores.AsSpan(0, width), second, secondParameters, actualCores.AsSpan(width, width), actual, width);
        Assert.Equal(expected.Select(BitConverter.DoubleToInt64Bits), actual.Select(BitConverter.DoubleToInt64Bits));
        Assert.Equal(expectedCores.Select(BitConverter.DoubleToInt64Bits), actualCores.Select(BitConverter.DoubleToInt64Bits));
        for (int k = 0; k < q; k++)
        {
            Assert.Equal(rows.AsSpan(3 * k * width, width).ToArray().Select(BitConverter.DoubleToInt64Bits), actual.AsSpan(3 * k * width, width).ToArray().Select(BitConverter.DoubleToInt64Bits));
        }
    }

    /// <summary>
    /// A group factored by <c>Factor</c>: random, or <c>X</c> diagonal with <c>z = [a, 0, ...]</c> (<c>L^-1 z</c> zero below its first
    /// entry: <c>tau = 0</c>) or with <c>z_2 = 0</c> (a zero inside the reflector).
    /// </summary>
    private static double[] FactoredGroup(int q, int seed, Kind kind)
    {
        double[] x = RandomValues.PositiveDefiniteLowerTriangle(q, seed, diagonalBase: (q / 2.0) + 1);
        double[] z = RandomValues.Uniform(new Random(seed + 5), q);
        if (kind != Kind.Random)
        {
            for (int i = 0; i < q; i++)
            {
                for (int j = 0; j < i; j++)
                {
                    x[(i * q) + j] = 0;
                }
            }

            for (int i = 1; i < q; i++)
            {
                z[i] = kind == Kind.NoReflector || i == 2 ? 0 : z[i];
            }
        }

        double[] group = [.. x, .. z, 0];
        double logDeterminant = 0, smallest = double.PositiveInfinity;
        long flops = 0;
        Assert.True(OneRowGroupKernel.Factor(group, q, 0, out _, out _, ref logDeterminant, ref smallest, ref flops));
        Assert.True(kind != Kind.NoReflector || q == 1 || group[^1] == 0, "expected no reflector");
        return group;
    }
}
