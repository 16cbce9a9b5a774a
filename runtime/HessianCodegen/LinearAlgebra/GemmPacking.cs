using System;

namespace HessianCodegen.LinearAlgebra;

/// <summary>
/// Copies blocks of the operands of <see cref="PackedGemm"/> into the order <see cref="GemmMicroKernel"/>
/// reads them (BLIS "packing"): <c>op(a)</c> in panels of <see cref="GemmMicroKernel.Rows"/> rows and
/// <c>op(b)</c> in panels of <see cref="GemmMicroKernel.Columns"/> columns, each panel contiguous, one
/// short line of values per term <c>k</c>, the last panel padded with zeros. The transposes are resolved
/// here, so the kernel sees one layout.
/// </summary>
internal static class GemmPacking
{
    /// <summary>
    /// Packs rows <paramref name="row0"/> to <c>row0 + rows</c> and terms <paramref name="k0"/> to <c>k0 + inner</c> of
    /// <c>op(a)</c> into <paramref name="packed"/>: panel <c>q</c>, term <c>k</c>, row <c>r</c> at
    /// <c>(q inner + k) Rows + r</c>.
    /// </summary>
    public static void PackA(bool transposeA, ReadOnlySpan<double> a, int aStride, int row0, int rows, int k0, int inner, Span<double> packed)
    {
        const int Rows = GemmMicroKernel.Rows;
        for (int q = 0; q * Rows < rows; q++)
        {
            int first = row0 + (q * Rows);
            int count = Math.Min(Rows, rows - (q * Rows));
            Span<double> panel = packed.Slice(q * inner * Rows, inner * Rows);
            if (transposeA)
            {
                // op(a)'s rows are a's columns: each term's values lie side by side in a row of a.
                for (int k = 0; k < inner; k++)
                {
                    Span<double> target = panel.Slice(k * Rows, Rows);
                    a.Slice(((k0 + k) * aStride) + first, count).CopyTo(target);
                    target[count..].Clear();
                }
            }
            else
            {
                for (int r = 0; r < count; r++)
                {
                    ReadOnlySpan<double> source = a.Slice(((first + r) * aStride) + k0, inner);
                    for (int k = 0; k < inner; k++)
                    {
                        panel[(k * Rows) + r] = source[k];
                    }
                }

                for (int r = count; r < Rows; r++)
                {
                    for (int k = 0; k < inner; k++)
                    {
                        panel[(k * Rows) + r] = 0;
                    }
                }
            }
        }
    }

    /// <summary>
    /// Packs terms <paramref name="k0"/> to <c>k0 + inner</c> and columns <paramref name="column0"/> to
    /// <c>column0 + columns</c> of <c>op(b)</c> into <paramref name="packed"/>: panel <c>q</c>, term <c>k</c>, column
    /// <c>j</c> at <c>(q inner + k) Columns + j</c>.
    /// </summary>
    public static void PackB(bool transposeB, ReadOnlySpan<double> b, int bStride, int k0, int inner, int column0, int columns, Span<double> packed)
    {
        const int Columns = GemmMicroKernel.Columns;
        for (int q = 0; q * Columns < columns; q++)
        {
            int first = column0 + (q * Columns);
            int count = Math.Min(Columns, columns - (q * Columns));
            Span<double> panel = packed.Slice(q * inner * Columns, inner * Columns);
            if (transposeB)
            {
                // op(b)'s columns are b's rows: gather one value from each of them per term.
                for (int j = 0; j < count; j++)
                {
                    ReadOnlySpan<double> source = b.Slice(((first + j) * bStride) + k0, inner);
                    for (int k = 0; k < inner; k++)
                    {
                        panel[(k * Columns) + j] = source[k];
                    }
                }

                for (int j = count; j < Columns; j++)
                {
                    for (int k = 0; k < inner; k++)
                    {
                        panel[(k * Columns) + j] = 0;
                    }
                }
            }
            else
            {
                for (int k = 0; k < inner; k++)
                {
                    Span<double> target = panel.Slice(k * Columns, Columns);
                    b.Slice(((k0 + k) * bStride) + first, count).CopyTo(target);
                    target[count..].Clear();
                }
            }
        }
    }
}
