using System;
using System.Collections.Generic;
using System.Linq;
using HessianCodegen.LinearAlgebra;
using HessianCodegen.Tests.Infrastructure;
using Xunit;

namespace HessianCodegen.Tests;

/// <summary>
/// <see cref="FourRowCombination"/>'s <c>Subtract</c> against the plain double loop of <c>target[row_i, c] -= sum_k coefficients[4 k + i]
/// rows[k stride + c]</c>, at each vector width (512, 256, 0: plain loops; a width this machine lacks is left out), with column
/// counts that end in whole 16- and 8-column tiles, in the narrow vectors and in single columns, rows of the target in no
/// order, zero coefficients, and the target rows not named left as they were. With a transposed target, the four updated rows
/// as its columns and nothing else written, for consecutive rows (turned 4 x 4 in registers) and rows in no order.
/// </summary>
public sealed class FourRowCombinationTests
{
    public static IEnumerable<object[]> Cases => VectorWidthCases.Runnable(2,
        (from bits in new[] { 0, 256, 512 }
         from shape in new[] { (1, 1), (3, 4), (8, 8), (5, 16), (9, 32), (8, 64), (8, 72), (7, 45), (2, 100) }
         from consecutive in new[] { false, true }
         select new object[] { shape.Item1, shape.Item2, bits, consecutive }).ToArray());

    [Theory]
    [MemberData(nameof(Cases))]
    public void Matches_the_plain_loop(int count, int columns, int vectorBits, bool consecutive)
    {
        var random = new Random((count * 1000) + columns + vectorBits);
        int[] targetRows = consecutive ? [2, 3, 4, 5] : [4, 1, 6, 2];
        int stride = columns + 3;
        double[] coefficients = Enumerable.Range(0, 4 * count).Select(i => i % 7 == 3 ? 0 : random.NextDouble() - 0.5).ToArray();
        double[] rows = Enumerable.Range(0, ((count - 1) * stride) + columns).Select(_ => random.NextDouble() - 0.5).ToArray();
        double[] target = Enumerable.Range(0, 7 * columns).Select(_ => random.NextDouble() - 0.5).ToArray();
        double[] expected = (double[])target.Clone();
        for (int i = 0; i < 4; i++)
        {
            for (int c = 0; c < columns; c++)
            {
                for (int k = 0; k < count; k++)
                {
                    expected[(targetRows[i] * columns) + c] -= coefficients[(4 * k) + i] * rows[(k * stride) + c];
                }
            }
        }

        double[] plainTarget = (double[])target.Clone();
        long flops = FourRowCombination.Subtract(plainTarget, columns, targetRows[0], targetRows[1], targetRows[2], targetRows[3], coefficients, rows, stride, vectorBits, [], 0);
        Assert.Equal(2L * coefficients.Count(value => value != 0) * columns, flops);

        const int TransposedColumns = 9;
        double[] transposed = Enumerable.Repeat(double.NaN, columns * TransposedColumns).ToArray();
        FourRowCombination.Subtract(target, columns, targetRows[0], targetRows[1], targetRows[2], targetRows[3], coefficients, rows, stride, vectorBits,
            transposed, TransposedColumns);
        Assert.Equal(plainTarget, target);
        for (int index = 0; index < target.Length; index++)
        {
            Assert.True(Math.Abs(target[index] - expected[index]) <= 1e-14 * (1 + count),
                $"target[{index / columns}, {index % columns}] = {target[index]}, expected {expected[index]}");
        }

        for (int c = 0; c < columns; c++)
        {
            for (int row = 0; row < TransposedColumns; row++)
            {
                double value = transposed[(c * TransposedColumns) + row];
                if (targetRows.Contains(row))
                {
                    Assert.True(value == target[(row * columns) + c], $"transposed[{c}, {row}] = {value}, expected {target[(row * columns) + c]}");
                }
                else
                {
                    Assert.True(double.IsNaN(value), $"transposed[{c}, {row}] = {value} was written; row {row} is not one of the four");
                }
            }
        }
    }

    public static IEnumerable<object[]> WidthCases => VectorWidthCases.Runnable(2,
        (from bits in new[] { 0, 256, 512 }
         from shape in new[] { (37, 0), (37, 16), (37, 32), (72, 16), (72, 48), (72, 64), (80, 64), (72, 72) }
         select new object[] { shape.Item1, shape.Item2, bits }).ToArray());

    /// <summary>Over the first columns alone (a multiple of 16, or all): those columns the whole update's to the bit, the others untouched.</summary>
    [Theory]
    [MemberData(nameof(WidthCases))]
    public void Updates_the_first_columns_as_the_whole_update_does(int columns, int width, int vectorBits)
    {
        const int Count = 8;
        var random = new Random((columns * 100) + width + vectorBits);
        int stride = columns + 5;
        double[] coefficients = Enumerable.Range(0, 4 * Count).Select(_ => random.NextDouble() - 0.5).ToArray();
        double[] rows = Enumerable.Range(0, ((Count - 1) * stride) + columns).Select(_ => random.NextDouble() - 0.5).ToArray();
        double[] before = Enumerable.Range(0, 6 * columns).Select(_ => random.NextDouble() - 0.5).ToArray();
        double[] whole = (double[])before.Clone();
        double[] first = (double[])before.Clone();
        FourRowCombination.Subtract(whole, columns, 5, 0, 3, 1, coefficients, rows, stride, vectorBits, [], 0);
        long flops = FourRowCombination.SubtractLeadingColumns(first, columns, width, 5, 0, 3, 1, coefficients, rows, stride, vectorBits, [], 0);
        Assert.Equal(2L * 4 * Count * width, flops);
        for (int index = 0; index < first.Length; index++)
        {
            double expected = index % columns < width ? whole[index] : before[index];
            Assert.True(first[index] == expected, $"entry ({index / columns}, {index % columns}) of width {width}: {first[index]:R}, expected {expected:R}");
        }
    }

    [Fact]
    public void Rejects_a_width_not_whole_16_columns_or_transposed()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            FourRowCombination.SubtractLeadingColumns(new double[4 * 40], 40, 20, 0, 1, 2, 3, new double[4], new double[40], 40, 0, [], 0));
        Assert.Throws<ArgumentException>(() =>
            FourRowCombination.SubtractLeadingColumns(new double[4 * 40], 40, 32, 0, 1, 2, 3, new double[4], new double[40], 40, 0, new double[160], 4));
    }

    [Theory]
    [InlineData(0, 1, 2, 1)]
    [InlineData(3, 1, 2, 3)]
    [InlineData(0, 0, 2, 3)]
    public void Rejects_target_rows_that_repeat(int row0, int row1, int row2, int row3)
    {
        var error = Assert.Throws<ArgumentException>(() =>
            FourRowCombination.Subtract(new double[16], 4, row0, row1, row2, row3, new double[4], new double[4], 4, 0, [], 0));
        Assert.Contains("distinct", error.Message);
    }

    [Fact]
    public void Rejects_a_negative_stride()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() =>
            FourRowCombination.Subtract(new double[16], 4, 0, 1, 2, 3, new double[8], new double[8], -4, 0, [], 0));
        Assert.Equal("stride", error.ParamName);
    }

    [Fact]
    public void Rejects_a_transposed_target_that_does_not_hold_the_rows()
    {
        // Row 3 is column 3 of the transpose: rows of 3 columns leave it out.
        var error = Assert.Throws<ArgumentException>(() =>
            FourRowCombination.Subtract(new double[16], 4, 0, 1, 2, 3, new double[4], new double[4], 4, 0, new double[12], 3));
        Assert.Equal("transposed", error.ParamName);
    }

    [Fact]
    public void Rejects_target_rows_that_do_not_fit()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            FourRowCombination.Subtract(new double[8], 4, 0, 1, 2, 3, new double[4], new double[4], 4, 0, [], 0));
        Assert.Contains("target", error.Message);
    }
}
