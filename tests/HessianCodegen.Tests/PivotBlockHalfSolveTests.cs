using System;
using System.Linq;
using HessianCodegen.LinearAlgebra;
using HessianCodegen.Tests.Infrastructure;
using Xunit;

namespace HessianCodegen.Tests;

/// <summary>
/// The halves of a pivot block's solve (<see cref="IPivotBlockFactor.SolveLowerHalf"/>, <see cref="IPivotBlockFactor.SolveMiddle"/>,
/// <see cref="IPivotBlockFactor.SolveUpperHalf"/>, <c>A = W M W^T</c>) on every route, against the dense block (MathNet's LU):
/// the three in turn solve <c>A Z = B</c>; <c>Y^T M^-1 Y = B^T A^-1 B</c> for <c>Y = W^-1 B</c> (what the recursion's update
/// takes); the upper half is the lower half's transpose and the middle is symmetric (so the sweeps, which apply one half each,
/// solve with <c>A</c>); one column at a time gives the columns of a wide solve (the recursion keeps <c>Y</c> from the blocked
/// kernels, the sweeps go on with the one-column ones). Odd orders, one and several columns, blocked and unblocked widths,
/// indefinite blocks with 2x2 pivots (factored unblocked, and right-looking past <see cref="PivotBlockFactor.UnblockedBunchKaufmanLimit"/>); a Cholesky factor's lower half against plain forward substitution with a plain Cholesky factor.
/// </summary>
public sealed class PivotBlockHalfSolveTests
{
    public enum Route
    {
        /// <summary>The square Cholesky factor the recursion solves with.</summary>
        Cholesky,

        /// <summary>The packed Cholesky factor the sweeps read.</summary>
        PackedCholesky,

        /// <summary>A Bunch-Kaufman factor with 2x2 pivots.</summary>
        BunchKaufman,

        /// <summary>The low-rank route with a positive definite core.</summary>
        LowRankDefiniteCore,

        /// <summary>The low-rank route with an indefinite (Bunch-Kaufman) core.</summary>
        LowRankIndefiniteCore,

        /// <summary>The low-rank route, five rows of <c>Dx</c> per group (five reflectors: a wide solve forms <c>Q_g^T L_g^-1</c>).</summary>
        LowRankRowsPerGroup,

        /// <summary>The same with an indefinite core.</summary>
        LowRankRowsPerGroupIndefiniteCore,

        /// <summary>Eight rows per group (width 16, batch 8's units): the rows bound for <c>T</c> in two four-row tiles.</summary>
        LowRankEightRowsPerGroup,
    }

    [Theory]
    [InlineData(Route.Cholesky, 1, 1)]
    [InlineData(Route.Cholesky, 7, 3)]
    [InlineData(Route.Cholesky, 33, 1)]
    [InlineData(Route.Cholesky, 65, 250)]
    [InlineData(Route.PackedCholesky, 1, 1)]
    [InlineData(Route.PackedCholesky, 33, 1)]
    [InlineData(Route.PackedCholesky, 31, 5)]
    [InlineData(Route.BunchKaufman, 7, 1)]
    [InlineData(Route.BunchKaufman, 33, 3)]
    [InlineData(Route.BunchKaufman, 33, 40)]
    [InlineData(Route.BunchKaufman, 65, 17)]
    [InlineData(Route.BunchKaufman, 65, 131)]
    [InlineData(Route.BunchKaufman, PivotBlockFactor.UnblockedBunchKaufmanLimit + 32, 3)]
    [InlineData(Route.BunchKaufman, PivotBlockFactor.UnblockedBunchKaufmanLimit + 32, 128)]
    [InlineData(Route.BunchKaufman, PivotBlockFactor.UnblockedBunchKaufmanLimit + 23, 16)]
    [InlineData(Route.LowRankDefiniteCore, 23, 1)]
    [InlineData(Route.LowRankDefiniteCore, 37, 3)]
    [InlineData(Route.LowRankIndefiniteCore, 23, 1)]
    [InlineData(Route.LowRankIndefiniteCore, 37, 4)]
    [InlineData(Route.LowRankRowsPerGroup, 62, 3)]
    [InlineData(Route.LowRankRowsPerGroup, 62, 67)]
    [InlineData(Route.LowRankRowsPerGroup, 63, 80)]
    [InlineData(Route.LowRankRowsPerGroupIndefiniteCore, 62, 71)]
    [InlineData(Route.LowRankEightRowsPerGroup, 85, 5)]
    [InlineData(Route.LowRankEightRowsPerGroup, 85, 90)]
    public void Halves_compose_to_the_dense_solve_and_its_quadratic_form(Route route, int order, int width)
    {
        var random = new Random((order * 1000) + (width * 10) + (int)route);
        (IPivotBlockFactor factor, double[,] dense) = Build(route, order, random);
        Assert.Equal(order, factor.Order);
        if (RowsPerGroup(route) > 1)
        {
            // The wide cases are the explicit Q_g^T L_g^-1 (groups of p / (p / 5 / rows) parameters), the narrow ones the reflectors.
            int groupParameters = order / (order / 5 / RowsPerGroup(route));
            Assert.Equal(width >= 2 * groupParameters, ((LowRankPivotBlockFactor)factor).SolvesCouplingDirectly(width));
        }

        double[] b = RandomValues(random, order * width);

        // Z = W^-T M^-1 W^-1 B against the dense solve, column by column.
        double[] y = (double[])b.Clone();
        factor.SolveLowerHalf(y, width);
        double[] middleSolved = (double[])y.Clone();
        factor.SolveMiddle(middleSolved, width);
        double[] z = (double[])middleSolved.Clone();
        factor.SolveUpperHalf(z, width);
        var expected = new double[order * width];
        for (int c = 0; c < width; c++)
        {
            double[] column = DenseReference.Solve(dense, Column(b, order, width, c));
            for (int i = 0; i < order; i++)
            {
                expected[(i * width) + c] = column[i];
            }
        }

        AssertClose(expected, z, "W^-T M^-1 W^-1 B against A^-1 B");
        double[] whole = (double[])b.Clone();
        factor.Solve(whole, width);
        AssertClose(expected, whole, "A^-1 B in one call against the dense solve");

        // Y^T M^-1 Y = B^T A^-1 B (width x width): the recursion's update.
        AssertClose(Gram(b, expected, order, width), Gram(y, middleSolved, order, width), "Y^T M^-1 Y against B^T A^-1 B");

        // The upper half is the lower half's transpose, the middle is symmetric: <W^-1 B, G> = <B, W^-T G>, <M^-1 B, G> = <B, M^-1 G>.
        double[] g = RandomValues(random, order * width);
        double[] upperG = (double[])g.Clone();
        factor.SolveUpperHalf(upperG, width);
        AssertClose([Dot(y, g)], [Dot(b, upperG)], "<W^-1 B, G> against <B, W^-T G>");
        double[] middleB = (double[])b.Clone();
        double[] middleG = (double[])g.Clone();
        factor.SolveMiddle(middleB, width);
        factor.SolveMiddle(middleG, width);
        AssertClose([Dot(middleB, g)], [Dot(b, middleG)], "<M^-1 B, G> against <B, M^-1 G>");
        if (factor.MiddleIsIdentity)
        {
            Assert.Equal(b, middleB);
        }

        // One column at a time (the sweeps) as the columns of the wide solve (the recursion).
        for (int c = 0; c < width; c++)
        {
            double[] single = Column(b, order, width, c);
            factor.SolveLowerHalf(single, 1);
            AssertClose(Column(y, order, width, c), single, $"column {c} of W^-1 B alone");
            single = Column(middleSolved, order, width, c);
            factor.SolveUpperHalf(single, 1);
            AssertClose(Column(z, order, width, c), single, $"column {c} of W^-T (M^-1 W^-1 B) alone");
        }
    }

    [Theory]
    [InlineData(1, 2)]
    [InlineData(9, 3)]
    [InlineData(33, 1)]
    [InlineData(65, 250)]
    public void Cholesky_lower_half_is_forward_substitution_with_the_cholesky_factor(int order, int width)
    {
        var random = new Random(order + width);
        foreach (Route route in new[] { Route.Cholesky, Route.PackedCholesky })
        {
            (IPivotBlockFactor factor, double[,] dense) = Build(route, order, random);
            double[,] lower = PlainCholesky(dense);
            double[] b = RandomValues(random, order * width);
            double[] y = (double[])b.Clone();
            factor.SolveLowerHalf(y, width);
            var expected = new double[order * width];
            for (int c = 0; c < width; c++)
            {
                for (int i = 0; i < order; i++)
                {
                    double sum = b[(i * width) + c];
                    for (int j = 0; j < i; j++)
                    {
                        sum -= lower[i, j] * expected[(j * width) + c];
                    }

                    expected[(i * width) + c] = sum / lower[i, i];
                }
            }

            AssertClose(expected, y, $"{route}: L^-1 B against plain forward substitution");
        }
    }

    [Fact]
    public void Bunch_kaufman_middle_is_block_diagonal_with_two_by_two_blocks()
    {
        const int order = 33;
        (IPivotBlockFactor factor, _) = Build(Route.BunchKaufman, order, new Random(5));
        Assert.False(factor.MiddleIsIdentity);

        // M^-1 as a matrix: M^-1 applied to the identity's columns.
        var inverse = new double[order * order];
        for (int i = 0; i < order; i++)
        {
            inverse[(i * order) + i] = 1;
        }

        factor.SolveMiddle(inverse, order);
        int twoByTwo = 0;
        for (int i = 0; i < order; i++)
        {
            for (int j = 0; j < order; j++)
            {
                if (Math.Abs(i - j) > 1)
                {
                    Assert.True(inverse[(i * order) + j] == 0, $"M^-1[{i}, {j}] = {inverse[(i * order) + j]}; expected 0 off D's blocks");
                }
            }

            if (i + 1 < order && inverse[(i * order) + i + 1] != 0)
            {
                Assert.Equal(inverse[(i * order) + i + 1], inverse[((i + 1) * order) + i]);
                Assert.True(i == 0 || inverse[((i - 1) * order) + i] == 0, $"rows {i - 1} to {i + 1} coupled; expected blocks of at most 2");
                twoByTwo++;
            }
        }

        Assert.True(twoByTwo > 0, "expected the test block to take 2x2 pivots");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Lower_half_on_two_cores_is_the_one_core_half(bool positiveDefinite)
    {
        const int order = 72;
        const int width = 512;
        var random = new Random(positiveDefinite ? 1 : 2);
        (IPivotBlockFactor factor, _) = Build(positiveDefinite ? Route.Cholesky : Route.BunchKaufman, order, random);
        double[] b = RandomValues(random, order * width);
        double[] oneCore = (double[])b.Clone();
        factor.SolveLowerHalf(oneCore, width);
        double[] twoCores = (double[])b.Clone();
        // Flops past any threshold, so that the columns are split wherever there are two cores, whatever Threshold becomes.
        ColumnSplitSolve.Solve(factor.SolveLowerHalf, order, twoCores, width, double.MaxValue);
        AssertClose(oneCore, twoCores, "W^-1 B on two cores");
    }

    /// <summary>A factor of the route and the dense block it factors.</summary>
    private static (IPivotBlockFactor Factor, double[,] Dense) Build(Route route, int order, Random random) => route switch
    {
        Route.Cholesky or Route.PackedCholesky or Route.BunchKaufman => Whole(route, order, random),
        Route.LowRankRowsPerGroup or Route.LowRankEightRowsPerGroup or Route.LowRankRowsPerGroupIndefiniteCore =>
            LowRank(order, route != Route.LowRankRowsPerGroupIndefiniteCore, random, RowsPerGroup(route)),
        _ => LowRank(order, route == Route.LowRankDefiniteCore, random),
    };

    /// <summary>The rows of <c>Dx</c> per group of the low-rank routes (1 elsewhere).</summary>
    private static int RowsPerGroup(Route route) => route switch
    {
        Route.LowRankRowsPerGroup or Route.LowRankRowsPerGroupIndefiniteCore => 5,
        Route.LowRankEightRowsPerGroup => 8,
        _ => 1,
    };

    /// <summary>
    /// A whole block: positive definite (diagonally dominant), or indefinite with a small diagonal under entries of one, where
    /// Bunch-Kaufman takes 2x2 pivots.
    /// </summary>
    private static (IPivotBlockFactor Factor, double[,] Dense) Whole(Route route, int order, Random random)
    {
        bool definite = route != Route.BunchKaufman;
        var matrix = new double[order * order];
        for (int i = 0; i < order; i++)
        {
            for (int j = 0; j < i; j++)
            {
                matrix[(i * order) + j] = matrix[(j * order) + i] = (2 * random.NextDouble()) - 1;
            }

            matrix[(i * order) + i] = definite ? order + 1 : 0.01 * ((2 * random.NextDouble()) - 1);
        }

        double[,] dense = DenseReference.FromRowMajor(matrix, order);
        long flops = 0;
        PivotBlockFactor factor = PivotBlockFactor.Create((double[])matrix.Clone(), order, new double[PivotBlockFactor.WorkLength(order)], 1e-300, ref flops)
            ?? throw new InvalidOperationException("The test block was singular; expected a regular one.");
        Assert.Equal(definite, factor.IsPositiveDefinite);
        return route == Route.PackedCholesky ? (new PackedCholeskyFactor(factor, new FactorStorage(0)), dense) : (factor, dense);
    }

    /// <summary>
    /// A wide block <c>A = X + Dx^T P Dx</c> on the low-rank route (<c>X = Xxx + 0.5 I</c>, <c>Xxx</c> block-diagonal by output),
    /// with <c>P</c> positive definite or with a negative eigenvalue that makes the core indefinite; its core kept as the sweeps keep it.
    /// </summary>
    private static (IPivotBlockFactor Factor, double[,] Dense) LowRank(int p, bool definiteCore, Random random, int rowsPerGroup = 1)
    {
        const double epsilon = 0.5;
        int m = p / 5;
        int groups = m / rowsPerGroup;
        m = groups * rowsPerGroup;
        int run = p / groups;
        (double[] dx, double[] xxx) = Infrastructure.GroupedLowRankBlock.Derivatives(random, p, groups, run, rowsPerGroup);

        double[] value = Infrastructure.RandomValues.SymmetricState(random, m, negativeDiagonal: definiteCore ? -1 : 0);

        long flops = 0;
        LowRankPivotBlockFactor factor = LowRankPivotBlockFactor.Create(xxx, epsilon, dx, value, p, m, new double[m * m], 1.0, ref flops)
            ?? throw new InvalidOperationException("The low-rank route declined the test block; expected it to take it.");
        Assert.Equal(definiteCore, factor.IsPositiveDefinite);
        Assert.Equal(definiteCore, factor.MiddleIsIdentity);

        // A = Xxx + eps I + Dx^T P Dx, dense.
        double[] block = Infrastructure.GroupedLowRankBlock.Dense(xxx, epsilon, dx, value, p, m);
        var dense = new double[p, p];
        for (int i = 0; i < p; i++)
        {
            for (int j = 0; j < p; j++)
            {
                dense[i, j] = block[(i * p) + j];
            }
        }

        return (factor.KeptIn(new FactorStorage(0)), dense);
    }

    private static double[,] PlainCholesky(double[,] a)
    {
        int n = a.GetLength(0);
        var l = new double[n, n];
        for (int j = 0; j < n; j++)
        {
            double diagonal = a[j, j];
            for (int k = 0; k < j; k++)
            {
                diagonal -= l[j, k] * l[j, k];
            }

            l[j, j] = Math.Sqrt(diagonal);
            for (int i = j + 1; i < n; i++)
            {
                double sum = a[i, j];
                for (int k = 0; k < j; k++)
                {
                    sum -= l[i, k] * l[j, k];
                }

                l[i, j] = sum / l[j, j];
            }
        }

        return l;
    }

    /// <summary><c>U^T V</c> for two <c>order x width</c> row-major matrices.</summary>
    private static double[] Gram(double[] u, double[] v, int order, int width)
    {
        var product = new double[width * width];
        for (int i = 0; i < width; i++)
        {
            for (int j = 0; j < width; j++)
            {
                double sum = 0;
                for (int k = 0; k < order; k++)
                {
                    sum += u[(k * width) + i] * v[(k * width) + j];
                }

                product[(i * width) + j] = sum;
            }
        }

        return product;
    }

    private static double Dot(double[] u, double[] v) => u.Zip(v, (x, y) => x * y).Sum();

    private static double[] Column(double[] rows, int order, int width, int column) =>
        Enumerable.Range(0, order).Select(i => rows[(i * width) + column]).ToArray();

    private static double[] RandomValues(Random random, int count) => Enumerable.Range(0, count).Select(_ => (2 * random.NextDouble()) - 1).ToArray();

    /// <summary>Every entry within 1e-11 of the expected one, relative to the largest expected magnitude (at least 1).</summary>
    private static void AssertClose(double[] expected, double[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = Math.Max(1, expected.Max(Math.Abs));
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-11 * scale, $"{what}: entry {i} is {actual[i]}, expected {expected[i]}");
        }
    }
}
