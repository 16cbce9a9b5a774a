using System;
using System.Collections.Generic;
using System.Linq;
using HessianCodegen.LinearAlgebra;
using HessianCodegen.Tests.Infrastructure;
using Xunit;

namespace HessianCodegen.Tests;

/// <summary>
/// The right-looking Bunch-Kaufman kernel (<c>dlasyf</c>'s panels on <c>U = A^T</c> in a padded square, the trailing update in
/// register tiles) against the unblocked one (<see cref="BunchKaufmanKernel.Factor"/>, itself tested against MathNet): the same
/// pivots and the factor to round-off, at orders below, at and across its panels and tiles (odd ones, and multiples of 16,
/// which a mirrored matrix factors in place), panels of 4 to 32 columns, each vector width of its tiles (512, 256, 0: plain
/// loops; a width this machine lacks is left out), on matrices that take 2x2 pivots and interchanges; the work full of NaN
/// (the padding must be set); the strict upper triangle untouched where the matrix is copied; its stop at the column without a
/// pivot, in the first panel in place and in a later one (after trailing updates) copied, where the matrix is left bit for bit as
/// given; ties of magnitude across vector lanes and NaNs before a column's maximum (the pivot search in vectors).
/// </summary>
public sealed class RightLookingBunchKaufmanKernelTests
{
    /// <summary>Order, panel width and the tiles' vector width.</summary>
    public static IEnumerable<object[]> Cases => VectorWidthCases.Runnable(2,
        (from bits in new[] { 0, 256, 512 }
         from shape in new[] { (2, 4), (3, 4), (9, 4), (17, 5), (32, 16), (33, 4), (70, 8), (131, 16), (160, 16), (157, 32), (272, 16) }
         select new object[] { shape.Item1, shape.Item2, bits }).ToArray());

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesTheUnblockedKernel(int n, int panel, int vectorBits)
    {
        foreach (double diagonal in new[] { 0.0, 0.05, 3.0 })
        {
            double[] matrix = RandomValues.Symmetric(n, diagonal, seed: n + (int)(100 * diagonal));
            double[] reference = (double[])matrix.Clone();
            var referencePivots = new int[n];
            long flops = 0;
            Assert.Equal(-1, BunchKaufmanKernel.Factor(reference, n, referencePivots, new double[2 * n], 0, ref flops));
            double scale = reference.Max(Math.Abs);

            foreach (bool mirrored in new[] { false, true })
            {
                // Only the lower triangle is read; where the upper one is not a mirror it holds a mark that must stay.
                double[] factor = (double[])matrix.Clone();
                if (!mirrored)
                {
                    for (int i = 0; i < n; i++)
                    {
                        for (int j = i + 1; j < n; j++)
                        {
                            factor[(i * n) + j] = 7.0;
                        }
                    }
                }

                var pivots = new int[n];
                double[] work = Enumerable.Repeat(double.NaN, RightLookingBunchKaufmanKernel.WorkLength(n, panel)).ToArray();
                Assert.Equal(-1, RightLookingBunchKaufmanKernel.Factor(factor, n, pivots, work, 0, ref flops, vectorBits, panel, mirrored));
                string label = $"order {n}, panel {panel}, {vectorBits} bits, diagonal {diagonal}, mirrored {mirrored}";
                Assert.True(referencePivots.SequenceEqual(pivots), $"{label}: pivots differ");
                for (int i = 0; i < n; i++)
                {
                    for (int j = 0; j <= i; j++)
                    {
                        Assert.True(Math.Abs(factor[(i * n) + j] - reference[(i * n) + j]) <= 1e-12 * scale,
                            $"{label}: factor entry ({i}, {j}) {factor[(i * n) + j]:R} against {reference[(i * n) + j]:R}");
                    }

                    for (int j = i + 1; j < n && !mirrored; j++)
                    {
                        Assert.True(factor[(i * n) + j] == 7.0, $"{label}: upper entry ({i}, {j}) written");
                    }
                }
            }
        }
    }

    /// <summary>The shapes of <see cref="Cases"/> with more than one panel.</summary>
    public static IEnumerable<object[]> ShapesAcrossPanels =>
        new[] { (9, 4), (17, 5), (33, 4), (70, 8), (131, 16), (160, 16), (157, 32), (272, 16) }
            .Select(shape => new object[] { shape.Item1, shape.Item2 });

    [Theory]
    [MemberData(nameof(ShapesAcrossPanels))]
    public void TheTestMatricesTakeInterchangesAndTwoByTwoPivotsAcrossPanels(int n, int panel)
    {
        // The panels replayed from the pivots (at most panel - 1 columns, or panel where the last pivot is 2x2): among
        // MatchesTheUnblockedKernel's matrices of this shape, one has a 2x2 pivot that ends a panel, the case of the full width,
        // and one an interchange with a row past the panel.
        bool twoByTwoEndsAPanel = false;
        bool interchangePastThePanel = false;
        foreach (double diagonal in new[] { 0.0, 0.05, 3.0 })
        {
            double[] matrix = RandomValues.Symmetric(n, diagonal, seed: n + (int)(100 * diagonal));
            var pivots = new int[n];
            long flops = 0;
            Assert.Equal(-1, BunchKaufmanKernel.Factor(matrix, n, pivots, new double[2 * n], 0, ref flops));
            for (int k0 = 0; k0 < n;)
            {
                int k = k0;
                while (k < n && k - k0 < panel - 1)
                {
                    bool twoByTwo = pivots[k] < 0;
                    int row = twoByTwo ? -pivots[k] - 1 : pivots[k];
                    interchangePastThePanel |= row >= k0 + panel;
                    k += twoByTwo ? 2 : 1;
                    twoByTwoEndsAPanel |= twoByTwo && k - k0 == panel;
                }

                k0 = k;
            }
        }

        Assert.True(twoByTwoEndsAPanel, $"order {n}, panel {panel}: no 2x2 pivot ends a panel");
        Assert.True(interchangePastThePanel, $"order {n}, panel {panel}: no interchange with a row past the panel");
    }

    [Theory]
    [InlineData(80, 8)]
    [InlineData(96, 16)]
    public void ASingularMatrixStopsAtTheColumnThatHasNoPivot(int n, int panel)
    {
        // Rank 2: after two columns nothing is left to pivot on.
        var matrix = new double[n * n];
        var random = new Random(5);
        double[] u = Enumerable.Range(0, n).Select(_ => random.NextDouble() - 0.5).ToArray();
        double[] v = Enumerable.Range(0, n).Select(_ => random.NextDouble() - 0.5).ToArray();
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                matrix[(i * n) + j] = (u[i] * u[j]) - (v[i] * v[j]);
            }
        }

        long flops = 0;
        int failed = RightLookingBunchKaufmanKernel.Factor(matrix, n, new int[n], new double[RightLookingBunchKaufmanKernel.WorkLength(n, panel)],
            1e-12, ref flops, VectorWidth.Hardware, panel, upperMirrorsLower: true);
        Assert.Equal(2, failed);
    }

    /// <summary>Order and panel width of the failures past the first panel, and the tiles' vector width.</summary>
    public static IEnumerable<object[]> LaterPanelCases => VectorWidthCases.Runnable(2,
        (from bits in new[] { 0, 256, 512 }
         from shape in new[] { (97, 8), (97, 16), (101, 4) }
         select new object[] { shape.Item1, shape.Item2, bits }).ToArray());

    [Theory]
    [MemberData(nameof(LaterPanelCases))]
    public void ASingularMatrixCopiedStopsInALaterPanelWhereTheUnblockedKernelStopsAndIsLeftAsItWas(int n, int panel, int vectorBits)
    {
        // Rank 20 (more than a panel's columns): the stop comes after trailing updates, in the copied square, not in a.
        const int rank = 20;
        var random = new Random(n + panel);
        var matrix = new double[n * n];
        for (int r = 0; r < rank; r++)
        {
            double sign = r % 2 == 0 ? 1 : -1;
            double[] x = Enumerable.Range(0, n).Select(_ => random.NextDouble() - 0.5).ToArray();
            for (int i = 0; i < n; i++)
            {
                for (int j = 0; j < n; j++)
                {
                    matrix[(i * n) + j] += sign * x[i] * x[j];
                }
            }
        }

        const double tinyPivot = 1e-9;
        long flops = 0;
        int expected = BunchKaufmanKernel.Factor((double[])matrix.Clone(), n, new int[n], new double[2 * n], tinyPivot, ref flops);
        Assert.True(expected >= panel, $"order {n}, panel {panel}: the unblocked kernel stops at {expected}, within the first panel");

        foreach (bool mirrored in new[] { false, true })
        {
            // Copied either way (the order is not a multiple of 16); where the upper triangle is not a mirror it holds a mark.
            double[] a = (double[])matrix.Clone();
            for (int i = 0; i < n && !mirrored; i++)
            {
                for (int j = i + 1; j < n; j++)
                {
                    a[(i * n) + j] = 7.0;
                }
            }

            double[] given = (double[])a.Clone();
            double[] work = Enumerable.Repeat(double.NaN, RightLookingBunchKaufmanKernel.WorkLength(n, panel)).ToArray();
            int failed = RightLookingBunchKaufmanKernel.Factor(a, n, new int[n], work, tinyPivot, ref flops, vectorBits, panel, mirrored);
            string label = $"order {n}, panel {panel}, {vectorBits} bits, mirrored {mirrored}";
            Assert.True(expected == failed, $"{label}: stops at {failed}, the unblocked kernel at {expected}");
            for (int i = 0; i < n * n; i++)
            {
                Assert.True(BitConverter.DoubleToInt64Bits(a[i]) == BitConverter.DoubleToInt64Bits(given[i]),
                    $"{label}: entry ({i / n}, {i % n}) {a[i]:R}, given {given[i]:R}");
            }
        }
    }

    /// <summary>The tiles' vector width.</summary>
    public static IEnumerable<object[]> Widths => VectorWidthCases.Runnable(0, new object[] { 0 }, new object[] { 256 }, new object[] { 512 });

    [Theory]
    [MemberData(nameof(Widths))]
    public void TiesAndNaNsBeforeTheColumnMaximumGiveTheUnblockedKernelsPivotsAndStop(int vectorBits)
    {
        // Integer entries, so many magnitudes tie; column 40 (in a later panel) has its largest magnitude twice, in rows 61 and
        // 66 (different vector lanes), which are zero left of it so that no update reaches them, and a NaN before each in its
        // lane at 256 and 512 bits, in rows 45 and 50 (a NaN taken into a lane's maximum would hide both).
        // The columns before it have diagonals large enough to be their own pivots, so that column 40 is searched.
        const int n = 97;
        const int column = 40;
        var random = new Random(11);
        var matrix = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j <= i; j++)
            {
                bool cleared = (i == 61 || i == 66) && j < column;
                matrix[(i * n) + j] = matrix[(j * n) + i] = cleared ? 0 : i == j && i < column ? 100 : random.Next(-3, 4);
            }
        }

        foreach ((int row, double value) in new[] { (45, double.NaN), (50, double.NaN), (61, 1000.0), (66, -1000.0) })
        {
            matrix[(row * n) + column] = matrix[(column * n) + row] = value;
        }

        var referencePivots = new int[n];
        long flops = 0;
        int expected = BunchKaufmanKernel.Factor((double[])matrix.Clone(), n, referencePivots, new double[2 * n], 1e-12, ref flops);
        Assert.True(expected > column, $"the unblocked kernel stops at {expected}, at or before column {column}");
        Assert.True(referencePivots[column] is 61 or -62, $"the unblocked kernel's pivot at column {column} is {referencePivots[column]}, not row 61's");

        foreach (int panel in new[] { 4, 8, 16 })
        {
            foreach (bool mirrored in new[] { false, true })
            {
                double[] a = (double[])matrix.Clone();
                var pivots = new int[n];
                double[] work = new double[RightLookingBunchKaufmanKernel.WorkLength(n, panel)];
                int failed = RightLookingBunchKaufmanKernel.Factor(a, n, pivots, work, 1e-12, ref flops, vectorBits, panel, mirrored);
                string label = $"panel {panel}, {vectorBits} bits, mirrored {mirrored}";
                Assert.True(expected == failed, $"{label}: stops at {failed}, the unblocked kernel at {expected}");
                for (int k = 0; k < expected; k++)
                {
                    Assert.True(referencePivots[k] == pivots[k], $"{label}: pivot {k} is {pivots[k]}, the unblocked kernel's {referencePivots[k]}");
                }
            }
        }
    }
}
