using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace HessianCodegen.LinearAlgebra;

/// <summary>
/// Four rows of a rank-k update at once, <c>target[row_i, c] -= sum_k coefficients[4 k + i] rows[k stride + c]</c>: a
/// register tile of four target rows by 16 columns (<see cref="RegisterTile512"/>; 8 columns with 256-bit ones, <see cref="RegisterTile256"/>), so that each
/// vector of <c>rows</c> loaded feeds four multiply-adds. <see cref="GroupedJacobianProduct"/>'s products at a small state
/// (<c>m = 64</c>: eight terms a group) were one or two multiply-adds per load with <see cref="RankUpdate"/>'s rows.
/// </summary>
internal static class FourRowCombination
{
    /// <summary>
    /// <c>target[row_i * columns + c] -= sum_k coefficients[4 k + i] * rows[k * stride + c]</c> for <c>i</c> in 0..3 and
    /// every <c>c</c> below <paramref name="columns"/>, with vectors of <paramref name="vectorBits"/> (0, 256 or 512), the four
    /// target rows distinct and the coefficients laid four per term, a term's four side by side; then the
    /// four updated rows also written as columns of <paramref name="transposed"/> (<paramref name="columns"/> rows of
    /// <paramref name="transposedColumns"/>: <c>transposed[c * transposedColumns + row_i] = target[row_i * columns + c]</c>) while
    /// they are in L1, four at a time where the rows are consecutive, so that a caller who needs both layouts transposes nothing.
    /// Nothing is written to <paramref name="transposed"/> where it is empty.
    /// </summary>
    /// <returns>The floating-point operations performed, two per non-zero coefficient and column.</returns>
    public static long Subtract(Span<double> target, int columns, int row0, int row1, int row2, int row3,
        ReadOnlySpan<double> coefficients, ReadOnlySpan<double> rows, int stride, int vectorBits, Span<double> transposed, int transposedColumns) =>
        SubtractLeadingColumns(target, columns, columns, row0, row1, row2, row3, coefficients, rows, stride, vectorBits, transposed, transposedColumns);

    /// <summary>
    /// <see cref="Subtract(Span{double}, int, int, int, int, int, ReadOnlySpan{double}, ReadOnlySpan{double}, int, int, Span{double}, int)"/>
    /// over the first <paramref name="width"/> of the <paramref name="columns"/> columns only (the rest of the rows untouched): each
    /// column's sums are the same operations whatever the width, where the width is a multiple of 16 or all the columns (the 512-bit
    /// tiles' 16 columns, the 256-bit ones' 8 and the vectors' 4 all divide 16, so no column moves between a tile and the tail). A
    /// caller that needs a symmetric product's lower triangle alone stops each row's columns past its diagonal so. A non-empty
    /// <paramref name="transposed"/> is refused (<see cref="ArgumentException"/>) unless the width is all the columns.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static long SubtractLeadingColumns(Span<double> target, int columns, int width, int row0, int row1, int row2, int row3,
        ReadOnlySpan<double> coefficients, ReadOnlySpan<double> rows, int stride, int vectorBits, Span<double> transposed, int transposedColumns)
    {
        VectorWidth.Validate(vectorBits);
        if (width < 0 || width > columns || (width != columns && width % 16 != 0))
        {
            throw new ArgumentOutOfRangeException(nameof(width), width, $"The width must be all {columns} columns or a multiple of 16 below them.");
        }

        if (width != columns && !transposed.IsEmpty)
        {
            throw new ArgumentException("Only rows updated over all their columns are transposed.", nameof(transposed));
        }

        int count = coefficients.Length / 4;
        if (coefficients.Length != 4 * count)
        {
            throw new ArgumentException($"coefficients has {coefficients.Length} values; expected four per term.", nameof(coefficients));
        }

        if (row0 == row1 || row0 == row2 || row0 == row3 || row1 == row2 || row1 == row3 || row2 == row3)
        {
            throw new ArgumentException($"The target rows are {row0}, {row1}, {row2}, {row3}; expected four distinct rows.", nameof(target));
        }

        if (stride < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(stride), stride, "The stride between terms' rows must not be negative.");
        }

        int highest = Math.Max(Math.Max(row0, row1), Math.Max(row2, row3));
        int lowest = Math.Min(Math.Min(row0, row1), Math.Min(row2, row3));
        if (lowest < 0 || (long)(highest + 1) * columns > target.Length)
        {
            throw new ArgumentException($"target has {target.Length} values; rows {row0}, {row1}, {row2}, {row3} of {columns} columns do not fit.", nameof(target));
        }

        if (!transposed.IsEmpty && (highest >= transposedColumns || (long)(columns - 1) * transposedColumns + highest >= transposed.Length))
        {
            throw new ArgumentException($"transposed has {transposed.Length} values in rows of {transposedColumns}; expected {columns} rows " +
                $"with column {highest} in them.", nameof(transposed));
        }

        if (count == 0 || columns == 0)
        {
            WriteTransposed(target, columns, row0, row1, row2, row3, transposed, transposedColumns, vectorBits);
            return 0;
        }

        // Every access below stays inside these bounds, checked once here instead of per load.
        if (rows.Length < ((long)(count - 1) * stride) + width)
        {
            throw new ArgumentException($"rows has {rows.Length} values; expected at least {((long)(count - 1) * stride) + width}.", nameof(rows));
        }

        long used = 0;
        foreach (double coefficient in coefficients)
        {
            used += coefficient != 0 ? 1 : 0;
        }

        int column = vectorBits switch
        {
            512 => Tiles512(target, columns, width, row0, row1, row2, row3, coefficients, count, rows, stride),
            256 => Tiles256(target, columns, width, row0, row1, row2, row3, coefficients, count, rows, stride),
            _ => 0,
        };

        // The columns past the last whole vector, one at a time.
        for (; column < width; column++)
        {
            double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
            for (int k = 0; k < count; k++)
            {
                double value = rows[(k * stride) + column];
                s0 += coefficients[4 * k] * value;
                s1 += coefficients[(4 * k) + 1] * value;
                s2 += coefficients[(4 * k) + 2] * value;
                s3 += coefficients[(4 * k) + 3] * value;
            }

            target[(row0 * columns) + column] -= s0;
            target[(row1 * columns) + column] -= s1;
            target[(row2 * columns) + column] -= s2;
            target[(row3 * columns) + column] -= s3;
        }

        WriteTransposed(target, columns, row0, row1, row2, row3, transposed, transposedColumns, vectorBits);
        return 2 * used * width;
    }

    /// <summary>The four rows as columns of <paramref name="transposed"/>: 4 x 4 blocks turned in registers where the rows are consecutive.</summary>
    private static void WriteTransposed(ReadOnlySpan<double> target, int columns, int row0, int row1, int row2, int row3,
        Span<double> transposed, int transposedColumns, int vectorBits)
    {
        if (transposed.IsEmpty)
        {
            return;
        }

        int column = 0;
        if (vectorBits >= 256 && Avx.IsSupported && row1 == row0 + 1 && row2 == row0 + 2 && row3 == row0 + 3)
        {
            ref double t0 = ref Unsafe.Add(ref MemoryMarshal.GetReference(target), row0 * columns);
            ref double outStart = ref Unsafe.Add(ref MemoryMarshal.GetReference(transposed), row0);
            for (; column + 4 <= columns; column += 4)
            {
                MatrixKernels.Transpose4x4(ref Unsafe.Add(ref t0, column), columns, ref Unsafe.Add(ref outStart, column * transposedColumns), transposedColumns);
            }
        }

        for (; column < columns; column++)
        {
            int at = column * transposedColumns;
            transposed[at + row0] = target[(row0 * columns) + column];
            transposed[at + row1] = target[(row1 * columns) + column];
            transposed[at + row2] = target[(row2 * columns) + column];
            transposed[at + row3] = target[(row3 * columns) + column];
        }
    }

    // RegisterTile's tiles, the four target rows anywhere (a group's four parameters are any four rows of the target). The
    // private 4 x 32 tile at 512 bits this replaced measured the same as RegisterTile512's 4 x 16 (width 8, depth 128, batch 8,
    // two sessions of nine alternating runs: medians of the same-run ratios 0.998 and 0.997), so the shared one is used. Its SubtractProducts negates each broadcast;
    // the caller gathering -Dx for AddProducts measured 1.008 of the time (seven alternating runs), so the sign stays here.

    /// <summary>The 512-bit tiles: <see cref="RegisterTile512"/>'s 4 x 16, then 4 x 8; returns the first column left.</summary>
    private static int Tiles512(Span<double> target, int columns, int width, int row0, int row1, int row2, int row3,
        ReadOnlySpan<double> coefficients, int count, ReadOnlySpan<double> rows, int stride)
    {
        ref double coefficientStart = ref MemoryMarshal.GetReference(coefficients);
        ref double rowStart = ref MemoryMarshal.GetReference(rows);
        ref double t0 = ref Unsafe.Add(ref MemoryMarshal.GetReference(target), row0 * columns);
        ref double t1 = ref Unsafe.Add(ref MemoryMarshal.GetReference(target), row1 * columns);
        ref double t2 = ref Unsafe.Add(ref MemoryMarshal.GetReference(target), row2 * columns);
        ref double t3 = ref Unsafe.Add(ref MemoryMarshal.GetReference(target), row3 * columns);
        int column = 0;
        for (; column + 16 <= width; column += 16)
        {
            var tile = RegisterTile512.Load(ref t0, ref t1, ref t2, ref t3, (nuint)column);
            tile.SubtractProducts(ref Unsafe.Add(ref rowStart, column), stride, ref coefficientStart, 4, 1, count);
            tile.Store(ref t0, ref t1, ref t2, ref t3, (nuint)column);
        }

        for (; column + 8 <= width; column += 8)
        {
            nuint at = (nuint)column;
            Vector512<double> acc0 = Vector512.LoadUnsafe(ref t0, at), acc1 = Vector512.LoadUnsafe(ref t1, at);
            Vector512<double> acc2 = Vector512.LoadUnsafe(ref t2, at), acc3 = Vector512.LoadUnsafe(ref t3, at);
            for (int k = 0; k < count; k++)
            {
                Vector512<double> value = Vector512.LoadUnsafe(ref Unsafe.Add(ref rowStart, (k * stride) + column));
                acc0 = Vector512.FusedMultiplyAdd(Vector512.Create(-Unsafe.Add(ref coefficientStart, 4 * k)), value, acc0);
                acc1 = Vector512.FusedMultiplyAdd(Vector512.Create(-Unsafe.Add(ref coefficientStart, (4 * k) + 1)), value, acc1);
                acc2 = Vector512.FusedMultiplyAdd(Vector512.Create(-Unsafe.Add(ref coefficientStart, (4 * k) + 2)), value, acc2);
                acc3 = Vector512.FusedMultiplyAdd(Vector512.Create(-Unsafe.Add(ref coefficientStart, (4 * k) + 3)), value, acc3);
            }

            acc0.StoreUnsafe(ref t0, at); acc1.StoreUnsafe(ref t1, at); acc2.StoreUnsafe(ref t2, at); acc3.StoreUnsafe(ref t3, at);
        }

        return column;
    }

    /// <summary>
    /// The 256-bit tiles: <see cref="RegisterTile256"/>'s 4 x 8 (8 accumulators, 2 row vectors and a broadcast: 11 of an AVX2
    /// machine's 16 ymm registers), then 4 x 4; returns the first column left.
    /// </summary>
    private static int Tiles256(Span<double> target, int columns, int width, int row0, int row1, int row2, int row3,
        ReadOnlySpan<double> coefficients, int count, ReadOnlySpan<double> rows, int stride)
    {
        ref double coefficientStart = ref MemoryMarshal.GetReference(coefficients);
        ref double rowStart = ref MemoryMarshal.GetReference(rows);
        ref double t0 = ref Unsafe.Add(ref MemoryMarshal.GetReference(target), row0 * columns);
        ref double t1 = ref Unsafe.Add(ref MemoryMarshal.GetReference(target), row1 * columns);
        ref double t2 = ref Unsafe.Add(ref MemoryMarshal.GetReference(target), row2 * columns);
        ref double t3 = ref Unsafe.Add(ref MemoryMarshal.GetReference(target), row3 * columns);
        int column = 0;
        for (; column + 8 <= width; column += 8)
        {
            var tile = RegisterTile256.Load(ref t0, ref t1, ref t2, ref t3, (nuint)column);
            tile.SubtractProducts(ref Unsafe.Add(ref rowStart, column), stride, ref coefficientStart, 4, 1, count);
            tile.Store(ref t0, ref t1, ref t2, ref t3, (nuint)column);
        }

        for (; column + 4 <= width; column += 4)
        {
            nuint at = (nuint)column;
            Vector256<double> acc0 = Vector256.LoadUnsafe(ref t0, at), acc1 = Vector256.LoadUnsafe(ref t1, at);
            Vector256<double> acc2 = Vector256.LoadUnsafe(ref t2, at), acc3 = Vector256.LoadUnsafe(ref t3, at);
            for (int k = 0; k < count; k++)
            {
                Vector256<double> value = Vector256.LoadUnsafe(ref Unsafe.Add(ref rowStart, (k * stride) + column));
                acc0 = Vector256.FusedMultiplyAdd(Vector256.Create(-Unsafe.Add(ref coefficientStart, 4 * k)), value, acc0);
                acc1 = Vector256.FusedMultiplyAdd(Vector256.Create(-Unsafe.Add(ref coefficientStart, (4 * k) + 1)), value, acc1);
                acc2 = Vector256.FusedMultiplyAdd(Vector256.Create(-Unsafe.Add(ref coefficientStart, (4 * k) + 2)), value, acc2);
                acc3 = Vector256.FusedMultiplyAdd(Vector256.Create(-Unsafe.Add(ref coefficientStart, (4 * k) + 3)), value, acc3);
            }

            acc0.StoreUnsafe(ref t0, at); acc1.StoreUnsafe(ref t1, at); acc2.StoreUnsafe(ref t2, at); acc3.StoreUnsafe(ref t3, at);
        }

        return column;
    }
}
