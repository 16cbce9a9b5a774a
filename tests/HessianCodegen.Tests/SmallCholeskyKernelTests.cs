using System;
using System.Collections.Generic;
using System.Linq;
using HessianCodegen.LinearAlgebra;
using HessianCodegen.Tests.Infrastructure;
using Xunit;

namespace HessianCodegen.Tests;

/// <summary>
/// The small Cholesky kernel of the low-rank route's groups against the textbook Cholesky-Banachiewicz loop, at odd orders
/// up to its limit and at each vector width; its strict upper triangle never touched; and its stop at the first pivot that is not positive.
/// </summary>
public sealed class SmallCholeskyKernelTests
{
    /// <summary>Order and the updates' vector width (512, 256, 0: plain loops); a width this machine lacks is left out.</summary>
    public static IEnumerable<object[]> Cases => VectorWidthCases.Runnable(1,
        (from bits in new[] { 0, 256, 512 }
         from n in new[] { 1, 2, 5, 9, 17, SmallCholeskyKernel.Limit }
         select new object[] { n, bits }).ToArray());

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesTheTextbookLoopAndLeavesTheUpperTriangle(int n, int vectorBits)
    {
        double[] matrix = RandomValues.PositiveDefiniteLowerTriangle(n, diagonalBase: (n / 2.0) + 1, seed: n);
        double[] factor = (double[])matrix.Clone();
        long flops = 0;
        Assert.Equal(-1, SmallCholeskyKernel.Factor(factor, n, 0, ref flops, vectorBits));
        Assert.Equal((long)n * (n - 1) * (n + 1) / 3, flops);

        // L row by row: L_ij = (A_ij - sum_k<j L_ik L_jk) / L_jj, L_ii = sqrt(A_ii - sum_k<i L_ik^2).
        var reference = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j <= i; j++)
            {
                double sum = matrix[(i * n) + j];
                for (int k = 0; k < j; k++)
                {
                    sum -= reference[(i * n) + k] * reference[(j * n) + k];
                }

                reference[(i * n) + j] = i == j ? Math.Sqrt(sum) : sum / reference[(j * n) + j];
            }
        }

        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double actual = factor[(i * n) + j];
                double expected = j <= i ? reference[(i * n) + j] : matrix[(i * n) + j];
                Assert.True(j <= i ? Math.Abs(actual - expected) <= 1e-14 * Math.Sqrt(n) : actual == expected,
                    $"order {n}: entry ({i}, {j}) {actual:R} against {expected:R}");
            }
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    [InlineData(16)]
    public void StopsAtTheFirstRowWhoseLeadingMinorIsNotPositiveDefinite(int failing)
    {
        const int n = 17;
        double[] matrix = RandomValues.PositiveDefiniteLowerTriangle(n, diagonalBase: (n / 2.0) + 1, seed: 5);
        matrix[(failing * n) + failing] -= 4.0 * n;
        long flops = 0;
        Assert.Equal(failing, SmallCholeskyKernel.Factor(matrix, n, 1e-12, ref flops));

        // A pivot at most tinyPivot fails as well: the leading minor of order 1 is its entry.
        double[] one = [0.5];
        Assert.Equal(0, SmallCholeskyKernel.Factor(one, 1, 0.5, ref flops));
        Assert.Equal(0, SmallCholeskyKernel.Factor([double.NaN], 1, 0, ref flops));
    }
}
