using System;
using System.Linq;
using HessianCodegen.LinearAlgebra;
using HessianCodegen.Tests.Infrastructure;
using Xunit;

namespace HessianCodegen.Tests;

/// <summary>
/// The blocked Bunch-Kaufman kernel (<c>dsytrf</c> with <c>dlasyf</c>) against the unblocked one (<c>dsytf2</c>)
/// and against MathNet: the same pivots and factors to round-off, solves to round-off, and the inertia of
/// the dense eigenvalues, at orders that cross the panel width (odd ones included) and on matrices with
/// small diagonals, which take 2x2 pivots and interchanges.
/// </summary>
public sealed class BlockedBunchKaufmanKernelTests
{
    [Theory]
    [InlineData(2, 2)]
    [InlineData(9, 2)]
    [InlineData(17, 3)]
    [InlineData(33, 4)]
    [InlineData(70, 8)]
    [InlineData(131, 16)]
    [InlineData(157, BlockedBunchKaufmanKernel.DefaultBlockSize)]
    [InlineData(300, BlockedBunchKaufmanKernel.DefaultBlockSize)]
    public void MatchesTheUnblockedKernelAndMathNet(int n, int blockSize)
    {
        foreach (double diagonal in new[] { 0.0, 0.05, 3.0 })
        {
            double[] matrix = RandomValues.Symmetric(n, diagonal, seed: n + (int)(100 * diagonal));
            double[] blocked = (double[])matrix.Clone();
            double[] unblocked = (double[])matrix.Clone();
            var blockedPivots = new int[n];
            var unblockedPivots = new int[n];
            long flops = 0;
            Assert.Equal(-1, BlockedBunchKaufmanKernel.Factor(blocked, n, blockedPivots,
                new double[BlockedBunchKaufmanKernel.WorkLength(n, blockSize)], 0, ref flops, blockSize));
            Assert.Equal(-1, BunchKaufmanKernel.Factor(unblocked, n, unblockedPivots, new double[2 * n], 0, ref flops));

            Assert.Equal(unblockedPivots, blockedPivots);
            double scale = unblocked.Max(Math.Abs);
            for (int i = 0; i < n; i++)
            {
                for (int j = 0; j <= i; j++)
                {
                    Assert.True(Math.Abs(blocked[(i * n) + j] - unblocked[(i * n) + j]) <= 1e-12 * scale,
                        $"order {n}, panel {blockSize}, diagonal {diagonal}: factor entry ({i}, {j}) {blocked[(i * n) + j]:R} against {unblocked[(i * n) + j]:R}");
                }
            }

            AssertSolvesAndCounts(matrix, n, blocked, blockedPivots, $"order {n}, panel {blockSize}, diagonal {diagonal}");
        }
    }

    [Fact]
    public void TheTestMatricesTakeInterchangesAndTwoByTwoPivotsAcrossPanels()
    {
        const int n = 131;
        double[] matrix = RandomValues.Symmetric(n, 0.0, seed: n);
        var pivots = new int[n];
        long flops = 0;
        Assert.Equal(-1, BlockedBunchKaufmanKernel.Factor(matrix, n, pivots, new double[BlockedBunchKaufmanKernel.WorkLength(n, 16)], 0, ref flops, 16));
        Assert.Contains(pivots.Take(100), pivot => pivot < 0);
        Assert.Contains(pivots.Select((pivot, k) => (pivot, k)).Take(100), entry => entry.pivot >= 0 && entry.pivot != entry.k);
    }

    [Fact]
    public void ASingularMatrixStopsAtTheColumnThatHasNoPivot()
    {
        // Rank 2 of order 80: after two columns nothing is left to pivot on.
        const int n = 80;
        var matrix = new double[n * n];
        var random = new Random(5);
        double[] u = Enumerable.Range(0, n).Select(_ => random.NextDouble() - 0.5).ToArray();
        double[] v = Enumerable.Range(0, n).Select(_ => random.NextDouble() - 0.5).ToArray();
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                matrix[(i * n) + j] = (u[i] * u[j]) - (v[i] * v[j]);
            }
        }

        long flops = 0;
        int failed = BlockedBunchKaufmanKernel.Factor(matrix, n, new int[n], new double[BlockedBunchKaufmanKernel.WorkLength(n, 8)], 1e-12, ref flops, 8);
        Assert.Equal(2, failed);
    }

    private static void AssertSolvesAndCounts(double[] matrix, int n, double[] factor, int[] pivots, string label)
    {
        var random = new Random(n);
        double[] rhs = Enumerable.Range(0, n).Select(_ => random.NextDouble() - 0.5).ToArray();
        double[] solution = (double[])rhs.Clone();
        BunchKaufmanKernel.Solve(factor, n, pivots, solution, 1);
        double[,] dense = DenseReference.FromRowMajor(matrix, n);

        double[] expected = DenseReference.Solve(dense, rhs);
        double difference = solution.Zip(expected, (x, y) => Math.Abs(x - y)).Max();
        Assert.True(difference <= 1e-9 * expected.Max(Math.Abs), $"{label}: solution differs from MathNet's LU by {difference:E2}");

        double residual = 0;
        for (int i = 0; i < n; i++)
        {
            double sum = -rhs[i];
            for (int j = 0; j < n; j++)
            {
                sum += matrix[(i * n) + j] * solution[j];
            }

            residual = Math.Max(residual, Math.Abs(sum));
        }

        double backward = residual / ((matrix.Max(Math.Abs) * n * solution.Max(Math.Abs)) + rhs.Max(Math.Abs));
        Assert.True(backward <= 1e-14, $"{label}: backward error {backward:E2}");

        double[] eigenvalues = DenseReference.SymmetricEigenvalues(dense);
        (int positive, int negative, _, _) = BunchKaufmanKernel.Inertia(factor, n, pivots);
        Assert.Equal(eigenvalues.Count(value => value > 0), positive);
        Assert.Equal(eigenvalues.Count(value => value < 0), negative);
    }
}
