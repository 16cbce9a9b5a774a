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

    /// <summary>
    /// The ranged transpose (GroupedValueProduct's, column by column of its chunks) writes the rows <c>firstColumn</c> to
    /// <c>endColumn</c> of <c>t</c> and leaves the rest as it was, with a range that starts and ends inside a strip.
    /// </summary>
    [Theory]
    [InlineData(9, 37, 5, 30)]
    [InlineData(8, 24, 3, 19)]
    [InlineData(12, 16, 0, 16)]
    [InlineData(5, 11, 7, 7)]
    public void TransposeOfAColumnRangeWritesOnlyItsRows(int rows, int columns, int firstColumn, int endColumn)
    {
        double[] a = RandomValues(rows * columns, rows + columns);
        double[] before = RandomValues(rows * columns, rows * columns);
        double[] t = (double[])before.Clone();
        MatrixKernels.Transpose(a, rows, columns, t, firstColumn, endColumn);
        for (int j = 0; j < columns; j++)
        {
            bool written = j >= firstColumn && j < endColumn;
            for (int i = 0; i < rows; i++)
            {
                Assert.Equal(written ? a[(i * columns) + j] : before[(j * rows) + i], t[(j * rows) + i]);
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

    /// <summary><see cref="MatrixKernels.MirrorUpperRows"/> writes the lower triangle's rows in its band and nothing else (bands cut inside and outside the 8 x 8 blocks' reach, bands starting inside a strip, orders short of a block).</summary>
    [Theory]
    [InlineData(20, 0, 20)]
    [InlineData(20, 8, 13)]
    [InlineData(37, 16, 37)]
    [InlineData(64, 24, 56)]
    [InlineData(64, 13, 50)]
    [InlineData(37, 3, 37)]
    [InlineData(515, 360, 515)]
    [InlineData(515, 363, 514)]
    public void MirrorsTheRowsOfABandAndNothingElse(int n, int first, int end)
    {
        double[] a = RandomValues(n * n, n + first);
        double[] mirrored = (double[])a.Clone();
        MatrixKernels.MirrorUpperRows(mirrored, n, first, end);
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                bool written = j < i && i >= first && i < end;
                Assert.Equal(written ? a[(j * n) + i] : a[(i * n) + j], mirrored[(i * n) + j]);
            }
        }
    }

    [Theory]
    [InlineData(-1, 5)]
    [InlineData(6, 5)]
    [InlineData(0, 21)]
    public void ABandOutsideTheMatrixIsRejected(int first, int end)
    {
        var a = new double[20 * 20];
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => MatrixKernels.MirrorUpperRows(a, 20, first, end));
        Assert.Equal(first < 0 ? "first" : "end", error.ParamName);
    }

    private static double[] RandomValues(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => random.NextDouble() - 0.5).ToArray();
    }
}
