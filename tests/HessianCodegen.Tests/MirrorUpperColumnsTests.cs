using System;
using HessianCodegen.LinearAlgebra;
using Xunit;

namespace HessianCodegen.Tests;

/// <summary>
/// <see cref="MatrixKernels.MirrorUpperColumns"/>: the lower triangle's columns in the band become the transposes of the upper
/// triangle's rows in it, and nothing else is written; bands on and off the 8 x 8 blocks' edges, and two bands that meet (the
/// two-core update's) mirror the whole triangle as <see cref="MatrixKernels.MirrorUpper"/> does.
/// </summary>
public sealed class MirrorUpperColumnsTests
{
    [Theory]
    [InlineData(1, 0, 1)]
    [InlineData(9, 0, 9)]
    [InlineData(9, 3, 5)]
    [InlineData(17, 8, 16)]
    [InlineData(150, 0, 150)]
    [InlineData(512, 150, 512)]
    [InlineData(513, 7, 300)]
    [InlineData(20, 20, 20)]
    public void Writes_the_band_of_columns_and_nothing_else(int order, int first, int end)
    {
        double[] original = RandomMatrix(order);
        double[] matrix = (double[])original.Clone();
        MatrixKernels.MirrorUpperColumns(matrix, order, first, end);
        for (int i = 0; i < order; i++)
        {
            for (int j = 0; j < order; j++)
            {
                bool written = j < i && j >= first && j < end;
                double expected = written ? original[(j * order) + i] : original[(i * order) + j];
                Assert.True(matrix[(i * order) + j] == expected, $"a[{i}, {j}] = {matrix[(i * order) + j]}, expected {expected}");
            }
        }
    }

    [Theory]
    [InlineData(512, 150)]
    [InlineData(513, 151)]
    [InlineData(64, 0)]
    public void Two_bands_that_meet_mirror_the_whole_triangle(int order, int split)
    {
        double[] expected = RandomMatrix(order);
        double[] matrix = (double[])expected.Clone();
        MatrixKernels.MirrorUpper(expected, order);
        MatrixKernels.MirrorUpperColumns(matrix, order, split, order);
        MatrixKernels.MirrorUpperColumns(matrix, order, 0, split);
        Assert.Equal(expected, matrix);
    }

    [Fact]
    public void A_band_outside_the_matrix_is_refused()
    {
        var matrix = new double[16];
        Assert.Throws<ArgumentOutOfRangeException>(() => MatrixKernels.MirrorUpperColumns(matrix, 4, 3, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => MatrixKernels.MirrorUpperColumns(matrix, 4, 0, 5));
    }

    private static double[] RandomMatrix(int order)
    {
        var random = new Random(order);
        var matrix = new double[order * order];
        for (int k = 0; k < matrix.Length; k++)
        {
            matrix[k] = random.NextDouble();
        }

        return matrix;
    }
}
