using System;
using System.Collections.Generic;
using System.Linq;
using HessianCodegen.LinearAlgebra;
using HessianCodegen.Tests.Infrastructure;
using Xunit;

namespace HessianCodegen.Tests;

/// <summary>
/// <see cref="StripTriangularSolve.SolveLowerRows(ReadOnlySpan{double}, int, Span{double}, int, ReadOnlySpan{int}, int)"/>, the solve
/// on rows scattered among others (the low-rank route's core rows among a group's rows of <c>Y</c>): against plain forward substitution
/// on the rows gathered, the other rows left as they were, bit for bit; and, at each vector width, bit for bit against
/// <see cref="StripTriangularSolve.SolveLower(ReadOnlySpan{double}, int, Span{double}, int, int)"/> on the rows copied out, which the
/// route took before. Orders below, at and across the tiles of four rows, widths below, at and across the strips.
/// </summary>
public sealed class StripTriangularSolveRowsTests
{
    /// <summary>Order, right-hand sides, other rows and the tiles' vector width (512, 256, 0: plain loops); a width this machine lacks is left out.</summary>
    public static IEnumerable<object[]> Cases => VectorWidthCases.Runnable(3,
        (from bits in new[] { 0, 256, 512 }
         from shape in new[] { (1, 1, 0), (3, 16, 2), (4, 8, 5), (5, 17, 1), (13, 64, 9), (72, 40, 30), (128, 128, 144) }
         select new object[] { shape.Item1, shape.Item2, shape.Item3, bits }).ToArray());

    [Theory]
    [MemberData(nameof(Cases))]
    public void Solves_the_rows_named_and_leaves_the_others(int n, int width, int others, int vectorBits)
    {
        var random = new Random((n * 1000) + width + others);
        double[] factor = LowerFactor(random, n);
        int total = n + others;
        double[] rows = RandomValues.Uniform(random, total * width);
        int[] indices = Enumerable.Range(0, total).OrderBy(_ => random.Next()).Take(n).ToArray();

        // Forward substitution on the rows gathered, column by column.
        double[] expected = (double[])rows.Clone();
        for (int c = 0; c < width; c++)
        {
            for (int i = 0; i < n; i++)
            {
                double sum = expected[(indices[i] * width) + c];
                for (int j = 0; j < i; j++)
                {
                    sum -= factor[(i * n) + j] * expected[(indices[j] * width) + c];
                }

                expected[(indices[i] * width) + c] = sum / factor[(i * n) + i];
            }
        }

        // The contiguous solve on a copy of the rows, moved back: the same strips, so the same bits.
        double[] copied = new double[n * width];
        for (int i = 0; i < n; i++)
        {
            rows.AsSpan(indices[i] * width, width).CopyTo(copied.AsSpan(i * width));
        }

        StripTriangularSolve.SolveLower(factor, n, copied, width, vectorBits);
        double[] before = (double[])rows.Clone();
        StripTriangularSolve.SolveLowerRows(factor, n, rows, width, indices, vectorBits);

        double scale = expected.Select(Math.Abs).DefaultIfEmpty(0).Max();
        for (int r = 0; r < total; r++)
        {
            int i = Array.IndexOf(indices, r);
            for (int c = 0; c < width; c++)
            {
                double actual = rows[(r * width) + c];
                if (i < 0)
                {
                    Assert.True(actual.Equals(before[(r * width) + c]), $"order {n}, width {width}, {vectorBits} bits: row {r}, not named, changed to {actual:R}");
                    continue;
                }

                Assert.True(Math.Abs(actual - expected[(r * width) + c]) <= 1e-14 * scale,
                    $"order {n}, width {width}, {vectorBits} bits: row {r} (solve row {i}), column {c}: {actual:R} against {expected[(r * width) + c]:R}");
                if (vectorBits != 0)
                {
                    Assert.True(actual.Equals(copied[(i * width) + c]),
                        $"order {n}, width {width}, {vectorBits} bits: row {r} (solve row {i}), column {c}: {actual:R}, the copy's {copied[(i * width) + c]:R}");
                }
            }
        }
    }

    [Fact]
    public void Refuses_a_row_index_out_of_range_or_a_count_not_the_order()
    {
        double[] factor = LowerFactor(new Random(1), 2);
        double[] rows = new double[3 * 4];
        Assert.Throws<ArgumentOutOfRangeException>(() => StripTriangularSolve.SolveLowerRows(factor, 2, rows, 4, [0, 3]));
        Assert.Throws<ArgumentOutOfRangeException>(() => StripTriangularSolve.SolveLowerRows(factor, 2, rows, 4, [-1, 1]));
        Assert.Throws<ArgumentException>(() => StripTriangularSolve.SolveLowerRows(factor, 2, rows, 4, [0]));
        Assert.Throws<ArgumentException>(() => StripTriangularSolve.SolveLowerRows(factor, 2, rows.AsSpan(0, 11), 4, [0, 1]));
    }

    [Fact]
    public void Refuses_a_row_named_twice()
    {
        // Two rows of L on one row of Y would be solved as two and written back twice: silently wrong.
        double[] factor = LowerFactor(new Random(2), 3);
        double[] rows = new double[4 * 5];
        Assert.Throws<ArgumentOutOfRangeException>(() => StripTriangularSolve.SolveLowerRows(factor, 3, rows, 5, [2, 0, 2]));
    }

    [Fact]
    public void Returns_without_right_hand_sides_as_SolveLower_does()
    {
        // No columns: no rows to name, so any index is in no row's range; SolveLower returns here, and so does the rows' solve.
        double[] factor = LowerFactor(new Random(3), 2);
        StripTriangularSolve.SolveLower(factor, 2, [], 0);
        StripTriangularSolve.SolveLowerRows(factor, 2, [], 0, [0, 1]);
    }

    /// <summary>A well-conditioned <c>L</c> in the lower triangle; NaN above, which would spoil the result if read.</summary>
    private static double[] LowerFactor(Random random, int n)
    {
        double[] factor = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                factor[(i * n) + j] = j < i ? (random.NextDouble() - 0.5) / n : j == i ? 1 + random.NextDouble() : double.NaN;
            }
        }

        return factor;
    }
}
