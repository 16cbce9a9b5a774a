using System;
using System.Linq;
using HessianCodegen.LinearAlgebra;
using Xunit;

namespace HessianCodegen.Tests;

/// <summary>
/// <see cref="MatrixKernels.MaxAbsLower"/>: the largest magnitude of a square matrix's lower triangle, diagonal included, against a
/// plain loop over it, with the largest (positive or negative) or a NaN on the diagonal, in the last row, or anywhere below the
/// diagonal (rows shorter and longer than a vector), while a larger value and a NaN in the strict upper triangle are ignored.
/// </summary>
public sealed class MaxAbsLowerTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    [InlineData(13)]
    public void Finds_the_largest_in_the_lower_triangle_alone(int n)
    {
        var random = new Random(n);
        double[] a = Enumerable.Range(0, n * n).Select(_ => random.NextDouble() - 0.5).ToArray();
        for (int i = 0; i < n; i++)
        {
            for (int j = i + 1; j < n; j++)
            {
                a[(i * n) + j] = (i + j) % 2 == 0 ? 100.0 : double.NaN; // the strict upper triangle: never read
            }
        }

        Assert.Equal(PlainLower(a, n), MatrixKernels.MaxAbsLower(a, n));
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j <= i; j++)
            {
                foreach (double largest in new[] { 3.0, -3.0, double.NaN })
                {
                    double[] withLargest = (double[])a.Clone();
                    withLargest[(i * n) + j] = largest;
                    double result = MatrixKernels.MaxAbsLower(withLargest, n);
                    Assert.True(double.IsNaN(largest) ? double.IsNaN(result) : result == 3.0, $"order {n}, {largest} at ({i}, {j}): {result:R}");
                }
            }
        }
    }

    [Fact]
    public void Refuses_a_matrix_short_of_its_order()
    {
        Assert.Throws<ArgumentException>(() => MatrixKernels.MaxAbsLower(new double[8], 3));
    }

    private static double PlainLower(double[] a, int n)
    {
        double result = 0;
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j <= i; j++)
            {
                result = Math.Max(result, Math.Abs(a[(i * n) + j]));
            }
        }

        return result;
    }
}
