using System;
using System.Collections.Generic;
using System.Linq;
using HessianCodegen.Tests.Infrastructure;
using Xunit;

namespace HessianCodegen.Tests;

/// <summary>
/// <see cref="GroupedJacobianProduct"/>'s <c>SubtractTransposeProduct</c> against the triple loop of <c>target -= Dx^T b</c>, on a
/// <c>Dx</c> built group by group: parameters dealt to groups in a shuffled order (so a group's parameters are not
/// contiguous), each row in one group with zeros among its values, some rows all zero. Rows one per example (evenly
/// spaced, read in place) and rows in no order (gathered) each take their own branch, and so do groups of one row (batch 1).
/// Groups of four or more parameters take <see cref="HessianCodegen.LinearAlgebra.FourRowCombination"/>'s tiles, at each vector width
/// (512, 256, 0: plain loops; a width this machine lacks is left out); the width-8 batch-8 shape (9 parameters, 8 rows a group,
/// 64 and 72 columns) among them. The parameters left over go two at a time (<see cref="LinearAlgebra.RankUpdate.SubtractCombinations"/>),
/// then one alone; 37, 64 and 72 columns reach the pairs' blocks of four vectors (16 columns at 256 bits), and a value that is zero
/// in one parameter of a pair but not the other happens in most groups. With a transposed target asked for, it holds the updated
/// target's transpose exactly; with a square target, the lower triangle alone (rows stopped past their diagonal) is the whole
/// product's to the bit. The dense layer's own layout (a group's parameters consecutive), a parameter no row touches and
/// Dx all zero have their own cases.
/// </summary>
public sealed class GroupedJacobianProductTests
{
    public static IEnumerable<object[]> Cases => VectorWidthCases.Runnable(5,
        (from bits in new[] { 0, 256, 512 }
         from shape in new (bool Spaced, int P, int Groups, int Batch, int Columns)[]
         {
             (true, 7, 3, 5, 9), (true, 13, 4, 2, 11), (false, 11, 3, 3, 7), (false, 23, 5, 4, 1), (true, 9, 4, 1, 8), (true, 17, 3, 1, 5),
             (true, 72, 8, 8, 64), (true, 72, 8, 8, 72), (false, 41, 3, 5, 37), (true, 30, 2, 3, 45),
             (true, 9, 2, 3, 64), (false, 11, 3, 4, 37), (true, 13, 4, 2, 72), (true, 17, 3, 1, 37),
             (true, 41, 5, 3, 41), (false, 37, 3, 4, 37), (true, 17, 3, 1, 17),
         }
         select new object[] { shape.Spaced, shape.P, shape.Groups, shape.Batch, shape.Columns, bits }).ToArray());

    [Theory]
    [MemberData(nameof(Cases))]
    public void Matches_the_triple_loop(bool spacedRows, int p, int groupCount, int batch, int columns, int vectorBits)
    {
        var random = new Random(p + (31 * groupCount) + (7 * batch) + columns);
        int[] groupOfParameter = Enumerable.Range(0, p).Select(j => j % groupCount).OrderBy(_ => random.Next()).ToArray();

        // Spaced: row n groupCount + g belongs to group g (an example's rows one per output, as a dense layer's). Else a
        // random group per row; every fifth row is zero.
        int m = (batch * groupCount) + 1;
        var dx = new double[m * p];
        for (int r = 0; r < m; r++)
        {
            int group = spacedRows ? r % groupCount : random.Next(groupCount);
            bool zeroRow = spacedRows ? r == m - 1 : r % 5 == 4;
            for (int j = 0; j < p && !zeroRow; j++)
            {
                dx[(r * p) + j] = groupOfParameter[j] == group && random.Next(4) > 0 ? random.NextDouble() - 0.5 : 0;
            }
        }

        ParameterGroups groups = ParameterGroups.Find([], dx, p, m);

        // The spaced cases must really take the in-place branch with more than one row (a stride to follow), the others the gather.
        bool inPlace = groups.Rows.Any(rows => rows.Length > 1 && GroupedJacobianProduct.IsEvenlySpaced(rows));
        bool gathered = groups.Rows.Any(rows => !GroupedJacobianProduct.IsEvenlySpaced(rows));
        Assert.Equal(spacedRows, (inPlace || batch == 1) && !gathered);
        AssertMatchesTheTripleLoop(groups, dx, p, m, columns, vectorBits, random);
    }

    public static IEnumerable<object[]> LayoutCases => VectorWidthCases.Runnable(1,
        (from bits in new[] { 0, 256, 512 }
         from layout in new[] { "contiguous", "zero column", "all zero" }
         from columns in new[] { 64, 72 }
         select new object[] { layout, columns, bits }).ToArray());

    /// <summary>
    /// The dense layer's layout (9 parameters a group, consecutive: 8 weights and the bias, so the four-parameter tiles turn 4 x 4
    /// blocks in registers), a parameter that no row of Dx touches (its group has no rows: its column of the transpose is copied
    /// at the end), and Dx all zero (nothing to subtract: the transpose is the target's); 72 columns, a square target, also take
    /// the lower triangle alone, whose first groups' rows stop well short of the last column.
    /// </summary>
    [Theory]
    [MemberData(nameof(LayoutCases))]
    public void Matches_the_triple_loop_in_the_dense_layout_and_with_untouched_parameters(string layout, int columns, int vectorBits)
    {
        const int p = 72, groupCount = 8, batch = 8;
        var random = new Random(layout.Length + vectorBits + columns);
        int m = batch * groupCount;
        var dx = new double[m * p];
        for (int r = 0; r < m && layout != "all zero"; r++)
        {
            for (int j = (r % groupCount) * 9; j < ((r % groupCount) + 1) * 9; j++)
            {
                dx[(r * p) + j] = layout == "zero column" && j == 13 ? 0 : random.NextDouble() - 0.5;
            }
        }

        ParameterGroups groups = ParameterGroups.Find([], dx, p, m);
        switch (layout)
        {
            case "contiguous":
                Assert.Equal(groupCount, groups.Parameters.Length);
                Assert.All(groups.Parameters, parameters => Assert.Equal(Enumerable.Range(parameters[0], 9), parameters));
                break;
            case "zero column":
                Assert.Contains(groups.Rows, rows => rows.Length == 0);
                break;
            default:
                Assert.Equal(0, groups.LargestRowCount);
                break;
        }

        AssertMatchesTheTripleLoop(groups, dx, p, m, columns, vectorBits, random);
    }

    [Fact]
    public void Refuses_a_lower_triangle_not_square_or_with_a_transposed_target()
    {
        const int p = 4, m = 2;
        double[] dx = [1, 0, 0, 0, 0, 1, 0, 0];
        ParameterGroups groups = ParameterGroups.Find([], dx, p, m);
        Assert.Throws<ArgumentException>(() =>
            GroupedJacobianProduct.SubtractTransposeProduct(groups, dx, p, m, new double[m * 5], 5, new double[p * 5], [], 0, lowerTriangle: true));
        Assert.Throws<ArgumentException>(() =>
            GroupedJacobianProduct.SubtractTransposeProduct(groups, dx, p, m, new double[m * p], p, new double[p * p], new double[p * p], 0, lowerTriangle: true));
    }

    /// <summary>
    /// The product with and without a transposed target against the triple loop; the transpose exactly the updated target's. A
    /// square target's lower triangle alone as well: its values the whole product's to the bit, the entries from its group's
    /// highest parameter's diagonal rounded up to 16 columns on untouched (a group of one row updates whole rows), in fewer flops
    /// than the whole product where any row stops short.
    /// </summary>
    private static void AssertMatchesTheTripleLoop(ParameterGroups groups, double[] dx, int p, int m, int columns, int vectorBits, Random random)
    {
        double[] b = Enumerable.Range(0, m * columns).Select(_ => random.NextDouble() - 0.5).ToArray();
        double[] target = Enumerable.Range(0, p * columns).Select(_ => random.NextDouble() - 0.5).ToArray();
        double[] expected = (double[])target.Clone();
        for (int j = 0; j < p; j++)
        {
            for (int c = 0; c < columns; c++)
            {
                for (int r = 0; r < m; r++)
                {
                    expected[(j * columns) + c] -= dx[(r * p) + j] * b[(r * columns) + c];
                }
            }
        }

        double[] transposed = Enumerable.Repeat(double.NaN, columns * p).ToArray();
        double[] withTranspose = (double[])target.Clone();
        double[] lowerTriangle = (double[])target.Clone();
        GroupedJacobianProduct.SubtractTransposeProduct(groups, dx, p, m, b, columns, withTranspose, transposed, vectorBits);
        long wholeFlops = GroupedJacobianProduct.SubtractTransposeProduct(groups, dx, p, m, b, columns, target, [], vectorBits);
        Assert.Equal(target, withTranspose);
        if (columns == p)
        {
            // A square target's lower triangle alone: the same values to the bit up to each row's diagonal; from its group's highest
            // parameter's diagonal rounded up to 16 columns on, the value before; between, either.
            double[] before = (double[])lowerTriangle.Clone();
            long lowerFlops = GroupedJacobianProduct.SubtractTransposeProduct(groups, dx, p, m, b, columns, lowerTriangle, [], vectorBits, lowerTriangle: true);
            int[] untouchedFrom = Enumerable.Repeat(p, p).ToArray();
            for (int g = 0; g < groups.Parameters.Length; g++)
            {
                if (groups.Rows[g].Length > 1)
                {
                    int from = Math.Min(p, (groups.Parameters[g].Max() + 16) & ~15);
                    foreach (int j in groups.Parameters[g])
                    {
                        untouchedFrom[j] = from;
                    }
                }
            }

            for (int j = 0; j < p; j++)
            {
                for (int c = 0; c < columns; c++)
                {
                    double value = lowerTriangle[(j * columns) + c];
                    double whole = target[(j * columns) + c];
                    double untouched = before[(j * columns) + c];
                    Assert.True(c <= j ? value == whole : c >= untouchedFrom[j] ? value == untouched : value == whole || value == untouched,
                        $"lower triangle, entry ({j}, {c}): {value:R}, whole product {whole:R}, before {untouched:R}, untouched from column {untouchedFrom[j]}");
                }
            }

            // Rows stopped short of the last column (a group of more than one row with a non-zero in it) cost fewer flops.
            bool stopsShort = Enumerable.Range(0, groups.Parameters.Length).Any(g =>
                groups.Rows[g].Length > 1 && ((groups.Parameters[g].Max() + 16) & ~15) < p && groups.Parameters[g].Any(j => groups.Rows[g].Any(r => dx[(r * p) + j] != 0)));
            Assert.True(stopsShort ? lowerFlops < wholeFlops : lowerFlops <= wholeFlops, $"lower triangle {lowerFlops} flops, whole product {wholeFlops}");
        }

        for (int j = 0; j < p; j++)
        {
            for (int c = 0; c < columns; c++)
            {
                Assert.True(transposed[(c * p) + j] == target[(j * columns) + c], $"transposed[{c}, {j}] = {transposed[(c * p) + j]}, expected {target[(j * columns) + c]}");
            }
        }

        for (int index = 0; index < target.Length; index++)
        {
            Assert.True(Math.Abs(target[index] - expected[index]) <= 1e-13 * (1 + m),
                $"target[{index / columns}, {index % columns}] = {target[index]}, expected {expected[index]}");
        }
    }
}
