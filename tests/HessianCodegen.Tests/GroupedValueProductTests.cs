using System;
using System.Collections.Generic;
using System.Linq;
using HessianCodegen.LinearAlgebra;
using HessianCodegen.Tests.Infrastructure;
using Xunit;

namespace HessianCodegen.Tests;

/// <summary>
/// <see cref="GroupedValueProduct"/> against the triple loop of <c>W = -(Dx^T P)</c> and its transpose, on a <c>Dx</c>
/// built group by group (as <see cref="GroupedJacobianProductTests"/> builds it: shuffled parameters, zeros among a group's
/// values, rows in order one per example or in no order), at each vector width: group sizes that are and are not multiples of
/// the tiles' three rows and of the 512-bit tile's nine (a group of nine; of seventeen; of nineteen, two wide tiles), state orders with and without a short last tile of columns, column ranges cut anywhere. What lies
/// outside the range (NaN) must stay untouched.
/// </summary>
public sealed class GroupedValueProductTests
{
    /// <summary>
    /// Vector width, spaced rows, p, groups, batch, first and end column (-1: all), a dead group. A width this machine lacks is
    /// left out (the measured machine has 512 and 256).
    /// </summary>
    public static IEnumerable<object[]> Cases => VectorWidthCases.Runnable(0,
        [512, true, 27, 3, 16, 0, -1, false],
        [512, true, 27, 3, 16, 5, 37, false],
        [512, true, 17, 1, 40, 0, -1, false],
        [512, false, 23, 4, 9, 5, 37, false],
        [512, true, 30, 6, 7, 16, 42, false],
        [512, false, 38, 2, 11, 8, 57, false],
        [512, true, 19, 1, 21, 0, -1, false],
        [256, true, 27, 3, 16, 0, -1, false],
        [256, true, 17, 1, 40, 0, -1, false],
        [256, false, 23, 4, 9, 5, 37, false],
        [256, true, 30, 6, 7, 16, 42, false],
        [0, true, 27, 3, 16, 3, 48, false],
        [0, false, 23, 4, 9, 0, 37, false],
        [512, true, 27, 3, 16, 0, -1, true],
        [256, true, 30, 6, 7, 16, 42, true]);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Matches_the_triple_loop(int vectorBits, bool spacedRows, int p, int groupCount, int batch, int firstColumn, int endColumn,
        bool deadGroup)
    {
        var random = new Random(p + (31 * groupCount) + (7 * batch) + vectorBits);
        int[] groupOfParameter = Enumerable.Range(0, p).Select(j => j % groupCount).OrderBy(_ => random.Next()).ToArray();
        int m = Math.Max(endColumn, (batch * groupCount) + 1);
        endColumn = endColumn < 0 ? m : endColumn; // -1: all columns, with a short last tile
        var dx = new double[m * p];
        for (int r = 0; r < m; r++)
        {
            int group = spacedRows ? r % groupCount : random.Next(groupCount);
            // A dead group (a ReLU unit off for every example): its parameters have no rows, each its own group of none.
            bool zeroRow = (spacedRows ? r >= batch * groupCount : r % 5 == 4) || (deadGroup && group == 0);
            for (int j = 0; j < p && !zeroRow; j++)
            {
                dx[(r * p) + j] = groupOfParameter[j] == group && random.Next(4) > 0 ? random.NextDouble() - 0.5 : 0;
            }
        }

        ParameterGroups groups = ParameterGroups.Find([], dx, p, m);
        double[] value = RandomValues.Uniform(random, m * m);
        double[] weighted = Enumerable.Repeat(double.NaN, p * m).ToArray();
        double[] weightedT = Enumerable.Repeat(double.NaN, m * p).ToArray();
        long flops = GroupedValueProduct.Form(groups, dx, p, m, value, weighted, weightedT, firstColumn, endColumn, vectorBits);

        long expectedFlops = 0;
        for (int g = 0; g < groups.Parameters.Length; g++)
        {
            expectedFlops += 2L * groups.Parameters[g].Length * groups.Rows[g].Length * (endColumn - firstColumn);
        }

        Assert.Equal(expectedFlops, flops);
        for (int j = 0; j < p; j++)
        {
            for (int c = 0; c < m; c++)
            {
                double got = weighted[(j * m) + c];
                Assert.Equal(BitConverter.DoubleToInt64Bits(got), BitConverter.DoubleToInt64Bits(weightedT[(c * p) + j]));

                if (c < firstColumn || c >= endColumn)
                {
                    Assert.True(double.IsNaN(got), $"W[{j}, {c}] = {got} lies outside the columns {firstColumn} to {endColumn}");
                    continue;
                }

                double expected = 0;
                for (int r = 0; r < m; r++)
                {
                    expected -= dx[(r * p) + j] * value[(r * m) + c];
                }

                Assert.True(Math.Abs(got - expected) <= 1e-14 * (1 + m), $"W[{j}, {c}] = {got}, expected {expected}");
            }
        }
    }

    /// <summary>
    /// <see cref="GroupedValueProduct.FormShared"/> on two threads against one call of Form (bit for bit) and the triple loop, at state orders
    /// of several chunks of <see cref="GroupedValueProduct.SharedColumns"/> with a short last one (8 x 33 = 264 = 4 x 64 + 8, 5 x 29 = 145 = 2 x 64 + 17),
    /// both threads taking chunks from the front, or the second from the end (the recursion's worker; the short last chunk first).
    /// </summary>
    [Theory]
    [InlineData(8, 33, false)]
    [InlineData(5, 29, false)]
    [InlineData(8, 33, true)]
    [InlineData(5, 29, true)]
    public void Two_threads_sharing_the_columns_write_what_one_call_writes(int groupCount, int batch, bool secondFromEnd)
    {
        int p = 9 * groupCount;
        int m = groupCount * batch;
        var random = new Random(m);
        var dx = new double[m * p];
        for (int r = 0; r < m; r++)
        {
            for (int t = 0; t < 9; t++)
            {
                dx[(r * p) + ((r % groupCount) * 9) + t] = random.NextDouble() - 0.5;
            }
        }

        ParameterGroups groups = ParameterGroups.Find([], dx, p, m);
        double[] value = RandomValues.Uniform(random, m * m);
        var expected = new double[p * m];
        var expectedT = new double[m * p];
        int bits = VectorWidth.Hardware;
        long expectedFlops = GroupedValueProduct.Form(groups, dx, p, m, value, expected, expectedT, 0, m, bits);

        double[] weighted = Enumerable.Repeat(double.NaN, p * m).ToArray();
        double[] weightedT = Enumerable.Repeat(double.NaN, m * p).ToArray();
        var fork = new SharedFork(1);
        (long first, long second) = SideBySide.Run(
            () => GroupedValueProduct.FormShared(groups, dx, p, m, value, weighted, weightedT, bits, fork, 0),
            () => GroupedValueProduct.FormShared(groups, dx, p, m, value, weighted, weightedT, bits, fork, 0, secondFromEnd));

        Assert.True(m >= 2 * GroupedValueProduct.SharedColumns && m % GroupedValueProduct.SharedColumns != 0, $"m = {m}: not several chunks with a short last one");
        Assert.Equal(expectedFlops, first + second);
        Assert.Equal(expected, weighted);
        Assert.Equal(expectedT, weightedT);
        for (int j = 0; j < p; j++)
        {
            for (int c = 0; c < m; c++)
            {
                double sum = 0;
                for (int r = 0; r < m; r++)
                {
                    sum -= dx[(r * p) + j] * value[(r * m) + c];
                }

                Assert.True(Math.Abs(weighted[(j * m) + c] - sum) <= 1e-14 * (1 + m), $"W[{j}, {c}] = {weighted[(j * m) + c]}, expected {sum}");
            }
        }
    }

    [Fact]
    public void Rejects_a_vector_width_it_has_no_kernel_for()
    {
        var dx = new double[4];
        ParameterGroups groups = ParameterGroups.Find([], dx, 2, 2);
        ArgumentOutOfRangeException error = Assert.Throws<ArgumentOutOfRangeException>(
            () => GroupedValueProduct.Form(groups, dx, 2, 2, new double[4], new double[4], new double[4], 0, 2, 128));
        Assert.Contains("Vector width 128", error.Message);
    }
}
