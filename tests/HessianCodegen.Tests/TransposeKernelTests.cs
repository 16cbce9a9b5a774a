using System;
using System.Linq;
using HessianCodegen.LinearAlgebra;
using Xunit;

namespace HessianCodegen.Tests;

/// <summary>
/// The strip-wise transpose and triangle mirrors of <see cref="MatrixKernels"/> against plain loops, at sizes on
/// both sides of a strip's edge (8 rows) and at a row length of 512 values, where a column's cache lines alias.
/// </summary>
public sealed class TransposeKernelTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(7, 9)]
    [InlineData(8, 8)]
    [InlineData(9, 17)]
    [InlineData(72, 512)]
    [InlineData(512, 65)]
    public void TransposeMatchesTheDefinition(int rows, int columns)
    {
        double[] a = RandomValues(rows * columns, rows + columns);
        var t = new double[rows * columns];
        MatrixKernels.Transpose(a, rows, columns, t);
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < columns; j++)
            {
                Assert.Equal(a[(i * columns) + j], t[(j * rows) + i]);
            }
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(17)]
    [InlineData(512)]
    public void MirrorsCopyOneTriangleOntoTheOtherAndKeepTheDiagonal(int n)
    {
        double[] a = RandomValues(n * n, n);
        double[] upper = (double[])a.Clone();
        MatrixKernels.MirrorUpper(upper, n);
        double[] lower = (double[])a.Clone();
        MatrixKernels.MirrorLower(lower, n);
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                Assert.Equal(a[(Math.Min(i, j) * n) + Math.Max(i, j)], upper[(i * n) + j]);
                Assert.Equal(a[(Math.Max(i, j) * n) + Math.Min(i, j)], lower[(i * n) + j]);
            }
        }
    }

    private static double[] RandomValues(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => random.NextDouble() - 0.5).ToArray();
    }
}
