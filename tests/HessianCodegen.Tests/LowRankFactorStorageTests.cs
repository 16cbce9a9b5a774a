using System;
using System.Linq;
using HessianCodegen.Tests.Infrastructure;
using Xunit;

namespace HessianCodegen.Tests;

/// <summary>
/// The low-rank route's factors as the sweeps keep them (<see cref="LowRankPivotBlockFactor.KeptIn"/>): the groups'
/// <c>L_g</c>, QR and <c>tau</c> contiguous in the factorization's <see cref="FactorStorage"/> and a Cholesky core packed.
/// Kept in a storage poisoned beforehand (NaN values, -1 indices: a reused storage holds an earlier factorization's), they
/// solve as the factors the recursion made and as the dense <c>A = X + Dx^T P Dx</c> (MathNet's LU), at odd sizes, with a
/// positive definite core (packed) and an indefinite one (Bunch-Kaufman, kept square), and with <c>X = eps I</c> (diagonal
/// <c>L_g</c>) or <c>X = Xxx + eps I</c> block-diagonal by output (full lower-triangular <c>L_g</c>).
/// </summary>
public sealed class LowRankFactorStorageTests
{
    [Theory]
    [InlineData(11, 3, 2, true, false)]
    [InlineData(23, 5, 3, true, false)]
    [InlineData(23, 5, 3, false, false)]
    [InlineData(37, 7, 2, false, false)]
    [InlineData(23, 5, 3, true, true)]
    [InlineData(37, 7, 2, false, true)]
    public void KeptFactorsSolveAsTheRecursionsAndAsTheDenseBlock(int p, int m, int width, bool definiteCore, bool blockXxx)
    {
        var random = new Random((p * 100) + m + (definiteCore ? 1 : 0) + (blockXxx ? 7 : 0));

        // Dx: each row non-zero on a run of parameters of its own output, as a dense layer's; X = eps I (a ReLU layer's).
        const double epsilon = 0.5;
        var dx = new double[m * p];
        int run = p / m;
        for (int r = 0; r < m; r++)
        {
            for (int j = r * run; j < (r + 1) * run; j++)
            {
                dx[(r * p) + j] = random.NextDouble() - 0.5;
            }
        }

        // P symmetric: positive definite, or with a negative eigenvalue large enough to make T = I + R P R^T indefinite.
        var value = new double[m * m];
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < i; j++)
            {
                value[(i * m) + j] = value[(j * m) + i] = 0.1 * (random.NextDouble() - 0.5);
            }

            value[(i * m) + i] = definiteCore || i > 0 ? 1 + random.NextDouble() : -40;
        }

        // Xxx, when wanted: per output's run of parameters a positive semidefinite block 0.3 v v^T + 0.2 w w^T, zero elsewhere.
        double[] xxx = blockXxx ? new double[p * p] : [];
        for (int r = 0; r < m && blockXxx; r++)
        {
            double[] v = Enumerable.Range(0, run).Select(_ => random.NextDouble() - 0.5).ToArray();
            double[] w = Enumerable.Range(0, run).Select(_ => random.NextDouble() - 0.5).ToArray();
            for (int i = 0; i < run; i++)
            {
                for (int j = 0; j < run; j++)
                {
                    xxx[(((r * run) + i) * p) + (r * run) + j] = (0.3 * v[i] * v[j]) + (0.2 * w[i] * w[j]);
                }
            }
        }

        long flops = 0;
        LowRankPivotBlockFactor factor = LowRankPivotBlockFactor.Create(xxx, epsilon, dx, value, p, m, new double[m * m], 1.0, ref flops)
            ?? throw new InvalidOperationException("the route declined");
        Assert.Equal(definiteCore, factor.IsPositiveDefinite);

        var storage = new FactorStorage(0);
        Memory<double> poisoned = storage.Take(FactorStorage.MinimumAddedValues);
        poisoned.Span.Fill(double.NaN);
        storage.TakeIndices(FactorStorage.MinimumAddedValues).Span.Fill(-1);
        storage.Reset();
        LowRankPivotBlockFactor kept = factor.KeptIn(storage);
        Assert.Equal(factor.Inertia, kept.Inertia);
        Assert.Equal(factor.LogDeterminant, kept.LogDeterminant);
        Assert.Equal(factor.IsPositiveDefinite, kept.IsPositiveDefinite);

        double[] rhs = Enumerable.Range(0, p * width).Select(_ => random.NextDouble() - 0.5).ToArray();
        double[] fromRecursion = (double[])rhs.Clone();
        double[] fromKept = (double[])rhs.Clone();
        factor.Solve(fromRecursion, width);
        kept.Solve(fromKept, width);

        // A = eps I + Dx^T P Dx, dense.
        var a = new double[p, p];
        for (int i = 0; i < p; i++)
        {
            a[i, i] = epsilon;
            for (int j = 0; j < p; j++)
            {
                a[i, j] += blockXxx ? xxx[(i * p) + j] : 0;
                for (int r = 0; r < m; r++)
                {
                    for (int s = 0; s < m; s++)
                    {
                        a[i, j] += dx[(r * p) + i] * value[(r * m) + s] * dx[(s * p) + j];
                    }
                }
            }
        }

        for (int c = 0; c < width; c++)
        {
            double[] expected = DenseReference.Solve(a, Enumerable.Range(0, p).Select(i => rhs[(i * width) + c]).ToArray());
            double scale = expected.Max(Math.Abs);
            for (int i = 0; i < p; i++)
            {
                double keptValue = fromKept[(i * width) + c];
                Assert.True(Math.Abs(keptValue - expected[i]) <= 1e-12 * scale,
                    $"p {p}, m {m}, column {c}: kept x({i}) = {keptValue:R}, MathNet's LU {expected[i]:R}");
                Assert.True(Math.Abs(keptValue - fromRecursion[(i * width) + c]) <= 1e-12 * scale,
                    $"p {p}, m {m}, column {c}: kept x({i}) = {keptValue:R}, the recursion's factors {fromRecursion[(i * width) + c]:R}");
            }
        }
    }
}
