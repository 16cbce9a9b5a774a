using System;
using System.Linq;
using HessianCodegen.Tests.Infrastructure;
using Xunit;

namespace HessianCodegen.Tests;

/// <summary>
/// The low-rank route's factors as the sweeps keep them (<see cref="LowRankPivotBlockFactor.KeptIn"/>): the groups'
/// <c>L_g</c>, QR and <c>tau</c> contiguous in the factorization's <see cref="FactorStorage"/>, a Cholesky core packed and a
/// Bunch-Kaufman one square with its pivots.
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

        const double epsilon = 0.5;
        (double[] dx, double[] value, double[] xxx) = Problem(random, p, m, definiteCore, blockXxx);

        long flops = 0;
        LowRankPivotBlockFactor factor = LowRankPivotBlockFactor.Create(xxx, epsilon, dx, value, p, m, new double[m * m], 1.0, ref flops)
            ?? throw new InvalidOperationException("the route declined");
        Assert.Equal(definiteCore, factor.IsPositiveDefinite);

        LowRankPivotBlockFactor kept = factor.KeptIn(PoisonedStorage());
        Assert.Equal(factor.Inertia, kept.Inertia);
        Assert.Equal(factor.LogDeterminant, kept.LogDeterminant);
        Assert.Equal(factor.IsPositiveDefinite, kept.IsPositiveDefinite);

        double[] rhs = Enumerable.Range(0, p * width).Select(_ => random.NextDouble() - 0.5).ToArray();
        double[] fromRecursion = (double[])rhs.Clone();
        double[] fromKept = (double[])rhs.Clone();
        factor.Solve(fromRecursion, width);
        kept.Solve(fromKept, width);

        double[,] a = DenseBlock(dx, value, xxx, epsilon, p, m);
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

    /// <summary>
    /// The recursion makes every layer's factor in one <see cref="LowRankWorkspace"/> and keeps each before the next is made:
    /// a kept factor reads none of the workspace, so it still solves as the dense block (MathNet's LU) after the same workspace
    /// made a factor of another block over it, a larger one, a smaller one or one of the same shape (whose core of the same
    /// order is formed in the workspace's very square the first core was factored in), with a Cholesky core (packed) and an
    /// indefinite one. The workspace first grows for a still larger block (as for an earlier, wider layer), so that both are written in
    /// place over the kept factor's values.
    /// </summary>
    [Theory]
    [InlineData(23, 5, 37, 7, true)]
    [InlineData(23, 5, 11, 3, true)]
    [InlineData(23, 5, 37, 7, false)]
    [InlineData(23, 5, 11, 3, false)]
    [InlineData(23, 5, 23, 5, true)]
    [InlineData(23, 5, 23, 5, false)]
    public void KeptFactorSolvesAfterItsWorkspaceMadeAnother(int p, int m, int nextP, int nextM, bool definiteCore)
    {
        var random = new Random((p * 100) + nextP + (definiteCore ? 1 : 0));
        const double epsilon = 0.5;
        const int width = 2;
        var workspace = new LowRankWorkspace();
        (double[] largestDx, double[] largestValue, double[] largestXxx) = Problem(random, 41, 8, definiteCore: true, blockXxx: true);
        Create(largestDx, largestValue, largestXxx, epsilon, 41, 8, workspace);
        (double[] dx, double[] value, double[] xxx) = Problem(random, p, m, definiteCore, blockXxx: true);
        LowRankPivotBlockFactor factor = Create(dx, value, xxx, epsilon, p, m, workspace);
        Assert.Equal(definiteCore, factor.IsPositiveDefinite);
        LowRankPivotBlockFactor kept = factor.KeptIn(PoisonedStorage());

        (double[] nextDx, double[] nextValue, double[] nextXxx) = Problem(random, nextP, nextM, !definiteCore, blockXxx: true);
        Create(nextDx, nextValue, nextXxx, epsilon, nextP, nextM, workspace);

        double[] rhs = Enumerable.Range(0, p * width).Select(_ => random.NextDouble() - 0.5).ToArray();
        double[] solved = (double[])rhs.Clone();
        kept.Solve(solved, width);
        double[,] a = DenseBlock(dx, value, xxx, epsilon, p, m);
        for (int c = 0; c < width; c++)
        {
            double[] expected = DenseReference.Solve(a, Enumerable.Range(0, p).Select(i => rhs[(i * width) + c]).ToArray());
            double scale = expected.Max(Math.Abs);
            for (int i = 0; i < p; i++)
            {
                Assert.True(Math.Abs(solved[(i * width) + c] - expected[i]) <= 1e-12 * scale,
                    $"p {p}, m {m}, then p {nextP}, m {nextM}, column {c}: kept x({i}) = {solved[(i * width) + c]:R}, MathNet's LU {expected[i]:R}");
            }
        }
    }

    private static LowRankPivotBlockFactor Create(double[] dx, double[] value, double[] xxx, double epsilon, int p, int m, LowRankWorkspace workspace)
    {
        long flops = 0;
        return LowRankPivotBlockFactor.Create(ParameterGroups.Find(xxx, dx, p, m), xxx, epsilon, dx, value, p, m, new double[m * m], 1.0, ref flops,
                workspace)
            ?? throw new InvalidOperationException("the route declined");
    }

    /// <summary>A storage whose values are NaN and indices -1 where it will be taken: a reused storage holds an earlier factorization's.</summary>
    internal static FactorStorage PoisonedStorage()
    {
        var storage = new FactorStorage(0);
        storage.Take(FactorStorage.MinimumAddedValues).Span.Fill(double.NaN);
        storage.TakeIndices(FactorStorage.MinimumAddedValues).Span.Fill(-1);
        storage.Reset();
        return storage;
    }

    /// <summary><c>Dx</c>, <c>P</c> and <c>Xxx</c> (empty unless <paramref name="blockXxx"/>) of a dense layer's block.</summary>
    private static (double[] Dx, double[] Value, double[] Xxx) Problem(Random random, int p, int m, bool definiteCore, bool blockXxx)
    {
        // Dx: each row non-zero on a run of parameters of its own output, as a dense layer's; X = eps I (a ReLU layer's).
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
        double[] value = RandomValues.SymmetricState(random, m, negativeDiagonal: definiteCore ? -1 : 0);

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

        return (dx, value, xxx);
    }

    /// <summary><c>A = X + Dx^T P Dx</c>, dense, <c>X = Xxx + eps I</c>.</summary>
    private static double[,] DenseBlock(double[] dx, double[] value, double[] xxx, double epsilon, int p, int m)
    {
        var a = new double[p, p];
        for (int i = 0; i < p; i++)
        {
            a[i, i] = epsilon;
            for (int j = 0; j < p; j++)
            {
                a[i, j] += xxx.Length > 0 ? xxx[(i * p) + j] : 0;
                for (int r = 0; r < m; r++)
                {
                    for (int s = 0; s < m; s++)
                    {
                        a[i, j] += dx[(r * p) + i] * value[(r * m) + s] * dx[(s * p) + j];
                    }
                }
            }
        }

        return a;
    }
}
