using System;
using System.Collections.Generic;
using System.Linq;
using HessianCodegen.LinearAlgebra;
using HessianCodegen.Tests.Infrastructure;
using Xunit;

namespace HessianCodegen.Tests;

/// <summary>
/// The right-looking Cholesky kernel against the row-by-row one (<see cref="CholeskyKernel.Factor"/>) and MathNet, at
/// orders below, at and across its step of rows and its tiles of four rows and 16 columns (odd ones included), at each vector
/// width of its updates (512, 256, 0: plain loops; a width this machine lacks is left out); its stop at the first pivot that is not positive,
/// leaving the matrix as it was; and the strict upper triangle never touched (the copy Bunch-Kaufman restarts from).
/// </summary>
public sealed class RightLookingCholeskyKernelTests
{
    /// <summary>Order and the updates' vector width.</summary>
    public static IEnumerable<object[]> Cases => VectorWidthCases.Runnable(1,
        (from bits in new[] { 0, 256, 512 }
         from n in new[] { 1, 2, 7, 8, 9, 12, 16, 17, 31, 72, 131 }
         select new object[] { n, bits }).ToArray());

    /// <summary>Failing row and the updates' vector width.</summary>
    public static IEnumerable<object[]> FailureCases => VectorWidthCases.Runnable(1,
        (from bits in new[] { 0, 256, 512 }
         from failing in new[] { 0, 5, 8, 40, 77 }
         select new object[] { failing, bits }).ToArray());

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesTheRowByRowKernelAndMathNet(int n, int vectorBits)
    {
        double[] matrix = RandomValues.PositiveDefiniteLowerTriangle(n, diagonalBase: n, seed: n);
        double[] factor = (double[])matrix.Clone();
        double[] reference = (double[])matrix.Clone();
        long flops = 0;
        Assert.Equal(-1, RightLookingCholeskyKernel.Factor(factor, n, new double[RightLookingCholeskyKernel.WorkLength(n)], 0, ref flops, vectorBits));
        Assert.Equal(-1, CholeskyKernel.Factor(reference, n, 0, ref flops));
        double scale = reference.Max(Math.Abs);

        // A matrix whose upper triangle mirrors the lower one, its square filled by rows (work full of NaN: the padding must be
        // set): the same factor bit for bit, the upper triangle left as it was.
        double[] mirrored = (double[])matrix.Clone();
        for (int i = 0; i < n; i++)
        {
            for (int j = i + 1; j < n; j++)
            {
                mirrored[(i * n) + j] = mirrored[(j * n) + i];
            }
        }

        double[] mirroredFactor = (double[])mirrored.Clone();
        double[] notANumber = Enumerable.Repeat(double.NaN, RightLookingCholeskyKernel.WorkLength(n)).ToArray();
        Assert.Equal(-1, RightLookingCholeskyKernel.Factor(mirroredFactor, n, notANumber, 0, ref flops, vectorBits, upperMirrorsLower: true));
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double expected = j <= i ? factor[(i * n) + j] : mirrored[(i * n) + j];
                Assert.True(mirroredFactor[(i * n) + j] == expected, $"order {n}, mirrored: entry ({i}, {j}) {mirroredFactor[(i * n) + j]:R} against {expected:R}");
            }
        }

        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double expected = j <= i ? reference[(i * n) + j] : matrix[(i * n) + j];
                Assert.True(j <= i ? Math.Abs(factor[(i * n) + j] - expected) <= 1e-13 * scale : factor[(i * n) + j] == expected,
                    $"order {n}: entry ({i}, {j}) {factor[(i * n) + j]:R} against {expected:R}");
            }
        }

        var random = new Random(n + 1);
        double[] rhs = Enumerable.Range(0, n).Select(_ => random.NextDouble() - 0.5).ToArray();
        double[] solution = (double[])rhs.Clone();
        CholeskyKernel.Solve(factor, n, solution, 1);
        double[,] dense = DenseReference.FromRowMajor(matrix, n);
        for (int i = 0; i < n; i++)
        {
            for (int j = i + 1; j < n; j++)
            {
                dense[i, j] = dense[j, i];
            }
        }

        double[] expectedSolution = DenseReference.Solve(dense, rhs);
        double difference = solution.Zip(expectedSolution, (x, y) => Math.Abs(x - y)).Max();
        Assert.True(difference <= 1e-12 * expectedSolution.Max(Math.Abs), $"order {n}: solution differs from MathNet's LU by {difference:E2}");
    }

    [Theory]
    [MemberData(nameof(FailureCases))]
    public void StopsAtTheFirstRowWhoseLeadingMinorIsNotPositiveDefiniteAndLeavesTheMatrix(int failing, int vectorBits)
    {
        // Positive definite except that the leading minor of order failing + 1 is not: row failing's pivot fails.
        const int n = 90;
        double[] matrix = RandomValues.PositiveDefiniteLowerTriangle(n, diagonalBase: n, seed: 3);
        matrix[(failing * n) + failing] -= 4.0 * n;
        double[] factor = (double[])matrix.Clone();
        double[] reference = (double[])matrix.Clone();
        long flops = 0, referenceFlops = 0;
        Assert.Equal(failing, RightLookingCholeskyKernel.Factor(factor, n, new double[RightLookingCholeskyKernel.WorkLength(n)], 1e-12, ref flops, vectorBits));
        Assert.Equal(failing, CholeskyKernel.Factor(reference, n, 1e-12, ref referenceFlops));
        Assert.Equal(matrix, factor);

        // The same with the strict upper triangle mirrored (PivotBlockFactor's call): the same failed row, the matrix left, the same count.
        double[] mirrored = (double[])matrix.Clone();
        for (int i = 0; i < n; i++)
        {
            for (int j = i + 1; j < n; j++)
            {
                mirrored[(i * n) + j] = mirrored[(j * n) + i];
            }
        }

        double[] mirroredFactor = (double[])mirrored.Clone();
        long mirroredFlops = 0;
        Assert.Equal(failing, RightLookingCholeskyKernel.Factor(mirroredFactor, n, new double[RightLookingCholeskyKernel.WorkLength(n)], 1e-12, ref mirroredFlops,
            vectorBits, upperMirrorsLower: true));
        Assert.Equal(mirrored, mirroredFactor);
        Assert.Equal(flops, mirroredFlops);

        // The work spent before the failed pivot is counted: none at row 0, else some, less than a whole factorization
        // (n (n - 1) (n + 1) / 3 in this count), and at least the finished rows' share that the row-by-row kernel counts.
        long whole = (long)n * (n - 1) * (n + 1) / 3;
        Assert.True(failing == 0 ? flops == 0 : flops >= referenceFlops && flops > 0 && flops < whole, $"{flops} flops counted (row by row {referenceFlops}, whole {whole})");
    }

    /// <summary>Order (rows of whole tiles) and the updates' vector width.</summary>
    public static IEnumerable<object[]> InPlaceCases => VectorWidthCases.Runnable(1,
        (from bits in new[] { 0, 256, 512 }
         from n in new[] { 0, 16, 32, 48, 128, 272 }
         select new object[] { n, bits }).ToArray());

    /// <summary>
    /// <see cref="RightLookingCholeskyKernel.FactorMirroredInPlace(Span{double}, int, double, ref long, int)"/> (a mirrored matrix whose
    /// rows are whole tiles, factored in itself) against the factor made in the padded square: the same lower triangle bit for bit and
    /// the same count; a pivot failing in it stops at the same row and counts the same work. Other orders are refused.
    /// </summary>
    [Theory]
    [MemberData(nameof(InPlaceCases))]
    public void InPlaceIsTheFactorMadeInTheSquare(int n, int vectorBits)
    {
        double[] mirrored = RandomValues.PositiveDefiniteLowerTriangle(n, diagonalBase: n, seed: n + 5);
        for (int i = 0; i < n; i++)
        {
            for (int j = i + 1; j < n; j++)
            {
                mirrored[(i * n) + j] = mirrored[(j * n) + i];
            }
        }

        foreach (int failing in n == 0 ? new[] { -1 } : new[] { -1, 0, n / 2, n - 1 })
        {
            double[] matrix = (double[])mirrored.Clone();
            if (failing >= 0)
            {
                matrix[(failing * n) + failing] -= 4.0 * n;
            }

            double[] inSquare = (double[])matrix.Clone();
            double[] inPlace = (double[])matrix.Clone();
            long squareFlops = 0, inPlaceFlops = 0;
            Assert.Equal(failing, RightLookingCholeskyKernel.Factor(inSquare, n, new double[RightLookingCholeskyKernel.WorkLength(n)], 1e-12, ref squareFlops,
                vectorBits, upperMirrorsLower: true));
            Assert.Equal(failing, RightLookingCholeskyKernel.FactorMirroredInPlace(inPlace, n, 1e-12, ref inPlaceFlops, vectorBits));
            Assert.Equal(squareFlops, inPlaceFlops);
            if (failing < 0)
            {
                for (int i = 0; i < n; i++)
                {
                    Assert.Equal(inSquare.AsSpan(i * n, i + 1).ToArray(), inPlace.AsSpan(i * n, i + 1).ToArray());
                }
            }
        }

        long flops = 0;
        Assert.Throws<ArgumentException>(() => RightLookingCholeskyKernel.FactorMirroredInPlace(new double[(n + 1) * (n + 1)], n + 1, 0, ref flops, vectorBits));
    }
}
