using System;
using System.Linq;
using HessianCodegen.LinearAlgebra;
using HessianCodegen.Tests.Infrastructure;
using Xunit;

namespace HessianCodegen.Tests;

/// <summary>
/// The solve's matrix-vector kernels (four rows per pass, vectors with a scalar tail) against plain sums, at row
/// counts around the four-row step (0 to 9) and column counts around the vector width and its double (1 to 67), with
/// <c>y</c> not zero beforehand (they add to it); the error allowed is the rounding of a sum of those terms.
/// </summary>
public sealed class MatrixVectorKernelTests
{
    public static TheoryData<int, int> Shapes()
    {
        var shapes = new TheoryData<int, int>();
        foreach (int rows in new[] { 0, 1, 3, 4, 5, 7, 8, 9 })
        {
            foreach (int columns in new[] { 1, 3, 4, 5, 8, 9, 13, 64, 67 })
            {
                shapes.Add(rows, columns);
            }
        }

        return shapes;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void MultiplyAddAddsTheRowsDotProducts(int rows, int columns)
    {
        var random = new Random((rows * 100) + columns);
        double[] a = Values(random, rows * columns);
        double[] x = Values(random, columns);
        double[] y = Values(random, rows);
        double[] actual = (double[])y.Clone();
        MatrixVectorKernels.MultiplyAdd(a, rows, columns, x, actual);
        for (int i = 0; i < rows; i++)
        {
            double expected = y[i];
            double magnitude = Math.Abs(y[i]);
            for (int j = 0; j < columns; j++)
            {
                expected += a[(i * columns) + j] * x[j];
                magnitude += Math.Abs(a[(i * columns) + j] * x[j]);
            }

            Assert.True(Math.Abs(actual[i] - expected) <= 4 * (columns + 1) * DampedSystem.UnitRoundoff * magnitude,
                $"{rows} x {columns}: (y + A x)({i}) = {actual[i]:R}, summed {expected:R}");
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void TransposeMultiplyAddAddsTheScaledRows(int rows, int columns)
    {
        var random = new Random((rows * 100) + columns + 7);
        const double alpha = -1.5;
        double[] a = Values(random, rows * columns);
        double[] x = Values(random, rows);
        double[] y = Values(random, columns);
        double[] actual = (double[])y.Clone();
        MatrixVectorKernels.TransposeMultiplyAdd(alpha, a, rows, columns, x, actual);
        for (int j = 0; j < columns; j++)
        {
            double expected = y[j];
            double magnitude = Math.Abs(y[j]);
            for (int i = 0; i < rows; i++)
            {
                expected += alpha * x[i] * a[(i * columns) + j];
                magnitude += Math.Abs(alpha * x[i] * a[(i * columns) + j]);
            }

            Assert.True(Math.Abs(actual[j] - expected) <= 4 * (rows + 1) * DampedSystem.UnitRoundoff * magnitude,
                $"{rows} x {columns}: (y + alpha A^T x)({j}) = {actual[j]:R}, summed {expected:R}");
        }
    }

    [Fact]
    public void WrongLengthsAreRefusedByName()
    {
        var a = new double[12];
        ArgumentException tooShort = Assert.Throws<ArgumentException>(() => MatrixVectorKernels.MultiplyAdd(a, 4, 4, new double[4], new double[4]));
        Assert.Contains("expected at least 4 x 4", tooShort.Message);
        ArgumentException vectors = Assert.Throws<ArgumentException>(() => MatrixVectorKernels.TransposeMultiplyAdd(1, a, 3, 4, new double[4], new double[4]));
        Assert.Contains("expected 3 and 4", vectors.Message);
    }

    private static double[] Values(Random random, int count) => Enumerable.Range(0, count).Select(_ => random.NextDouble() - 0.5).ToArray();
}
