using System;
using System.Linq;
using HessianCodegen.Tests.Infrastructure;
using Xunit;

namespace HessianCodegen.Tests;

/// <summary>
/// <see cref="LowRankPivotBlockFactor.SolveCouplingLowerHalf"/>, <c>Y = W^-1 C</c> for <c>C = Xzx + Dx^T (P Dz)</c> without forming
/// <c>C</c>, against the plain way: <c>C</c> formed entry by entry, then solved a column at a time (one column takes the
/// reflectors one by one, not the explicit <c>Q_g^T L_g^-1</c>). Groups of several rows of <c>Dx</c> (so several reflectors), two
/// parameters no row reaches (groups of their own, without rows), with and without <c>Xzx</c>, definite and indefinite cores;
/// more rows than parameters in a group (<c>R_g</c> trapezoidal), a group's row of <c>Dx</c> twice (<c>Z_g</c> rank-deficient),
/// and groups laid out as a dense layer's units are (a run of weights, the bias far away, rows <c>n groups + g</c>). The flops
/// returned are the count's formula.
/// </summary>
public sealed class LowRankCouplingSolveTests
{
    [Theory]
    [InlineData(3, 17, 5, 4, 9, true, true, false, false, 2)]
    [InlineData(3, 17, 5, 4, 9, false, true, false, false, 2)]
    [InlineData(2, 16, 4, 5, 7, true, false, false, false, 2)]
    [InlineData(2, 18, 6, 3, 13, true, true, false, false, 2)]
    [InlineData(2, 16, 20, 4, 9, true, true, false, false, 60)] // c = 20 > q = 16: R_g is 16 x 20
    [InlineData(2, 16, 20, 4, 9, false, false, false, false, 60)]
    [InlineData(3, 17, 6, 4, 9, true, true, false, true, 2)] // Z_g rank-deficient
    [InlineData(4, 17, 8, 8, 16, true, true, true, false, 2)] // width 16, batch 8's units: k = 8
    [InlineData(4, 17, 8, 8, 16, false, false, true, true, 2)]
    public void Solves_the_coupling_as_forming_it_and_solving_each_column(int groups, int q, int rowsPerGroup, int count, int inputs, bool hasXzx,
        bool definiteCore, bool asUnits, bool duplicateRow, int rowless)
    {
        var random = new Random((groups * 1000) + (q * 100) + (rowsPerGroup * 10) + count);
        int p = (groups * q) + rowless; // the last parameters reach no row of Dx
        int m = groups * rowsPerGroup;
        int width = count * inputs;
        const double epsilon = 0.5;
        var dx = new double[m * p];
        var xxx = new double[p * p];
        for (int g = 0; g < groups; g++)
        {
            // As units: group g's weights g (q - 1).., its bias groups (q - 1) + g, its rows n groups + g; else one run, rows in a block.
            int[] parameters = Enumerable.Range(0, q)
                .Select(i => !asUnits ? (g * q) + i : i < q - 1 ? (g * (q - 1)) + i : (groups * (q - 1)) + g).ToArray();
            int[] rows = Enumerable.Range(0, rowsPerGroup).Select(n => asUnits ? (n * groups) + g : (g * rowsPerGroup) + n).ToArray();
            double[] v = Enumerable.Range(0, q).Select(_ => random.NextDouble() - 0.5).ToArray();
            for (int i = 0; i < q; i++)
            {
                foreach (int r in rows)
                {
                    dx[(r * p) + parameters[i]] = random.NextDouble() - 0.5;
                }

                // Where asked, the group's second row repeats its first.
                if (duplicateRow)
                {
                    dx[(rows[1] * p) + parameters[i]] = dx[(rows[0] * p) + parameters[i]];
                }

                for (int j = 0; j < q; j++)
                {
                    xxx[(parameters[i] * p) + parameters[j]] = 0.3 * v[i] * v[j];
                }
            }
        }

        double[] value = RandomValues.SymmetricState(random, m, negativeDiagonal: definiteCore ? -1 : 0);

        long flops = 0;
        LowRankPivotBlockFactor factor = LowRankPivotBlockFactor.Create(xxx, epsilon, dx, value, p, m, new double[m * m], 1.0, ref flops)
            ?? throw new InvalidOperationException("The low-rank route declined the test block; expected it to take it.");
        Assert.Equal(definiteCore, factor.IsPositiveDefinite);
        Assert.True(factor.SolvesCouplingDirectly(width));
        Assert.False(factor.SolvesCouplingDirectly(q)); // too few columns for the explicit groups
        int k = Math.Min(q, rowsPerGroup);
        Assert.True(LowRankPivotBlockFactor.SolvesGroupExplicitly(q, k, width));

        double[] xzx = hasXzx ? Enumerable.Range(0, count * p * inputs).Select(_ => random.NextDouble() - 0.5).ToArray() : [];
        double[] negativeValueDz = Enumerable.Range(0, m * width).Select(_ => random.NextDouble() - 0.5).ToArray();

        // C = Xzx + Dx^T (P Dz) = Xzx - Dx^T (-(P Dz)), entry by entry; C[j, n inputs + t] = Xzx_n[j, t].
        var coupling = new double[p * width];
        for (int j = 0; j < p; j++)
        {
            for (int column = 0; column < width; column++)
            {
                double sum = hasXzx ? xzx[(((column / inputs) * p) + j) * inputs + (column % inputs)] : 0;
                for (int r = 0; r < m; r++)
                {
                    sum -= dx[(r * p) + j] * negativeValueDz[(r * width) + column];
                }

                coupling[(j * width) + column] = sum;
            }
        }

        var expected = new double[p * width];
        var single = new double[p];
        for (int column = 0; column < width; column++)
        {
            for (int j = 0; j < p; j++)
            {
                single[j] = coupling[(j * width) + column];
            }

            factor.SolveLowerHalf(single, 1);
            for (int j = 0; j < p; j++)
            {
                expected[(j * width) + column] = single[j];
            }
        }

        double[] y = Enumerable.Repeat(double.NaN, p * width).ToArray(); // written whole: NaN must not survive
        long performed = factor.SolveCouplingLowerHalf(xzx, count, inputs, negativeValueDz, width, y);

        // Per group with rows: G_g formed (the reflectors' q^2 + 4 q k - 2 k^2 on q columns) and applied (2 q^2 a column) where
        // there is Xzx, R_g's c - i terms in row i twice a column; per parameter without rows (G = L^-1, 1 x 1) 1 + 2 a column
        // where there is Xzx, nothing without; the core's forward substitution, (groups k)^2 a column.
        long reflectors = ((long)q * q) + (4L * q * k) - (2L * k * k);
        long perGroup = (hasXzx ? (reflectors * q) + (2L * q * q * width) : 0) + (2L * ((k * rowsPerGroup) - (k * (k - 1) / 2)) * width);
        long coreOrder = (long)groups * k;
        long expectedFlops = (groups * perGroup) + (hasXzx ? rowless * (1 + (2L * width)) : 0) + (coreOrder * coreOrder * width);
        Assert.Equal(expectedFlops, performed);
        double scale = Math.Max(1, expected.Max(Math.Abs));
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - y[i]) <= 1e-12 * scale, $"Y[{i / width}, {i % width}] = {y[i]}, expected {expected[i]}");
        }
    }

    [Fact]
    public void Rejects_an_xzx_of_another_shape()
    {
        var random = new Random(3);
        int p = 20, m = 4;
        var dx = new double[m * p];
        for (int r = 0; r < m; r++)
        {
            for (int i = 0; i < 10; i++)
            {
                dx[(r * p) + ((r / 2) * 10) + i] = random.NextDouble() - 0.5;
            }
        }

        var value = new double[m * m];
        for (int i = 0; i < m; i++)
        {
            value[(i * m) + i] = 1;
        }

        long flops = 0;
        LowRankPivotBlockFactor factor = LowRankPivotBlockFactor.Create([], 1.0, dx, value, p, m, new double[m * m], 1.0, ref flops)!;
        var exception = Assert.Throws<ArgumentException>(() => factor.SolveCouplingLowerHalf(new double[7], 2, 20, new double[m * 40], 40, new double[p * 40]));
        Assert.Contains("Xzx", exception.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// A core <c>T</c> whose rows are whole tiles (order 32: four groups of eight reflectors), indefinite (two rows of <c>P</c> coupled
    /// by <paramref name="coupling"/>) with a positive diagonal, so that its Cholesky attempt in its own square fails and leaves it
    /// scratch: <c>T</c> is formed again for Bunch-Kaufman (<see cref="LowRankPivotBlockFactor.CoreFormedAgain"/>), and the factor's
    /// inertia, log-determinant and solve are the whole block's (<c>A = Xxx + eps I + Dx^T P Dx</c> formed densely, factored by
    /// <see cref="PivotBlockFactor.Create"/>). Without the coupling the core is positive definite: its Cholesky factor in place is
    /// kept and <c>T</c> is not formed again. Sixteen groups of one row each (batch 1 at width 16) make a core of order 16 on the
    /// one-row path, formed (again) by its own kernel.
    /// </summary>
    [Theory]
    [InlineData(4, 8, 2.0, true)]
    [InlineData(4, 8, 6.0, true)]
    [InlineData(4, 8, 0.0, false)]
    [InlineData(16, 1, 2.0, true)]
    [InlineData(16, 1, 0.0, false)]
    public void AnIndefiniteCoreFactoredInItsOwnSquareIsFormedAgainForBunchKaufman(int groups, int rowsPerGroup, double coupling, bool indefinite)
    {
        const int q = 17;
        const double epsilon = 0.5;
        var random = new Random(17);
        int p = groups * q;
        int m = groups * rowsPerGroup;
        (double[] dx, double[] xxx) = GroupedLowRankBlock.Derivatives(random, p, groups, q, rowsPerGroup);

        double[] value = RandomValues.SymmetricState(random, m);
        value[(0 * m) + rowsPerGroup] = value[(rowsPerGroup * m) + 0] = coupling * Math.Sqrt(value[0] * value[(rowsPerGroup * m) + rowsPerGroup]);

        long flops = 0;
        LowRankPivotBlockFactor factor = LowRankPivotBlockFactor.Create(xxx, epsilon, dx, value, p, m, new double[m * m], 1.0, ref flops)
            ?? throw new InvalidOperationException("The low-rank route declined the test block; expected it to take it.");
        Assert.Equal(m, factor.CoreOrder);
        Assert.Equal(rowsPerGroup == 1, factor.TookOneRowGroups);
        Assert.Equal(indefinite, factor.CoreFormedAgain);

        double[] block = GroupedLowRankBlock.Dense(xxx, epsilon, dx, value, p, m);
        PivotBlockFactor whole = PivotBlockFactor.Create(block, p, new double[PivotBlockFactor.WorkLength(p)], 1e-300, ref flops)
            ?? throw new InvalidOperationException("the whole block was judged singular");
        Assert.Equal(indefinite, !whole.IsPositiveDefinite);
        Assert.Equal(whole.Inertia, factor.Inertia);
        Assert.Equal(whole.LogDeterminant.Sign, factor.LogDeterminant.Sign);
        Assert.True(Math.Abs(whole.LogDeterminant.LogAbsoluteValue - factor.LogDeterminant.LogAbsoluteValue) <= 1e-10 * Math.Max(1, Math.Abs(whole.LogDeterminant.LogAbsoluteValue)),
            $"log |det|: low-rank {factor.LogDeterminant.LogAbsoluteValue:R}, whole {whole.LogDeterminant.LogAbsoluteValue:R}");
        double[] rhs = Enumerable.Range(0, p).Select(_ => random.NextDouble() - 0.5).ToArray();
        double[] expected = (double[])rhs.Clone();
        double[] actual = (double[])rhs.Clone();
        whole.Solve(expected, 1);
        factor.Solve(actual, 1);
        double scale = expected.Max(Math.Abs);
        for (int i = 0; i < p; i++)
        {
            Assert.True(Math.Abs(actual[i] - expected[i]) <= 1e-10 * scale, $"x({i}): low-rank {actual[i]:R}, whole {expected[i]:R}");
        }
    }
}
