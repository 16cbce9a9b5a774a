using System;
using System.Threading;
using System.Threading.Tasks;
using HessianCodegen.LinearAlgebra;
using Xunit;

namespace HessianCodegen.Tests;

/// <summary>
/// <see cref="TwoCoreCouplingUpdate"/> against the steps it joins, run one after the other on one thread (the whole half solve,
/// <c>M^-1 Y</c>, the packed <c>Y^T</c>, the whole upper update and the mirror): the same <c>Y</c>, <c>M^-1 Y</c>, packed <c>Y^T</c>
/// and <c>P</c> to the bit, with a Cholesky factor, a Bunch-Kaufman one with 2x2 pivots and interchanges, and a low-rank one with an
/// indefinite core, at even and odd orders, with a worker and with this thread taking every piece (a worker that comes late); a piece
/// whose solve throws ends the fork with its exception, not a hang, and the worker runs the next step.
/// </summary>
public sealed class TwoCoreCouplingUpdateTests
{
    public enum Factoring
    {
        /// <summary>A diagonally dominant block's Cholesky factor (no middle).</summary>
        Cholesky,

        /// <summary>A Bunch-Kaufman factor of a block with small diagonals: 2x2 pivots and interchanges.</summary>
        BunchKaufman,

        /// <summary>The low-rank route's factor with an indefinite (Bunch-Kaufman) core.</summary>
        LowRankIndefiniteCore,
    }

    [Theory]
    [InlineData(72, 512, Factoring.Cholesky)]
    [InlineData(24, 512, Factoring.BunchKaufman)]
    [InlineData(16, 528, Factoring.BunchKaufman)]
    [InlineData(24, 515, Factoring.BunchKaufman)]
    [InlineData(72, 517, Factoring.Cholesky)]
    [InlineData(37, 517, Factoring.LowRankIndefiniteCore)]
    public void Writes_what_the_steps_one_after_the_other_write(int p, int order, Factoring factoring)
    {
        var random = new Random((p * 1000) + order);
        IPivotBlockFactor factor = Factor(random, p, factoring);
        int firstHalf = order / 2 / 16 * 16;
        Assert.True(TwoCoreCouplingUpdate.Takes(p, order, firstHalf));
        double[] coupling = Uniform(random, p * order);
        double[] value = Uniform(random, order * order);
        for (int i = 0; i < order; i++)
        {
            for (int j = 0; j < i; j++)
            {
                value[(i * order) + j] = double.NaN; // the mirror writes the lower triangle
            }
        }

        double[] expectedY = (double[])coupling.Clone();
        double[] expectedValue = (double[])value.Clone();
        factor.SolveLowerHalf(expectedY, order);
        double[] expectedRight = expectedY;
        if (!factor.MiddleIsIdentity)
        {
            expectedRight = (double[])expectedY.Clone();
            factor.SolveMiddle(expectedRight, order);
        }

        var expectedPacked = new double[PackedUpperUpdate.PackedLength(order, p)];
        PackedUpperUpdate.PackLeft(expectedY, order, order, p, expectedPacked);
        PackedUpperUpdate.AddUpper(order, p, -1, expectedPacked, expectedRight, order, expectedValue, order, 0, order);
        MatrixKernels.MirrorUpper(expectedValue, order);

        // With a worker, and with none: this thread takes every piece, as where the worker comes after it took them all.
        foreach (bool withWorker in new[] { true, false })
        {
            double[] y = (double[])coupling.Clone();
            double[] updated = (double[])value.Clone();
            double[] middle = factor.MiddleIsIdentity ? [] : new double[p * order];
            var packed = new double[PackedUpperUpdate.PackedLength(order, p)];
            using (TwoCoreWorker? worker = withWorker ? new TwoCoreWorker() : null)
            {
                TwoCoreCouplingUpdate.Run(factor.SolveLowerHalf, factor.MiddleIsIdentity ? null : factor.SolveMiddle, p, y, middle, order,
                    firstHalf, packed, updated, worker);
            }

            Assert.Equal(expectedY, y);
            if (!factor.MiddleIsIdentity)
            {
                Assert.Equal(expectedRight, middle);
            }

            Assert.Equal(expectedPacked, packed);
            Assert.Equal(expectedValue, updated);
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_piece_that_throws_ends_the_fork_with_its_exception(bool firstPieceThrows)
    {
        const int p = 16, order = 512;
        var random = new Random(5);
        IPivotBlockFactor factor = Factor(random, p, Factoring.Cholesky);
        double[] rhs = Uniform(random, p * order);
        double[] coupling = (double[])rhs.Clone();
        var value = new double[order * order];
        var packed = new double[PackedUpperUpdate.PackedLength(order, p)];
        var run = Task.Run(() =>
        {
            // Either core may solve either piece (a late one finds its piece taken): the failing piece is told by its width.
            const int firstHalf = 240;
            using var worker = new TwoCoreWorker();
            void Solve(Span<double> rows, int width)
            {
                if (width == (firstPieceThrows ? firstHalf : order - firstHalf))
                {
                    throw new InvalidOperationException("a failing half");
                }

                factor.SolveLowerHalf(rows, width);
            }

            var thrown = Assert.Throws<InvalidOperationException>(() => TwoCoreCouplingUpdate.Run(Solve, null, p, coupling, Memory<double>.Empty, order, firstHalf, packed, value, worker));

            // The same worker runs the next step whole: Y, and P = -Y^T Y (nothing of the failed step is left over).
            double[] again = (double[])rhs.Clone();
            var valueAgain = new double[order * order];
            TwoCoreCouplingUpdate.Run(factor.SolveLowerHalf, null, p, again, Memory<double>.Empty, order, 256, packed, valueAgain, worker);
            double[] expectedY = (double[])rhs.Clone();
            factor.SolveLowerHalf(expectedY, order);
            var expectedValue = new double[order * order];
            var expectedPacked = new double[PackedUpperUpdate.PackedLength(order, p)];
            PackedUpperUpdate.PackLeft(expectedY, order, order, p, expectedPacked);
            PackedUpperUpdate.AddUpper(order, p, -1, expectedPacked, expectedY, order, expectedValue, order, 0, order);
            MatrixKernels.MirrorUpper(expectedValue, order);
            Assert.Equal(expectedY, again);
            Assert.Equal(expectedValue, valueAgain);
            return thrown;
        });

        Task first = await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(60)));
        Assert.True(first == run, "The fork did not end within 60 s: a half waits for one that failed.");
        Assert.Equal("a failing half", (await run).Message);
    }

    /// <summary>
    /// A factor of <paramref name="order"/> parameters: a diagonally dominant block's Cholesky factor, a Bunch-Kaufman factor of a
    /// block with small diagonals under entries of one (as <see cref="PivotBlockHalfSolveTests"/>' Bunch-Kaufman route), or the
    /// low-rank route's with an indefinite core (as its low-rank route).
    /// </summary>
    private static IPivotBlockFactor Factor(Random random, int order, Factoring factoring)
    {
        long flops = 0;
        if (factoring == Factoring.LowRankIndefiniteCore)
        {
            int m = order / 5;
            (double[] dx, double[] xxx) = Infrastructure.GroupedLowRankBlock.Derivatives(random, order, m, order / m, 1);
            double[] state = Infrastructure.RandomValues.SymmetricState(random, m, negativeDiagonal: 0);
            LowRankPivotBlockFactor lowRank = LowRankPivotBlockFactor.Create(xxx, 0.5, dx, state, order, m, new double[m * m], 1.0, ref flops)
                ?? throw new InvalidOperationException("The low-rank route declined the test block; expected it to take it.");
            Assert.False(lowRank.MiddleIsIdentity);
            return lowRank.KeptIn(new FactorStorage(0));
        }

        bool positiveDefinite = factoring == Factoring.Cholesky;
        var block = new double[order * order];
        for (int i = 0; i < order; i++)
        {
            for (int j = 0; j < i; j++)
            {
                block[(i * order) + j] = block[(j * order) + i] = (2 * random.NextDouble()) - 1;
            }

            block[(i * order) + i] = positiveDefinite ? order + 1 : 0.01 * ((2 * random.NextDouble()) - 1);
        }

        PivotBlockFactor factor = PivotBlockFactor.Create(block, order, new double[PivotBlockFactor.WorkLength(order)], 1e-300, ref flops)
            ?? throw new InvalidOperationException("The test block was singular; expected a regular one.");
        Assert.Equal(positiveDefinite, factor.IsPositiveDefinite);
        if (!positiveDefinite)
        {
            // L^-1 P^T and M^-1 of the identity: an entry above L^-1's diagonal is an interchange, one beside M^-1's a 2x2 pivot.
            var lower = new double[order * order];
            var middle = new double[order * order];
            for (int i = 0; i < order; i++)
            {
                lower[(i * order) + i] = middle[(i * order) + i] = 1;
            }

            factor.SolveLowerHalf(lower, order);
            factor.SolveMiddle(middle, order);
            bool interchanged = false, twoByTwo = false;
            for (int i = 0; i + 1 < order; i++)
            {
                twoByTwo |= middle[(i * order) + i + 1] != 0;
                for (int j = i + 1; j < order; j++)
                {
                    interchanged |= lower[(i * order) + j] != 0;
                }
            }

            Assert.True(interchanged && twoByTwo, $"interchanges {interchanged}, 2x2 pivots {twoByTwo}; expected both");
        }

        return factor;
    }

    private static double[] Uniform(Random random, int length)
    {
        var values = new double[length];
        for (int k = 0; k < length; k++)
        {
            values[k] = (2 * random.NextDouble()) - 1;
        }

        return values;
    }
}
