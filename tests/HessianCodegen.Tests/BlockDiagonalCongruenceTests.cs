using System;
using System.Collections.Generic;
using System.Linq;
using HessianCodegen.LinearAlgebra;
using HessianCodegen.Tests.Infrastructure;
using Xunit;

namespace HessianCodegen.Tests;

/// <summary>
/// <see cref="BlockDiagonalCongruence"/> against the triple products <c>D^T P D</c> of a dense symmetric <c>P</c> and the
/// dense block-diagonal <c>D</c>: its upper block triangle added, the tiles below left as they were, and the lower block
/// triangle of <c>P</c> never read (it holds NaN); on one core and, past its threshold, split between two; the 8 x 8 blocks of a
/// width-8 layer through each tile kernel (512-bit, 256-bit, none), and the 16-column blocks of a width-16 layer through the
/// 512-bit one (<see cref="SixteenColumnCongruenceTile"/>) and the general path.
/// </summary>
public sealed class BlockDiagonalCongruenceTests
{
    /// <summary>
    /// Blocks, rows, columns, two cores, overwrite, vector width (-1: the machine's). A width this machine lacks is left out (the
    /// measured machine has 512 and 256).
    /// </summary>
    public static IEnumerable<object[]> Cases => VectorWidthCases.Runnable(5,
        [1, 1, 1, false, false, -1],
        [1, 7, 9, false, false, -1],
        [7, 3, 5, false, false, -1],
        [8, 8, 8, false, false, -1],
        [9, 8, 8, false, false, -1],
        [5, 8, 3, false, false, -1],
        [3, 2, 8, false, false, -1],
        [63, 2, 1, false, false, -1],
        [65, 1, 2, false, false, -1],
        [65, 8, 8, true, false, -1],
        [50, 9, 7, true, false, -1],
        [7, 3, 5, true, false, -1],
        [9, 8, 8, false, true, -1],
        [7, 3, 5, false, true, -1],
        [65, 8, 8, true, true, -1],
        [9, 5, 8, false, false, -1],
        [7, 12, 8, false, true, -1],
        [6, 1, 8, false, false, -1],
        [33, 9, 8, true, false, -1],
        [9, 8, 8, false, false, 256],
        [65, 8, 8, false, true, 256],
        [7, 12, 8, false, true, 256],
        [9, 8, 8, false, false, 0],
        [9, 8, 8, false, true, 512],
        [3, 8, 8, false, false, 512],
        [9, 16, 16, false, false, 512],
        [9, 16, 16, false, true, 512],
        [4, 5, 16, false, true, 512],
        [3, 18, 16, false, false, 512],
        [20, 16, 16, true, false, -1],
        [5, 16, 16, false, false, 256],
        [5, 16, 16, false, true, 0]);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Adds_the_upper_block_triangle_of_the_congruence(int blocks, int rows, int columns, bool twoCores, bool overwrite, int vectorBits)
    {
        var random = new Random((blocks * 10_000) + (rows * 100) + columns);
        int order = blocks * rows;
        int eOrder = blocks * columns;
        int pStride = order + 3;
        int eStride = eOrder + 2;

        // P symmetric in its upper block triangle; the lower block triangle is NaN, which must not be read.
        var p = new double[order * pStride];
        var symmetric = new double[order * order];
        for (int i = 0; i < order; i++)
        {
            for (int j = i; j < order; j++)
            {
                double value = (2 * random.NextDouble()) - 1;
                symmetric[(i * order) + j] = symmetric[(j * order) + i] = value;
            }
        }

        for (int i = 0; i < order; i++)
        {
            for (int j = 0; j < pStride; j++)
            {
                p[(i * pStride) + j] = j < order && j / rows >= i / rows ? symmetric[(i * order) + j] : double.NaN;
            }
        }

        double[] d = RandomValues.Uniform(random, blocks * rows * columns);
        double[] e = RandomValues.Uniform(random, eOrder * eStride);
        double[] expected = (double[])e.Clone();
        for (int i = 0; i < eOrder && overwrite; i++)
        {
            // Overwritten, the upper block triangle starts from zero: NaN there must not be read.
            for (int j = (i / columns) * columns; j < eOrder; j++)
            {
                expected[(i * eStride) + j] = 0;
                e[(i * eStride) + j] = double.NaN;
            }
        }

        for (int i = 0; i < eOrder; i++)
        {
            for (int j = (i / columns) * columns; j < eOrder; j++)
            {
                // (D^T P D)(i, j) = sum_r sum_s D(r, i) P(r, s) D(s, j), D(r, i) non-zero only in i's block.
                int n = i / columns;
                int k = j / columns;
                double sum = 0;
                for (int r = 0; r < rows; r++)
                {
                    for (int s = 0; s < rows; s++)
                    {
                        sum += d[(n * rows * columns) + (r * columns) + (i % columns)] * symmetric[(((n * rows) + r) * order) + (k * rows) + s]
                            * d[(k * rows * columns) + (s * columns) + (j % columns)];
                    }
                }

                expected[(i * eStride) + j] += sum;
            }
        }

        long flops = twoCores
            ? BlockDiagonalCongruence.AddUpperOnTwoCores(p, pStride, d, blocks, rows, columns, e, eStride, overwrite)
            : vectorBits >= 0
                ? BlockDiagonalCongruence.AddUpper(p, pStride, d, blocks, rows, columns, e, eStride, overwrite, vectorBits)
                : BlockDiagonalCongruence.AddUpper(p, pStride, d, blocks, rows, columns, e, eStride, overwrite);

        // U = D_n^T P(n, n..) and the tiles U D_k: 2 rows columns (order - n rows) + (blocks - n) 2 rows columns^2 per block row n.
        long expectedFlops = 0;
        for (int n = 0; n < blocks; n++)
        {
            expectedFlops += (2L * rows * columns * (order - (n * rows))) + ((blocks - n) * 2L * rows * columns * columns);
        }

        Assert.Equal(expectedFlops, flops);
        for (int index = 0; index < e.Length; index++)
        {
            Assert.True(Math.Abs(e[index] - expected[index]) <= 1e-14 * (1 + (rows * rows)) * Math.Max(1, Math.Abs(expected[index])),
                $"e[{index / eStride}, {index % eStride}] = {e[index]}, expected {expected[index]}");
        }
    }

    /// <summary>
    /// <see cref="BlockDiagonalCongruence.AddUpperShared"/> on two threads against one call (bit for bit; that call is checked
    /// against the triple products above), overwriting an upper block triangle of NaN: 8 x 8 blocks (the tile kernel), blocks
    /// of 3 x 5 (the general path), fewer blocks than pieces, and a second thread that comes after the first has taken every piece;
    /// the second taking pieces from the end (the recursion's worker) as well as from the front.
    /// </summary>
    [Theory]
    [InlineData(65, 8, 8, true, false)]
    [InlineData(13, 3, 5, true, false)]
    [InlineData(3, 8, 8, true, false)]
    [InlineData(29, 8, 8, false, false)]
    [InlineData(65, 8, 8, true, true)]
    [InlineData(13, 3, 5, true, true)]
    [InlineData(3, 8, 8, true, true)]
    [InlineData(29, 8, 8, false, true)]
    public void Two_threads_sharing_the_block_rows_write_what_one_call_writes(int blocks, int rows, int columns, bool sideBySide, bool secondFromEnd)
    {
        var random = new Random((blocks * 100) + rows);
        int order = blocks * rows;
        int eOrder = blocks * columns;
        double[] p = RandomValues.Uniform(random, order * order);
        for (int i = 0; i < order; i++)
        {
            for (int j = 0; j < i; j++)
            {
                p[(i * order) + j] = p[(j * order) + i];
            }
        }

        double[] d = RandomValues.Uniform(random, blocks * rows * columns);
        double[] expected = Enumerable.Repeat(double.NaN, eOrder * eOrder).ToArray();
        long expectedFlops = BlockDiagonalCongruence.AddUpper(p, order, d, blocks, rows, columns, expected, eOrder, overwrite: true);

        double[] e = Enumerable.Repeat(double.NaN, eOrder * eOrder).ToArray();
        var fork = new SharedFork(1);
        long first = 0, second = 0;
        if (sideBySide)
        {
            (first, second) = SideBySide.Run(
                () => BlockDiagonalCongruence.AddUpperShared(p, order, d, blocks, rows, columns, e, eOrder, true, fork, 0),
                () => BlockDiagonalCongruence.AddUpperShared(p, order, d, blocks, rows, columns, e, eOrder, true, fork, 0, secondFromEnd));
        }
        else
        {
            first = BlockDiagonalCongruence.AddUpperShared(p, order, d, blocks, rows, columns, e, eOrder, true, fork, 0);
            second = BlockDiagonalCongruence.AddUpperShared(p, order, d, blocks, rows, columns, e, eOrder, true, fork, 0, secondFromEnd);
            Assert.Equal(0, second);
        }

        Assert.Equal(expectedFlops, first + second);
        Assert.Equal(expected, e);
    }

    [Fact]
    public void Rejects_a_p_too_short_for_its_order()
    {
        var e = new double[16];
        ArgumentException error = Assert.Throws<ArgumentException>(() => BlockDiagonalCongruence.AddUpper(new double[15], 4, new double[16], 2, 2, 2, e, 4));
        Assert.Contains("p of order 4", error.Message);
    }
}
