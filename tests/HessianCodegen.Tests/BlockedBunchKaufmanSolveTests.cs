using System;
using System.Linq;
using HessianCodegen.LinearAlgebra;
using Xunit;

namespace HessianCodegen.Tests;

/// <summary>
/// The blocked Bunch-Kaufman solve (<c>dsyconv</c> + <c>dsytrs2</c>) against the unblocked one (<c>dsytrs</c>) on the
/// same factors, at orders on both sides of its 24-row blocks and on matrices with small diagonals, which take 2x2
/// pivots and interchanges: each column's backward error at round-off, and the two solutions agreeing.
/// </summary>
public sealed class BlockedBunchKaufmanSolveTests
{
    [Theory]
    [InlineData(1, 16)]
    [InlineData(2, 17)]
    [InlineData(23, 16)]
    [InlineData(24, 40)]
    [InlineData(25, 16)]
    [InlineData(49, 33)]
    [InlineData(131, 130)]
    public void MatchesTheUnblockedSolve(int n, int width)
    {
        foreach (double diagonal in new[] { 0.0, 0.05, 3.0 })
        {
            var random = new Random(n + width + (int)(100 * diagonal));
            var a = new double[n * n];
            for (int i = 0; i < n; i++)
            {
                for (int j = 0; j < i; j++)
                {
                    a[(i * n) + j] = a[(j * n) + i] = random.NextDouble() - 0.5;
                }

                a[(i * n) + i] = n == 1 ? 1 : diagonal * (random.NextDouble() - 0.5);
            }

            double[] factor = (double[])a.Clone();
            var pivots = new int[n];
            long flops = 0;
            Assert.Equal(-1, BlockedBunchKaufmanKernel.Factor(factor, n, pivots, new double[BlockedBunchKaufmanKernel.WorkLength(n)], 0, ref flops));
            double[] b = Enumerable.Range(0, n * width).Select(_ => random.NextDouble() - 0.5).ToArray();
            double[] blocked = (double[])b.Clone();
            double[] unblocked = (double[])b.Clone();
            BlockedBunchKaufmanSolve.Solve(factor, n, pivots, blocked, width);
            BunchKaufmanKernel.Solve(factor, n, pivots, unblocked, width);

            double norm = a.Max(Math.Abs) * n;
            for (int c = 0; c < width; c++)
            {
                double solutionNorm = 0, bNorm = 0, residual = 0, difference = 0;
                for (int i = 0; i < n; i++)
                {
                    double product = 0;
                    for (int j = 0; j < n; j++)
                    {
                        product += a[(i * n) + j] * blocked[(j * width) + c];
                    }

                    residual = Math.Max(residual, Math.Abs(product - b[(i * width) + c]));
                    solutionNorm = Math.Max(solutionNorm, Math.Abs(unblocked[(i * width) + c]));
                    bNorm = Math.Max(bNorm, Math.Abs(b[(i * width) + c]));
                    difference = Math.Max(difference, Math.Abs(blocked[(i * width) + c] - unblocked[(i * width) + c]));
                }

                double backwardError = residual / ((norm * solutionNorm) + bNorm);
                string where = $"order {n}, width {width}, diagonal {diagonal}, column {c}";
                Assert.True(backwardError <= 1e-14, $"{where}: backward error {backwardError:E2}");
                Assert.True(difference <= 1e-8 * solutionNorm, $"{where}: differs from the unblocked solve by {difference:E2} of {solutionNorm:E2}");
            }
        }
    }
}
