using System;
using System.Linq;
using HessianCodegen.Tests.Infrastructure;
using Xunit;

namespace HessianCodegen.Tests;

/// <summary>
/// <see cref="PivotBlockFactor.Create"/> on a block whose diagonal is positive but which is indefinite only in its last rows, so
/// that Cholesky runs to near the end before it fails and Bunch-Kaufman must restart from the block as it was given: right-looking
/// Cholesky (which leaves a failed block as it was) and Bunch-Kaufman, unblocked and right-looking (in place at a multiple of 16),
/// and past <see cref="PivotBlockFactor.RightLookingLimit"/> the blocked kernels (whose failed attempt's lower triangle is
/// restored from the upper one). The factor solves as MathNet's LU does, its inertia is the eigenvalues' count and its
/// log-determinant the dense one's.
/// </summary>
public sealed class PivotBlockFactorRestartTests
{
    [Theory]
    [InlineData(40)]
    [InlineData(PivotBlockFactor.UnblockedBunchKaufmanLimit + 16)]
    [InlineData(PivotBlockFactor.UnblockedBunchKaufmanLimit + 21)]
    [InlineData(PivotBlockFactor.RightLookingLimit + 10)]
    public void BunchKaufmanAfterAFailedCholeskyFactorsTheBlockAsGiven(int order)
    {
        var random = new Random(order);
        var a = new double[order, order];
        for (int i = 0; i < order; i++)
        {
            for (int j = 0; j < i; j++)
            {
                a[i, j] = a[j, i] = random.NextDouble() - 0.5;
            }

            // Diagonally dominant but for the last three rows, whose small positive diagonal leaves a negative Schur complement.
            a[i, i] = i < order - 3 ? order : 0.01;
        }

        double[] block = new double[order * order];
        for (int i = 0; i < order; i++)
        {
            for (int j = 0; j < order; j++)
            {
                // Only the lower triangle is read: the upper one holds a mark.
                block[(i * order) + j] = j <= i ? a[i, j] : 7.0;
            }
        }

        long flops = 0;
        PivotBlockFactor factor = PivotBlockFactor.Create(block, order, new double[PivotBlockFactor.WorkLength(order)], 1e-300, ref flops)
            ?? throw new InvalidOperationException("the block was judged singular");
        Assert.False(factor.IsPositiveDefinite);

        // The failed Cholesky ran to near the end and its flops are counted: half again Bunch-Kaufman's own p^3 / 3 and more.
        Assert.True(flops > (long)order * order * order / 2, $"order {order}: {flops} flops, the Cholesky attempt not counted or not run");

        double[] eigenvalues = DenseReference.SymmetricEigenvalues(a);
        Assert.Equal(eigenvalues.Count(value => value > 0), factor.Inertia.Positive);
        Assert.Equal(eigenvalues.Count(value => value < 0), factor.Inertia.Negative);
        (double logAbsolute, int sign) = DenseReference.LogDeterminant(a);
        Assert.Equal(sign, factor.LogDeterminant.Sign);
        Assert.True(Math.Abs(factor.LogDeterminant.LogAbsoluteValue - logAbsolute) <= 1e-10 * Math.Abs(logAbsolute),
            $"order {order}: log |det| {factor.LogDeterminant.LogAbsoluteValue:R} against {logAbsolute:R}");

        double[] rhs = Enumerable.Range(0, order).Select(_ => random.NextDouble() - 0.5).ToArray();
        double[] solved = (double[])rhs.Clone();
        factor.Solve(solved, 1);
        double[] expected = DenseReference.Solve(a, rhs);
        double scale = expected.Max(Math.Abs);
        for (int i = 0; i < order; i++)
        {
            Assert.True(Math.Abs(solved[i] - expected[i]) <= 1e-10 * scale, $"order {order}: x({i}) = {solved[i]:R}, MathNet's LU {expected[i]:R}");
        }
    }
}
