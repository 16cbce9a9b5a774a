using System;
using System.Linq;
using HessianCodegen.LinearAlgebra;
using HessianCodegen.Tests.Infrastructure;
using Xunit;

namespace HessianCodegen.Tests;

/// <summary>
/// The blocked Cholesky kernel (<c>dpotrf</c>) against the unblocked one and against MathNet, at orders that
/// cross the panel width (odd ones included), and its stop at the first row that is not positive.
/// </summary>
public sealed class BlockedCholeskyKernelTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(9, 2)]
    [InlineData(17, 3)]
    [InlineData(70, 8)]
    [InlineData(131, 16)]
    [InlineData(157, BlockedCholeskyKernel.DefaultBlockSize)]
    [InlineData(300, BlockedCholeskyKernel.DefaultBlockSize)]
    public void MatchesTheUnblockedKernelAndMathNet(int n, int blockSize)
    {
        double[] matrix = RandomPositiveDefinite(n, seed: n);
        double[] blocked = (double[])matrix.Clone();
        double[] unblocked = (double[])matrix.Clone();
        long flops = 0;
        Assert.Equal(-1, BlockedCholeskyKernel.Factor(blocked, n, new double[BlockedCholeskyKernel.WorkLength(n, blockSize)], 0, ref flops, blockSize));
        Assert.Equal(-1, CholeskyKernel.Factor(unblocked, n, 0, ref flops));
        double scale = unblocked.Max(Math.Abs);
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j <= i; j++)
            {
                Assert.True(Math.Abs(blocked[(i * n) + j] - unblocked[(i * n) + j]) <= 1e-13 * scale,
                    $"order {n}, panel {blockSize}: L({i}, {j}) {blocked[(i * n) + j]:R} against {unblocked[(i * n) + j]:R}");
            }
        }

        var random = new Random(n + 1);
        double[] rhs = Enumerable.Range(0, n).Select(_ => random.NextDouble() - 0.5).ToArray();
        double[] solution = (double[])rhs.Clone();
        CholeskyKernel.Solve(blocked, n, solution, 1);
        double[,] dense = DenseReference.FromRowMajor(matrix, n);

        double[] expected = DenseReference.Solve(dense, rhs);
        double difference = solution.Zip(expected, (x, y) => Math.Abs(x - y)).Max();
        Assert.True(difference <= 1e-12 * expected.Max(Math.Abs), $"order {n}, panel {blockSize}: solution differs from MathNet's LU by {difference:E2}");
    }

    [Theory]
    [InlineData(1, 3)]
    [InlineData(23, 5)]
    [InlineData(24, 17)]
    [InlineData(49, 8)]
    [InlineData(72, 130)]
    [InlineData(30, 200)]
    [InlineData(30, 201)]
    [InlineData(25, 512)]
    public void SolvesManyRightHandSidesLikeMathNet(int n, int width)
    {
        double[] matrix = RandomPositiveDefinite(n, seed: n + width);
        double[] factor = (double[])matrix.Clone();
        long flops = 0;
        Assert.Equal(-1, CholeskyKernel.Factor(factor, n, 0, ref flops));
        var random = new Random(width);
        double[] rows = Enumerable.Range(0, n * width).Select(_ => random.NextDouble() - 0.5).ToArray();
        double[] solutions = (double[])rows.Clone();
        CholeskyKernel.Solve(factor, n, solutions, width);
        double[,] dense = DenseReference.FromRowMajor(matrix, n);

        for (int c = 0; c < width; c++)
        {
            double[] expected = DenseReference.Solve(dense, Enumerable.Range(0, n).Select(i => rows[(i * width) + c]).ToArray());
            for (int i = 0; i < n; i++)
            {
                Assert.True(Math.Abs(solutions[(i * width) + c] - expected[i]) <= 1e-12 * expected.Max(Math.Abs),
                    $"order {n}, column {c} of {width}: x({i}) = {solutions[(i * width) + c]:R}, MathNet's LU {expected[i]:R}");
            }
        }
    }

    [Theory]
    [InlineData(5)]
    [InlineData(40)]
    [InlineData(77)]
    public void StopsAtTheFirstRowWhoseLeadingMinorIsNotPositiveDefinite(int failing)
    {
        // Positive definite except that the leading minor of order failing + 1 is not: row failing's pivot fails.
        const int n = 90;
        double[] matrix = RandomPositiveDefinite(n, seed: 3);
        double[] unblocked = (double[])matrix.Clone();
        matrix[(failing * n) + failing] -= 4.0 * n;
        unblocked[(failing * n) + failing] -= 4.0 * n;
        long flops = 0;
        Assert.Equal(failing, BlockedCholeskyKernel.Factor(matrix, n, new double[BlockedCholeskyKernel.WorkLength(n, 16)], 1e-12, ref flops, 16));
        Assert.Equal(failing, CholeskyKernel.Factor(unblocked, n, 1e-12, ref flops));
    }

    private static double[] RandomPositiveDefinite(int n, int seed)
    {
        var random = new Random(seed);
        var a = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < i; j++)
            {
                a[(i * n) + j] = a[(j * n) + i] = random.NextDouble() - 0.5;
            }

            a[(i * n) + i] = n + random.NextDouble();
        }

        return a;
    }
}
