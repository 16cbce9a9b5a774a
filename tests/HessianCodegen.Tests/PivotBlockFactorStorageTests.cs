using System;
using System.Linq;
using HessianCodegen.Tests.Infrastructure;
using Xunit;

namespace HessianCodegen.Tests;

/// <summary>
/// A Bunch-Kaufman factor as the sweeps keep it (<see cref="PivotBlockFactor.KeptIn"/>): its square and pivots copied into
/// the factorization's <see cref="FactorStorage"/>, so that the recursion reuses the square it was factored in for the next
/// layer. Kept in a storage poisoned beforehand (NaN values, -1 indices), it still solves as the dense block (MathNet's LU)
/// once that square is overwritten with NaN; factored unblocked, right-looking past <see cref="PivotBlockFactor.UnblockedBunchKaufmanLimit"/>
/// and blocked past <see cref="PivotBlockFactor.RightLookingLimit"/>.
/// </summary>
public sealed class PivotBlockFactorStorageTests
{
    [Theory]
    [InlineData(7, 2)]
    [InlineData(45, 3)]
    [InlineData(100, 1)]
    [InlineData(PivotBlockFactor.UnblockedBunchKaufmanLimit + 32, 2)]
    [InlineData(PivotBlockFactor.UnblockedBunchKaufmanLimit + 23, 17)]
    [InlineData(PivotBlockFactor.RightLookingLimit + 8, 2)]
    public void KeptFactorSolvesAfterItsSquareIsOverwritten(int order, int width)
    {
        var random = new Random(order);

        // Symmetric and indefinite: random entries, the first half of the diagonal large positive, the rest large negative.
        var a = new double[order, order];
        var block = new double[order * order];
        for (int i = 0; i < order; i++)
        {
            for (int j = 0; j < i; j++)
            {
                a[i, j] = a[j, i] = random.NextDouble() - 0.5;
            }

            a[i, i] = (i < order / 2 ? 1 : -1) * (order + random.NextDouble());
        }

        for (int i = 0; i < order; i++)
        {
            for (int j = 0; j < order; j++)
            {
                block[(i * order) + j] = a[i, j];
            }
        }

        long flops = 0;
        PivotBlockFactor factor = PivotBlockFactor.Create(block, order, new double[PivotBlockFactor.WorkLength(order)], 1e-300, ref flops)
            ?? throw new InvalidOperationException("the block was judged singular");
        Assert.False(factor.IsPositiveDefinite);

        var storage = new FactorStorage(0);
        storage.Take(FactorStorage.MinimumAddedValues).Span.Fill(double.NaN);
        storage.TakeIndices(FactorStorage.MinimumAddedValues).Span.Fill(-1);
        storage.Reset();
        PivotBlockFactor kept = factor.KeptIn(storage);
        Assert.Equal(factor.Inertia, kept.Inertia);
        Assert.Equal(factor.LogDeterminant, kept.LogDeterminant);

        // The recursion's next layer is formed in the square.
        block.AsSpan().Fill(double.NaN);

        double[] rhs = Enumerable.Range(0, order * width).Select(_ => random.NextDouble() - 0.5).ToArray();
        double[] solved = (double[])rhs.Clone();
        kept.Solve(solved, width);
        for (int c = 0; c < width; c++)
        {
            double[] expected = DenseReference.Solve(a, Enumerable.Range(0, order).Select(i => rhs[(i * width) + c]).ToArray());
            double scale = expected.Max(Math.Abs);
            for (int i = 0; i < order; i++)
            {
                Assert.True(Math.Abs(solved[(i * width) + c] - expected[i]) <= 1e-12 * scale,
                    $"order {order}, column {c}: kept x({i}) = {solved[(i * width) + c]:R}, MathNet's LU {expected[i]:R}");
            }
        }
    }
}
