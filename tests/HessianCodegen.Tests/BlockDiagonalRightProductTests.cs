using System;
using System.Collections.Generic;
using HessianCodegen.LinearAlgebra;
using HessianCodegen.Tests.Infrastructure;
using Xunit;

namespace HessianCodegen.Tests;

/// <summary>
/// <see cref="BlockDiagonalRightProduct.SetInitialMinusProduct"/> against the triple loop of <c>c = initial - w D</c> for a
/// block-diagonal <c>D</c>, from initial blocks or from zero, with strides longer than the rows (whose extra values must stay as
/// they were): blocks of 8 x 8 through the 512-bit register kernel (heights that are and are not multiples of its four rows) and
/// through the general path, blocks of other shapes, and blocks without rows (c still set).
/// </summary>
public sealed class BlockDiagonalRightProductTests
{
    /// <summary>Vector width, blocks, rows, columns, height, start; a width this machine lacks is left out (the measured machine has 512).</summary>
    public static IEnumerable<object[]> Cases => VectorWidthCases.Runnable(0,
        [512, 7, 8, 8, 9, Start.Blocks],
        [512, 7, 8, 8, 9, Start.Zero],
        [512, 1, 8, 8, 1, Start.Blocks],
        [0, 7, 8, 8, 9, Start.Blocks],
        [512, 3, 8, 8, 6, Start.Zero],
        [512, 2, 8, 8, 3, Start.Blocks],
        [0, 5, 3, 7, 4, Start.Blocks],
        [0, 5, 3, 7, 4, Start.Zero],
        [512, 5, 3, 7, 4, Start.Zero],
        [512, 5, 3, 7, 5, Start.Blocks],
        [0, 3, 0, 5, 4, Start.Blocks],
        [512, 3, 0, 8, 4, Start.Zero]);

    /// <summary>What c starts from: initial blocks or zero (c's values NaN, unread).</summary>
    public enum Start
    {
        Blocks,
        Zero,
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Matches_the_triple_loop(int vectorBits, int blocks, int rows, int columns, int height, Start start)
    {
        var random = new Random((blocks * 1000) + (rows * 100) + (columns * 10) + height);
        int wStride = (blocks * rows) + 3;
        int cStride = (blocks * columns) + 2;
        double[] w = RandomValues.Uniform(random, height * wStride);
        double[] d = RandomValues.Uniform(random, blocks * rows * columns);
        double[] c = RandomValues.Uniform(random, height * cStride);
        double[] initial = start == Start.Blocks ? RandomValues.Uniform(random, blocks * height * columns) : [];
        double[] expected = (double[])c.Clone();
        for (int j = 0; j < height; j++)
        {
            for (int n = 0; n < blocks; n++)
            {
                for (int col = 0; col < columns; col++)
                {
                    int index = (j * cStride) + (n * columns) + col;
                    expected[index] = start == Start.Blocks ? initial[(((n * height) + j) * columns) + col] : 0;
                    c[index] = double.NaN;

                    double sum = 0;
                    for (int r = 0; r < rows; r++)
                    {
                        sum += w[(j * wStride) + (n * rows) + r] * d[(n * rows * columns) + (r * columns) + col];
                    }

                    expected[(j * cStride) + (n * columns) + col] -= sum;
                }
            }
        }

        long flops = BlockDiagonalRightProduct.SetInitialMinusProduct(initial, w, wStride, d, blocks, rows, columns, c, cStride, height, vectorBits);
        Assert.Equal(2L * height * blocks * rows * columns, flops);
        for (int index = 0; index < c.Length; index++)
        {
            Assert.True(Math.Abs(c[index] - expected[index]) <= 1e-14 * (1 + rows), $"c[{index / cStride}, {index % cStride}] = {c[index]}, expected {expected[index]}");
        }
    }

    [Fact]
    public void Rejects_a_target_too_short()
    {
        ArgumentException error = Assert.Throws<ArgumentException>(
            () => BlockDiagonalRightProduct.SetInitialMinusProduct([], new double[16], 4, new double[8], 2, 2, 2, new double[7], 4, 2, 0));
        Assert.Contains("c of 2 x 4", error.Message);
    }
}
