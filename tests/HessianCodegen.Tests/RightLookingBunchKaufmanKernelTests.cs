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
/// pivot.
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
            double[] matrix = RandomSymmetric(n, diagonal, seed: n + (int)(100 * diagonal));
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

    [Fact]
    public void TheTestMatricesTakeInterchangesAndTwoByTwoPivotsAcrossPanels()
    {
        const int n = 131;
        double[] matrix = RandomSymmetric(n, 0.0, seed: n);
        var pivots = new int[n];
        long flops = 0;
        Assert.Equal(-1, BunchKaufmanKernel.Factor(matrix, n, pivots, new double[2 * n], 0, ref flops));
        Assert.Contains(pivots.Take(100), pivot => pivot < 0);
        Assert.Contains(pivots.Select((pivot, k) => (pivot, k)).Take(100), entry => entry.pivot >= 0 && entry.pivot != entry.k);
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

    private static double[] RandomSymmetric(int n, double diagonal, int seed)
    {
        var random = new Random(seed);
        var a = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < i; j++)
            {
                a[(i * n) + j] = a[(j * n) + i] = random.NextDouble() - 0.5;
            }

            a[(i * n) + i] = diagonal * (random.NextDouble() - 0.5);
        }

        return a;
    }
}
