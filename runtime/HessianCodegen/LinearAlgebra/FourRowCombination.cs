using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace HessianCodegen.LinearAlgebra;

/// <summary>
/// Four rows of a rank-k update at once, <c>target[row_i, c] -= sum_k coefficients[4 k + i] rows[k stride + c]</c>: a
/// register tile of four target rows by 32 columns (four 512-bit vectors a row; 8 columns with 256-bit ones), so that each
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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static long Subtract(Span<double> target, int columns, int row0, int row1, int row2, int row3,
        ReadOnlySpan<double> coefficients, ReadOnlySpan<double> rows, int stride, int vectorBits, Span<double> transposed, int transposedColumns)
    {
        VectorWidth.Validate(vectorBits);
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
        if (rows.Length < ((long)(count - 1) * stride) + columns)
        {
            throw new ArgumentException($"rows has {rows.Length} values; expected at least {((long)(count - 1) * stride) + columns}.", nameof(rows));
        }

        long used = 0;
        foreach (double coefficient in coefficients)
        {
            used += coefficient != 0 ? 1 : 0;
        }

        int column = vectorBits switch
        {
            512 => Tiles512(target, columns, row0, row1, row2, row3, coefficients, count, rows, stride),
            256 => Tiles256(target, columns, row0, row1, row2, row3, coefficients, count, rows, stride),
            _ => 0,
        };

        // The columns past the last whole vector, one at a time.
        for (; column < columns; column++)
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
        return 2 * used * columns;
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

    // Why not RegisterTile's SubtractProducts: its Load/Store take four target rows a stride apart, and a group's four parameters
    // may be any four rows of the target (the dense layer's are consecutive, a convolution's are not); at 512 bits this tile is
    // 32 columns wide, twice RegisterTile512's, which the four rows' eight-term products at m = 64 needed to amortize the
    // accumulators' load and store. Each term's coefficient is negated as it is broadcast (the caller's gather keeps Dx's sign).

    /// <summary>The 512-bit tiles: 4 rows x 32 columns (16 accumulators of 32 registers), then 4 x 8; returns the first column left.</summary>
    private static int Tiles512(Span<double> target, int columns, int row0, int row1, int row2, int row3,
        ReadOnlySpan<double> coefficients, int count, ReadOnlySpan<double> rows, int stride)
    {
        ref double coefficientStart = ref MemoryMarshal.GetReference(coefficients);
        ref double rowStart = ref MemoryMarshal.GetReference(rows);
        ref double t0 = ref Unsafe.Add(ref MemoryMarshal.GetReference(target), row0 * columns);
        ref double t1 = ref Unsafe.Add(ref MemoryMarshal.GetReference(target), row1 * columns);
        ref double t2 = ref Unsafe.Add(ref MemoryMarshal.GetReference(target), row2 * columns);
        ref double t3 = ref Unsafe.Add(ref MemoryMarshal.GetReference(target), row3 * columns);
        int column = 0;
        for (; column + 32 <= columns; column += 32)
        {
            nuint at = (nuint)column;
            Vector512<double> row0a = Vector512.LoadUnsafe(ref t0, at), row0b = Vector512.LoadUnsafe(ref t0, at + 8);
            Vector512<double> row0c = Vector512.LoadUnsafe(ref t0, at + 16), row0d = Vector512.LoadUnsafe(ref t0, at + 24);
            Vector512<double> row1a = Vector512.LoadUnsafe(ref t1, at), row1b = Vector512.LoadUnsafe(ref t1, at + 8);
            Vector512<double> row1c = Vector512.LoadUnsafe(ref t1, at + 16), row1d = Vector512.LoadUnsafe(ref t1, at + 24);
            Vector512<double> row2a = Vector512.LoadUnsafe(ref t2, at), row2b = Vector512.LoadUnsafe(ref t2, at + 8);
            Vector512<double> row2c = Vector512.LoadUnsafe(ref t2, at + 16), row2d = Vector512.LoadUnsafe(ref t2, at + 24);
            Vector512<double> row3a = Vector512.LoadUnsafe(ref t3, at), row3b = Vector512.LoadUnsafe(ref t3, at + 8);
            Vector512<double> row3c = Vector512.LoadUnsafe(ref t3, at + 16), row3d = Vector512.LoadUnsafe(ref t3, at + 24);
            for (int k = 0; k < count; k++)
            {
                ref double term = ref Unsafe.Add(ref rowStart, (k * stride) + column);
                Vector512<double> va = Vector512.LoadUnsafe(ref term), vb = Vector512.LoadUnsafe(ref term, 8);
                Vector512<double> vc = Vector512.LoadUnsafe(ref term, 16), vd = Vector512.LoadUnsafe(ref term, 24);
                var s = Vector512.Create(-Unsafe.Add(ref coefficientStart, 4 * k));
                row0a = Vector512.FusedMultiplyAdd(s, va, row0a);
                row0b = Vector512.FusedMultiplyAdd(s, vb, row0b);
                row0c = Vector512.FusedMultiplyAdd(s, vc, row0c);
                row0d = Vector512.FusedMultiplyAdd(s, vd, row0d);
                s = Vector512.Create(-Unsafe.Add(ref coefficientStart, (4 * k) + 1));
                row1a = Vector512.FusedMultiplyAdd(s, va, row1a);
                row1b = Vector512.FusedMultiplyAdd(s, vb, row1b);
                row1c = Vector512.FusedMultiplyAdd(s, vc, row1c);
                row1d = Vector512.FusedMultiplyAdd(s, vd, row1d);
                s = Vector512.Create(-Unsafe.Add(ref coefficientStart, (4 * k) + 2));
                row2a = Vector512.FusedMultiplyAdd(s, va, row2a);
                row2b = Vector512.FusedMultiplyAdd(s, vb, row2b);
                row2c = Vector512.FusedMultiplyAdd(s, vc, row2c);
                row2d = Vector512.FusedMultiplyAdd(s, vd, row2d);
                s = Vector512.Create(-Unsafe.Add(ref coefficientStart, (4 * k) + 3));
                row3a = Vector512.FusedMultiplyAdd(s, va, row3a);
                row3b = Vector512.FusedMultiplyAdd(s, vb, row3b);
                row3c = Vector512.FusedMultiplyAdd(s, vc, row3c);
                row3d = Vector512.FusedMultiplyAdd(s, vd, row3d);
            }

            row0a.StoreUnsafe(ref t0, at); row0b.StoreUnsafe(ref t0, at + 8); row0c.StoreUnsafe(ref t0, at + 16); row0d.StoreUnsafe(ref t0, at + 24);
            row1a.StoreUnsafe(ref t1, at); row1b.StoreUnsafe(ref t1, at + 8); row1c.StoreUnsafe(ref t1, at + 16); row1d.StoreUnsafe(ref t1, at + 24);
            row2a.StoreUnsafe(ref t2, at); row2b.StoreUnsafe(ref t2, at + 8); row2c.StoreUnsafe(ref t2, at + 16); row2d.StoreUnsafe(ref t2, at + 24);
            row3a.StoreUnsafe(ref t3, at); row3b.StoreUnsafe(ref t3, at + 8); row3c.StoreUnsafe(ref t3, at + 16); row3d.StoreUnsafe(ref t3, at + 24);
        }

        for (; column + 8 <= columns; column += 8)
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
    /// The 256-bit tiles: 4 rows x 8 columns (8 accumulators, 2 row vectors and a broadcast: 11 of an AVX2 machine's 16 ymm
    /// registers, as <see cref="RegisterTile256"/>'s), then 4 x 4; returns the first column left.
    /// </summary>
    private static int Tiles256(Span<double> target, int columns, int row0, int row1, int row2, int row3,
        ReadOnlySpan<double> coefficients, int count, ReadOnlySpan<double> rows, int stride)
    {
        ref double coefficientStart = ref MemoryMarshal.GetReference(coefficients);
        ref double rowStart = ref MemoryMarshal.GetReference(rows);
        ref double t0 = ref Unsafe.Add(ref MemoryMarshal.GetReference(target), row0 * columns);
        ref double t1 = ref Unsafe.Add(ref MemoryMarshal.GetReference(target), row1 * columns);
        ref double t2 = ref Unsafe.Add(ref MemoryMarshal.GetReference(target), row2 * columns);
        ref double t3 = ref Unsafe.Add(ref MemoryMarshal.GetReference(target), row3 * columns);
        int column = 0;
        for (; column + 8 <= columns; column += 8)
        {
            nuint at = (nuint)column;
            Vector256<double> row0a = Vector256.LoadUnsafe(ref t0, at), row0b = Vector256.LoadUnsafe(ref t0, at + 4);
            Vector256<double> row1a = Vector256.LoadUnsafe(ref t1, at), row1b = Vector256.LoadUnsafe(ref t1, at + 4);
            Vector256<double> row2a = Vector256.LoadUnsafe(ref t2, at), row2b = Vector256.LoadUnsafe(ref t2, at + 4);
            Vector256<double> row3a = Vector256.LoadUnsafe(ref t3, at), row3b = Vector256.LoadUnsafe(ref t3, at + 4);
            for (int k = 0; k < count; k++)
            {
                ref double term = ref Unsafe.Add(ref rowStart, (k * stride) + column);
                Vector256<double> va = Vector256.LoadUnsafe(ref term), vb = Vector256.LoadUnsafe(ref term, 4);
                var s = Vector256.Create(-Unsafe.Add(ref coefficientStart, 4 * k));
                row0a = Vector256.FusedMultiplyAdd(s, va, row0a);
                row0b = Vector256.FusedMultiplyAdd(s, vb, row0b);
                s = Vector256.Create(-Unsafe.Add(ref coefficientStart, (4 * k) + 1));
                row1a = Vector256.FusedMultiplyAdd(s, va, row1a);
                row1b = Vector256.FusedMultiplyAdd(s, vb, row1b);
                s = Vector256.Create(-Unsafe.Add(ref coefficientStart, (4 * k) + 2));
                row2a = Vector256.FusedMultiplyAdd(s, va, row2a);
                row2b = Vector256.FusedMultiplyAdd(s, vb, row2b);
                s = Vector256.Create(-Unsafe.Add(ref coefficientStart, (4 * k) + 3));
                row3a = Vector256.FusedMultiplyAdd(s, va, row3a);
                row3b = Vector256.FusedMultiplyAdd(s, vb, row3b);
            }

            row0a.StoreUnsafe(ref t0, at); row0b.StoreUnsafe(ref t0, at + 4);
            row1a.StoreUnsafe(ref t1, at); row1b.StoreUnsafe(ref t1, at + 4);
            row2a.StoreUnsafe(ref t2, at); row2b.StoreUnsafe(ref t2, at + 4);
            row3a.StoreUnsafe(ref t3, at); row3b.StoreUnsafe(ref t3, at + 4);
        }

        for (; column + 4 <= columns; column += 4)
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
