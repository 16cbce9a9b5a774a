using System;
using System.Threading;
using System.Threading.Tasks;
using HessianCodegen.LinearAlgebra;
using Xunit;

namespace HessianCodegen.Tests;

/// <summary>
/// <see cref="TwoCoreCouplingUpdate"/> against the steps it joins, run one after the other on one thread (the whole half solve,
/// <c>M^-1 Y</c>, the packed <c>Y^T</c>, the whole upper update and the mirror): the same <c>Y</c>, <c>M^-1 Y</c> and <c>P</c> to
/// the bit, with a Cholesky and a Bunch-Kaufman factor; a half whose solve throws ends the fork with its exception, not a hang.
/// </summary>
public sealed class TwoCoreCouplingUpdateTests
{
    [Theory]
    [InlineData(72, 512, true)]
    [InlineData(24, 512, false)]
    [InlineData(16, 528, false)]
    public void Writes_what_the_steps_one_after_the_other_write(int p, int order, bool positiveDefinite)
    {
        var random = new Random((p * 1000) + order);
        PivotBlockFactor factor = Factor(random, p, positiveDefinite);
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
        if (!positiveDefinite)
        {
            expectedRight = (double[])expectedY.Clone();
            factor.SolveMiddle(expectedRight, order);
        }

        var expectedPacked = new double[PackedUpperUpdate.PackedLength(order, p)];
        PackedUpperUpdate.PackLeft(expectedY, order, order, p, expectedPacked);
        PackedUpperUpdate.AddUpper(order, p, -1, expectedPacked, expectedRight, order, expectedValue, order, 0, order);
        MatrixKernels.MirrorUpper(expectedValue, order);

        double[] middle = positiveDefinite ? [] : new double[p * order];
        var packed = new double[PackedUpperUpdate.PackedLength(order, p)];
        using (var worker = new TwoCoreWorker())
        {
            TwoCoreCouplingUpdate.Run(factor.SolveLowerHalf, positiveDefinite ? null : factor.SolveMiddle, p, coupling, middle, order, firstHalf, packed,
                value, worker);
        }

        Assert.Equal(expectedY, coupling);
        if (!positiveDefinite)
        {
            Assert.Equal(expectedRight, middle);
        }

        Assert.Equal(expectedValue, value);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_half_that_throws_ends_the_fork_with_its_exception(bool callerThrows)
    {
        const int p = 16, order = 512;
        var random = new Random(5);
        PivotBlockFactor factor = Factor(random, p, positiveDefinite: true);
        double[] coupling = Uniform(random, p * order);
        var value = new double[order * order];
        var packed = new double[PackedUpperUpdate.PackedLength(order, p)];
        var run = Task.Run(() =>
        {
            Thread caller = Thread.CurrentThread;
            using var worker = new TwoCoreWorker();
            void Solve(Span<double> rows, int width)
            {
                if ((Thread.CurrentThread == caller) == callerThrows)
                {
                    throw new InvalidOperationException("a failing half");
                }

                factor.SolveLowerHalf(rows, width);
            }

            return Assert.Throws<InvalidOperationException>(() => TwoCoreCouplingUpdate.Run(Solve, null, p, coupling, Memory<double>.Empty, order, 256, packed, value, worker));
        });

        Task first = await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(60)));
        Assert.True(first == run, "The fork did not end within 60 s: a half waits for one that failed.");
        Assert.Equal("a failing half", (await run).Message);
    }

    /// <summary>A diagonally dominant block's factor: Cholesky, or with alternating signs on the diagonal Bunch-Kaufman.</summary>
    private static PivotBlockFactor Factor(Random random, int order, bool positiveDefinite)
    {
        var block = new double[order * order];
        for (int i = 0; i < order; i++)
        {
            for (int j = 0; j <= i; j++)
            {
                block[(i * order) + j] = block[(j * order) + i] = (2 * random.NextDouble()) - 1;
            }

            block[(i * order) + i] = (positiveDefinite || i % 2 == 0 ? 1 : -1) * (order + 1);
        }

        long flops = 0;
        PivotBlockFactor factor = PivotBlockFactor.Create(block, order, new double[PivotBlockFactor.WorkLength(order)], 1e-300, ref flops)
            ?? throw new InvalidOperationException("The test block was singular; expected a regular one.");
        Assert.Equal(positiveDefinite, factor.IsPositiveDefinite);
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
