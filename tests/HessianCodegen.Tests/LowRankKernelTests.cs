using System;
using System.Linq;
using HessianCodegen.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra;
using Xunit;

namespace HessianCodegen.Tests;

/// <summary>
/// The kernels of the low-rank pivot-block route against MathNet: the Householder QR (<c>dgeqr2</c>) and its
/// <c>Q</c> (<c>dorm2r</c>) on tall and wide matrices with a zero column, and the bound on
/// <c>||L^-1||_inf ||L^-1||_1</c>, which must never be below the true value.
/// </summary>
public sealed class LowRankKernelTests
{
    [Theory]
    [InlineData(9, 5)]
    [InlineData(4, 7)]
    [InlineData(193, 64)]
    public void QrMatchesMathNetAndItsQIsOrthogonal(int rows, int columns)
    {
        var random = new Random(rows * columns);
        double[] a = Enumerable.Range(0, rows * columns).Select(_ => random.NextDouble() - 0.5).ToArray();
        for (int i = 0; i < rows; i++)
        {
            a[(i * columns) + 1] = 0;
        }

        double[] factored = (double[])a.Clone();
        int k = Math.Min(rows, columns);
        var tau = new double[k];
        HouseholderKernel.Factor(factored, rows, columns, tau, new double[columns]);

        // Q^T A is [R; 0], R what the factorization left on and above the diagonal, with R^T R = A^T A (a QR is unique
        // only up to the signs of R's rows, and not at all past a zero column, so the Gram matrix is what is compared);
        // and Q Q^T A is A again.
        double[] transformed = (double[])a.Clone();
        HouseholderKernel.ApplyTranspose(factored, rows, columns, tau, transformed, columns, new double[columns]);
        Matrix<double> r = Matrix<double>.Build.Dense(rows, columns, (i, j) => j >= i ? factored[(i * columns) + j] : 0);
        Matrix<double> matrix = Matrix<double>.Build.Dense(rows, columns, (i, j) => a[(i * columns) + j]);
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < columns; j++)
            {
                Assert.True(Math.Abs(transformed[(i * columns) + j] - r[i, j]) <= 1e-13, $"(Q^T A)({i}, {j}) = {transformed[(i * columns) + j]:R}, R has {r[i, j]:R}");
            }
        }

        Assert.True((r.TransposeThisAndMultiply(r) - matrix.TransposeThisAndMultiply(matrix)).InfinityNorm() <= 1e-12, "R^T R against A^T A");

        HouseholderKernel.Apply(factored, rows, columns, tau, transformed, columns, new double[columns]);
        Assert.All(Enumerable.Range(0, a.Length), i => Assert.True(Math.Abs(transformed[i] - a[i]) <= 1e-13, $"Q Q^T A at {i}"));
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(0.3)]
    public void TheInverseNormBoundIsAnUpperBound(double coupling)
    {
        const int n = 12;
        var random = new Random(3);
        var factor = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < i; j++)
            {
                factor[(i * n) + j] = coupling * (random.NextDouble() - 0.5);
            }

            factor[(i * n) + i] = 0.5 + random.NextDouble();
        }

        Matrix<double> inverse = Matrix<double>.Build.Dense(n, n, (i, j) => j <= i ? factor[(i * n) + j] : 0).Inverse();
        double exact = inverse.InfinityNorm() * inverse.L1Norm();
        double bound = TriangularKernel.InverseNormBound(factor, n);
        Assert.InRange(bound, exact * (1 - 1e-12), double.PositiveInfinity);

        // A diagonal factor is bounded exactly.
        var diagonal = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            diagonal[(i * n) + i] = factor[(i * n) + i];
        }

        double smallest = Enumerable.Range(0, n).Min(i => diagonal[(i * n) + i]);
        Assert.Equal(1 / (smallest * smallest), TriangularKernel.InverseNormBound(diagonal, n), 12);
    }

    /// <summary>
    /// The bound is <c>||M(L)^-1||_inf ||M(L)^-1||_1</c> for the comparison matrix <c>M(L)</c> (|diagonal|, -|off-diagonal|):
    /// against that matrix's substitutions written plainly (by columns of <c>L</c> for the second), at odd orders.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(5)]
    [InlineData(9)]
    [InlineData(33)]
    public void TheInverseNormBoundIsTheComparisonMatrixRecurrence(int n)
    {
        var random = new Random(n);
        var factor = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                // The strict upper triangle is not L's: a bound that read it would show.
                factor[(i * n) + j] = j < i ? random.NextDouble() - 0.5 : j == i ? (random.NextDouble() - 0.5) + (random.Next(2) == 0 ? -1 : 1) : 100;
            }
        }

        var rowBound = new double[n];
        var columnBound = new double[n];
        double infinity = 0, one = 0;
        for (int i = 0; i < n; i++)
        {
            double sum = 1;
            for (int j = 0; j < i; j++)
            {
                sum += Math.Abs(factor[(i * n) + j]) * rowBound[j];
            }

            rowBound[i] = sum / Math.Abs(factor[(i * n) + i]);
            infinity = Math.Max(infinity, rowBound[i]);
        }

        for (int i = n - 1; i >= 0; i--)
        {
            double sum = 1;
            for (int j = i + 1; j < n; j++)
            {
                sum += Math.Abs(factor[(j * n) + i]) * columnBound[j];
            }

            columnBound[i] = sum / Math.Abs(factor[(i * n) + i]);
            one = Math.Max(one, columnBound[i]);
        }

        double expected = infinity * one;
        double actual = TriangularKernel.InverseNormBound(factor, n);
        Assert.True(Math.Abs(actual - expected) <= 1e-13 * expected, $"order {n}: {actual:R} against {expected:R}");
    }
}
