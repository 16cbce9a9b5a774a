using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace HessianCodegen.LinearAlgebra;

/// <summary>
/// Four rows of a rank-k update at once, <c>target[row_i, c] -= sum_k coefficients[4 k + i] rows[k stride + c]</c>: a
/// register tile of four target rows by 32 columns (four 512-bit vectors a row; 16 columns with 256-bit ones), so that each
/// vector of <c>rows</c> loaded feeds four multiply-adds. <see cref="GroupedJacobianProduct"/>'s products at a small state
/// (<c>m = 64</c>: eight terms a group) were one or two multiply-adds per load with <see cref="RankUpdate"/>'s rows.
/// </summary>
internal static class FourRowCombination
{
    /// <summary>
    /// <c>target[row_i * columns + c] -= sum_k coefficients[4 k + i] * rows[k * stride + c]</c> for <c>i</c> in 0..3 and
    /// every <c>c</c> below <paramref name="columns"/>, with vectors of <paramref name="vectorBits"/> (0, 256 or 512).
    /// The four target rows must differ; the coefficients are laid four per term, a term's four side by side.
    /// </summary>
    /// <returns>The floating-point operations performed, two per non-zero coefficient and column.</returns>
    public static long Subtract(Span<double> target, int columns, int row0, int row1, int row2, int row3,
        ReadOnlySpan<double> coefficients, ReadOnlySpan<double> rows, int stride, int vectorBits) =>
        Subtract(target, columns, row0, row1, row2, row3, coefficients, rows, stride, vectorBits, [], 0);

    /// <summary>
    /// <see cref="Subtract(Span{double}, int, int, int, int, int, ReadOnlySpan{double}, ReadOnlySpan{double}, int, int)"/>, then the
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
        if (rows.Length < ((count - 1) * stride) + columns)
        {
            throw new ArgumentException($"rows has {rows.Length} values; expected at least {((count - 1) * stride) + columns}.", nameof(rows));
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
            ref double t1 = ref Unsafe.Add(ref t0, columns);
            ref double t2 = ref Unsafe.Add(ref t1, columns);
            ref double t3 = ref Unsafe.Add(ref t2, columns);
            ref double outStart = ref Unsafe.Add(ref MemoryMarshal.GetReference(transposed), row0);
            for (; column + 4 <= columns; column += 4)
            {
                nuint at = (nuint)column;
                Vector256<double> a = Vector256.LoadUnsafe(ref t0, at), b = Vector256.LoadUnsafe(ref t1, at);
                Vector256<double> c = Vector256.LoadUnsafe(ref t2, at), d = Vector256.LoadUnsafe(ref t3, at);
                Vector256<double> ab0 = Avx.UnpackLow(a, b), ab1 = Avx.UnpackHigh(a, b); // (a0 b0 a2 b2), (a1 b1 a3 b3)
                Vector256<double> cd0 = Avx.UnpackLow(c, d), cd1 = Avx.UnpackHigh(c, d);
                ref double o = ref Unsafe.Add(ref outStart, column * transposedColumns);
                Avx.Permute2x128(ab0, cd0, 0x20).StoreUnsafe(ref o);
                Avx.Permute2x128(ab1, cd1, 0x20).StoreUnsafe(ref Unsafe.Add(ref o, transposedColumns));
                Avx.Permute2x128(ab0, cd0, 0x31).StoreUnsafe(ref Unsafe.Add(ref o, 2 * transposedColumns));
                Avx.Permute2x128(ab1, cd1, 0x31).StoreUnsafe(ref Unsafe.Add(ref o, 3 * transposedColumns));
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

    /// <summary>The 512-bit tiles: 32 columns a tile, then 8; returns the first column left.</summary>
    private static int Tiles512(Span<double> target, int columns, int row0, int row1, int row2, int row3,
        ReadOnlySpan<double> coefficients, int count, ReadOnlySpan<double> rows, int stride)
    {
        ref double t = ref MemoryMarshal.GetReference(target);
        ref double c = ref MemoryMarshal.GetReference(coefficients);
        ref double r = ref MemoryMarshal.GetReference(rows);
        ref double t0 = ref Unsafe.Add(ref t, row0 * columns);
        ref double t1 = ref Unsafe.Add(ref t, row1 * columns);
        ref double t2 = ref Unsafe.Add(ref t, row2 * columns);
        ref double t3 = ref Unsafe.Add(ref t, row3 * columns);
        int column = 0;
        for (; column + 32 <= columns; column += 32)
        {
            nuint at = (nuint)column;
            Vector512<double> a0 = Vector512.LoadUnsafe(ref t0, at), a1 = Vector512.LoadUnsafe(ref t0, at + 8);
            Vector512<double> a2 = Vector512.LoadUnsafe(ref t0, at + 16), a3 = Vector512.LoadUnsafe(ref t0, at + 24);
            Vector512<double> b0 = Vector512.LoadUnsafe(ref t1, at), b1 = Vector512.LoadUnsafe(ref t1, at + 8);
            Vector512<double> b2 = Vector512.LoadUnsafe(ref t1, at + 16), b3 = Vector512.LoadUnsafe(ref t1, at + 24);
            Vector512<double> c0 = Vector512.LoadUnsafe(ref t2, at), c1 = Vector512.LoadUnsafe(ref t2, at + 8);
            Vector512<double> c2 = Vector512.LoadUnsafe(ref t2, at + 16), c3 = Vector512.LoadUnsafe(ref t2, at + 24);
            Vector512<double> d0 = Vector512.LoadUnsafe(ref t3, at), d1 = Vector512.LoadUnsafe(ref t3, at + 8);
            Vector512<double> d2 = Vector512.LoadUnsafe(ref t3, at + 16), d3 = Vector512.LoadUnsafe(ref t3, at + 24);
            for (int k = 0; k < count; k++)
            {
                ref double row = ref Unsafe.Add(ref r, (k * stride) + column);
                Vector512<double> r0 = Vector512.LoadUnsafe(ref row), r1 = Vector512.LoadUnsafe(ref row, 8);
                Vector512<double> r2 = Vector512.LoadUnsafe(ref row, 16), r3 = Vector512.LoadUnsafe(ref row, 24);
                var s = Vector512.Create(-Unsafe.Add(ref c, 4 * k));
                a0 = Vector512.FusedMultiplyAdd(s, r0, a0);
                a1 = Vector512.FusedMultiplyAdd(s, r1, a1);
                a2 = Vector512.FusedMultiplyAdd(s, r2, a2);
                a3 = Vector512.FusedMultiplyAdd(s, r3, a3);
                s = Vector512.Create(-Unsafe.Add(ref c, (4 * k) + 1));
                b0 = Vector512.FusedMultiplyAdd(s, r0, b0);
                b1 = Vector512.FusedMultiplyAdd(s, r1, b1);
                b2 = Vector512.FusedMultiplyAdd(s, r2, b2);
                b3 = Vector512.FusedMultiplyAdd(s, r3, b3);
                s = Vector512.Create(-Unsafe.Add(ref c, (4 * k) + 2));
                c0 = Vector512.FusedMultiplyAdd(s, r0, c0);
                c1 = Vector512.FusedMultiplyAdd(s, r1, c1);
                c2 = Vector512.FusedMultiplyAdd(s, r2, c2);
                c3 = Vector512.FusedMultiplyAdd(s, r3, c3);
                s = Vector512.Create(-Unsafe.Add(ref c, (4 * k) + 3));
                d0 = Vector512.FusedMultiplyAdd(s, r0, d0);
                d1 = Vector512.FusedMultiplyAdd(s, r1, d1);
                d2 = Vector512.FusedMultiplyAdd(s, r2, d2);
                d3 = Vector512.FusedMultiplyAdd(s, r3, d3);
            }

            a0.StoreUnsafe(ref t0, at); a1.StoreUnsafe(ref t0, at + 8); a2.StoreUnsafe(ref t0, at + 16); a3.StoreUnsafe(ref t0, at + 24);
            b0.StoreUnsafe(ref t1, at); b1.StoreUnsafe(ref t1, at + 8); b2.StoreUnsafe(ref t1, at + 16); b3.StoreUnsafe(ref t1, at + 24);
            c0.StoreUnsafe(ref t2, at); c1.StoreUnsafe(ref t2, at + 8); c2.StoreUnsafe(ref t2, at + 16); c3.StoreUnsafe(ref t2, at + 24);
            d0.StoreUnsafe(ref t3, at); d1.StoreUnsafe(ref t3, at + 8); d2.StoreUnsafe(ref t3, at + 16); d3.StoreUnsafe(ref t3, at + 24);
        }

        for (; column + 8 <= columns; column += 8)
        {
            nuint at = (nuint)column;
            Vector512<double> a = Vector512.LoadUnsafe(ref t0, at), b = Vector512.LoadUnsafe(ref t1, at);
            Vector512<double> e = Vector512.LoadUnsafe(ref t2, at), d = Vector512.LoadUnsafe(ref t3, at);
            for (int k = 0; k < count; k++)
            {
                Vector512<double> value = Vector512.LoadUnsafe(ref Unsafe.Add(ref r, (k * stride) + column));
                a = Vector512.FusedMultiplyAdd(Vector512.Create(-Unsafe.Add(ref c, 4 * k)), value, a);
                b = Vector512.FusedMultiplyAdd(Vector512.Create(-Unsafe.Add(ref c, (4 * k) + 1)), value, b);
                e = Vector512.FusedMultiplyAdd(Vector512.Create(-Unsafe.Add(ref c, (4 * k) + 2)), value, e);
                d = Vector512.FusedMultiplyAdd(Vector512.Create(-Unsafe.Add(ref c, (4 * k) + 3)), value, d);
            }

            a.StoreUnsafe(ref t0, at); b.StoreUnsafe(ref t1, at); e.StoreUnsafe(ref t2, at); d.StoreUnsafe(ref t3, at);
        }

        return column;
    }

    /// <summary>The 256-bit tiles: 16 columns a tile, then 4; returns the first column left.</summary>
    private static int Tiles256(Span<double> target, int columns, int row0, int row1, int row2, int row3,
        ReadOnlySpan<double> coefficients, int count, ReadOnlySpan<double> rows, int stride)
    {
        ref double t = ref MemoryMarshal.GetReference(target);
        ref double c = ref MemoryMarshal.GetReference(coefficients);
        ref double r = ref MemoryMarshal.GetReference(rows);
        ref double t0 = ref Unsafe.Add(ref t, row0 * columns);
        ref double t1 = ref Unsafe.Add(ref t, row1 * columns);
        ref double t2 = ref Unsafe.Add(ref t, row2 * columns);
        ref double t3 = ref Unsafe.Add(ref t, row3 * columns);
        int column = 0;
        for (; column + 16 <= columns; column += 16)
        {
            nuint at = (nuint)column;
            Vector256<double> a0 = Vector256.LoadUnsafe(ref t0, at), a1 = Vector256.LoadUnsafe(ref t0, at + 4);
            Vector256<double> a2 = Vector256.LoadUnsafe(ref t0, at + 8), a3 = Vector256.LoadUnsafe(ref t0, at + 12);
            Vector256<double> b0 = Vector256.LoadUnsafe(ref t1, at), b1 = Vector256.LoadUnsafe(ref t1, at + 4);
            Vector256<double> b2 = Vector256.LoadUnsafe(ref t1, at + 8), b3 = Vector256.LoadUnsafe(ref t1, at + 12);
            Vector256<double> c0 = Vector256.LoadUnsafe(ref t2, at), c1 = Vector256.LoadUnsafe(ref t2, at + 4);
            Vector256<double> c2 = Vector256.LoadUnsafe(ref t2, at + 8), c3 = Vector256.LoadUnsafe(ref t2, at + 12);
            Vector256<double> d0 = Vector256.LoadUnsafe(ref t3, at), d1 = Vector256.LoadUnsafe(ref t3, at + 4);
            Vector256<double> d2 = Vector256.LoadUnsafe(ref t3, at + 8), d3 = Vector256.LoadUnsafe(ref t3, at + 12);
            for (int k = 0; k < count; k++)
            {
                ref double row = ref Unsafe.Add(ref r, (k * stride) + column);
                Vector256<double> r0 = Vector256.LoadUnsafe(ref row), r1 = Vector256.LoadUnsafe(ref row, 4);
                Vector256<double> r2 = Vector256.LoadUnsafe(ref row, 8), r3 = Vector256.LoadUnsafe(ref row, 12);
                var s = Vector256.Create(-Unsafe.Add(ref c, 4 * k));
                a0 = Vector256.FusedMultiplyAdd(s, r0, a0);
                a1 = Vector256.FusedMultiplyAdd(s, r1, a1);
                a2 = Vector256.FusedMultiplyAdd(s, r2, a2);
                a3 = Vector256.FusedMultiplyAdd(s, r3, a3);
                s = Vector256.Create(-Unsafe.Add(ref c, (4 * k) + 1));
                b0 = Vector256.FusedMultiplyAdd(s, r0, b0);
                b1 = Vector256.FusedMultiplyAdd(s, r1, b1);
                b2 = Vector256.FusedMultiplyAdd(s, r2, b2);
                b3 = Vector256.FusedMultiplyAdd(s, r3, b3);
                s = Vector256.Create(-Unsafe.Add(ref c, (4 * k) + 2));
                c0 = Vector256.FusedMultiplyAdd(s, r0, c0);
                c1 = Vector256.FusedMultiplyAdd(s, r1, c1);
                c2 = Vector256.FusedMultiplyAdd(s, r2, c2);
                c3 = Vector256.FusedMultiplyAdd(s, r3, c3);
                s = Vector256.Create(-Unsafe.Add(ref c, (4 * k) + 3));
                d0 = Vector256.FusedMultiplyAdd(s, r0, d0);
                d1 = Vector256.FusedMultiplyAdd(s, r1, d1);
                d2 = Vector256.FusedMultiplyAdd(s, r2, d2);
                d3 = Vector256.FusedMultiplyAdd(s, r3, d3);
            }

            a0.StoreUnsafe(ref t0, at); a1.StoreUnsafe(ref t0, at + 4); a2.StoreUnsafe(ref t0, at + 8); a3.StoreUnsafe(ref t0, at + 12);
            b0.StoreUnsafe(ref t1, at); b1.StoreUnsafe(ref t1, at + 4); b2.StoreUnsafe(ref t1, at + 8); b3.StoreUnsafe(ref t1, at + 12);
            c0.StoreUnsafe(ref t2, at); c1.StoreUnsafe(ref t2, at + 4); c2.StoreUnsafe(ref t2, at + 8); c3.StoreUnsafe(ref t2, at + 12);
            d0.StoreUnsafe(ref t3, at); d1.StoreUnsafe(ref t3, at + 4); d2.StoreUnsafe(ref t3, at + 8); d3.StoreUnsafe(ref t3, at + 12);
        }

        for (; column + 4 <= columns; column += 4)
        {
            nuint at = (nuint)column;
            Vector256<double> a = Vector256.LoadUnsafe(ref t0, at), b = Vector256.LoadUnsafe(ref t1, at);
            Vector256<double> e = Vector256.LoadUnsafe(ref t2, at), d = Vector256.LoadUnsafe(ref t3, at);
            for (int k = 0; k < count; k++)
            {
                Vector256<double> value = Vector256.LoadUnsafe(ref Unsafe.Add(ref r, (k * stride) + column));
                a = Vector256.FusedMultiplyAdd(Vector256.Create(-Unsafe.Add(ref c, 4 * k)), value, a);
                b = Vector256.FusedMultiplyAdd(Vector256.Create(-Unsafe.Add(ref c, (4 * k) + 1)), value, b);
                e = Vector256.FusedMultiplyAdd(Vector256.Create(-Unsafe.Add(ref c, (4 * k) + 2)), value, e);
                d = Vector256.FusedMultiplyAdd(Vector256.Create(-Unsafe.Add(ref c, (4 * k) + 3)), value, d);
            }

            a.StoreUnsafe(ref t0, at); b.StoreUnsafe(ref t1, at); e.StoreUnsafe(ref t2, at); d.StoreUnsafe(ref t3, at);
        }

        return column;
    }
}
