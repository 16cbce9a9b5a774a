using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Simd = System.Numerics.Vector;

namespace HessianCodegen.LinearAlgebra;

/// <summary>
/// The inner kernel of the blocked factorization: one row of a rank-k update
/// <c>target -= sum_k coefficients[k] * rows[k]</c>, the work of LAPACK's <c>dgemm</c> call in
/// <c>dgetrf</c> (and, row by row, of its <c>dtrsm</c>). Four vector accumulators stay in registers
/// while the <c>k</c> source rows stream past, so the target row is read and written once per block.
/// </summary>
internal static class RankUpdate
{
    /// <summary>
    /// <c>target[c] -= sum_k coefficients[k] * rows[k * stride + c]</c> for every <c>c</c> of
    /// <paramref name="target"/>; zero coefficients are skipped.
    /// </summary>
    /// <returns>The floating-point operations performed.</returns>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static long SubtractCombination(Span<double> target, ReadOnlySpan<double> coefficients, ReadOnlySpan<double> rows, int stride)
    {
        int length = target.Length;
        int count = coefficients.Length;
        if (count == 0 || length == 0)
        {
            return 0;
        }

        // Every access below stays inside these bounds, checked once here instead of per load.
        if (rows.Length < ((count - 1) * stride) + length)
        {
            throw new ArgumentException($"rows has {rows.Length} values; expected at least {((count - 1) * stride) + length}.", nameof(rows));
        }

        int used = 0;
        foreach (double coefficient in coefficients)
        {
            used += coefficient != 0 ? 1 : 0;
        }

        AddCombinationUnchecked(ref MemoryMarshal.GetReference(target), length, ref MemoryMarshal.GetReference(rows), stride,
            ref MemoryMarshal.GetReference(coefficients), 1, count, sign: -1, skipZeros: true, vectors: true);
        return 2L * used * length;
    }

    /// <summary>
    /// <c>target[c] += sign sum_k coefficients[k * coefficientStride] * rows[k * rowStride + c]</c> over <paramref name="length"/>
    /// values from the references, which the caller has checked lie inside its spans (<see cref="SubtractCombination"/>'s arithmetic,
    /// and <see cref="GroupInverseKernel"/>'s, whose coefficients are a column of a row-major matrix). With <paramref name="vectors"/>
    /// four <see cref="Vector{T}"/> accumulators stay in registers while the rows stream past, then one, then the columns left one by
    /// one, unfused; without it (where <see cref="VectorWidth.FusedVectorT"/> is false each lane would be a software fused multiply-add)
    /// every column that way. <paramref name="sign"/> is 1 or -1 (a negation, exact); <paramref name="skipZeros"/> skips zero
    /// coefficients. Inlined, so that the flags are constants in each caller.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void AddCombinationUnchecked(ref double target, int length, ref double rows, int rowStride, ref double coefficients,
        int coefficientStride, int count, double sign, bool skipZeros, bool vectors)
    {
        int width = Vector<double>.Count;
        int column = 0;
        if (vectors)
        {
            for (; column + (4 * width) <= length; column += 4 * width)
            {
                ref double t = ref Unsafe.Add(ref target, column);
                Vector<double> a0 = Simd.LoadUnsafe(ref t);
                Vector<double> a1 = Simd.LoadUnsafe(ref t, (nuint)width);
                Vector<double> a2 = Simd.LoadUnsafe(ref t, (nuint)(2 * width));
                Vector<double> a3 = Simd.LoadUnsafe(ref t, (nuint)(3 * width));
                for (int k = 0; k < count; k++)
                {
                    double coefficient = Unsafe.Add(ref coefficients, k * coefficientStride);
                    if (skipZeros && coefficient == 0)
                    {
                        continue;
                    }

                    var s = new Vector<double>(sign * coefficient);
                    ref double r = ref Unsafe.Add(ref rows, (k * rowStride) + column);
                    a0 = Simd.FusedMultiplyAdd(s, Simd.LoadUnsafe(ref r), a0);
                    a1 = Simd.FusedMultiplyAdd(s, Simd.LoadUnsafe(ref r, (nuint)width), a1);
                    a2 = Simd.FusedMultiplyAdd(s, Simd.LoadUnsafe(ref r, (nuint)(2 * width)), a2);
                    a3 = Simd.FusedMultiplyAdd(s, Simd.LoadUnsafe(ref r, (nuint)(3 * width)), a3);
                }

                a0.StoreUnsafe(ref t);
                a1.StoreUnsafe(ref t, (nuint)width);
                a2.StoreUnsafe(ref t, (nuint)(2 * width));
                a3.StoreUnsafe(ref t, (nuint)(3 * width));
            }

            for (; column + width <= length; column += width)
            {
                ref double t = ref Unsafe.Add(ref target, column);
                Vector<double> a = Simd.LoadUnsafe(ref t);
                for (int k = 0; k < count; k++)
                {
                    double coefficient = Unsafe.Add(ref coefficients, k * coefficientStride);
                    if (!skipZeros || coefficient != 0)
                    {
                        a = Simd.FusedMultiplyAdd(new Vector<double>(sign * coefficient), Simd.LoadUnsafe(ref Unsafe.Add(ref rows, (k * rowStride) + column)), a);
                    }
                }

                a.StoreUnsafe(ref t);
            }
        }

        for (; column < length; column++)
        {
            ref double t = ref Unsafe.Add(ref target, column);
            double sum = t;
            for (int k = 0; k < count; k++)
            {
                double coefficient = Unsafe.Add(ref coefficients, k * coefficientStride);
                if (!skipZeros || coefficient != 0)
                {
                    sum += sign * coefficient * Unsafe.Add(ref rows, (k * rowStride) + column);
                }
            }

            t = sum;
        }
    }

    /// <summary>
    /// <see cref="SubtractCombination"/> for two target rows at once: each source vector loaded feeds
    /// both rows, halving the loads per multiply-add. A source row is skipped only when both
    /// coefficients are zero.
    /// </summary>
    /// <returns>The floating-point operations performed with non-zero coefficients.</returns>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static long SubtractCombinations(Span<double> target0, ReadOnlySpan<double> coefficients0,
        Span<double> target1, ReadOnlySpan<double> coefficients1, ReadOnlySpan<double> rows, int stride)
    {
        int length = target0.Length;
        int count = coefficients0.Length;
        if (target1.Length != length || coefficients1.Length != count)
        {
            throw new ArgumentException("The two target rows and their coefficients must have equal lengths.");
        }

        if (count == 0 || length == 0)
        {
            return 0;
        }

        if (rows.Length < ((count - 1) * stride) + length)
        {
            throw new ArgumentException($"rows has {rows.Length} values; expected at least {((count - 1) * stride) + length}.", nameof(rows));
        }

        int used = 0;
        for (int k = 0; k < count; k++)
        {
            used += (coefficients0[k] != 0 ? 1 : 0) + (coefficients1[k] != 0 ? 1 : 0);
        }

        ref double first = ref MemoryMarshal.GetReference(target0);
        ref double second = ref MemoryMarshal.GetReference(target1);
        ref double rowsStart = ref MemoryMarshal.GetReference(rows);
        int width = Vector<double>.Count;
        int column = 0;
        for (; column + (4 * width) <= length; column += 4 * width)
        {
            ref double t0 = ref Unsafe.Add(ref first, column);
            ref double t1 = ref Unsafe.Add(ref second, column);
            Vector<double> a0 = Simd.LoadUnsafe(ref t0);
            Vector<double> a1 = Simd.LoadUnsafe(ref t0, (nuint)width);
            Vector<double> a2 = Simd.LoadUnsafe(ref t0, (nuint)(2 * width));
            Vector<double> a3 = Simd.LoadUnsafe(ref t0, (nuint)(3 * width));
            Vector<double> b0 = Simd.LoadUnsafe(ref t1);
            Vector<double> b1 = Simd.LoadUnsafe(ref t1, (nuint)width);
            Vector<double> b2 = Simd.LoadUnsafe(ref t1, (nuint)(2 * width));
            Vector<double> b3 = Simd.LoadUnsafe(ref t1, (nuint)(3 * width));
            for (int k = 0; k < count; k++)
            {
                double c0 = coefficients0[k];
                double c1 = coefficients1[k];
                if (c0 == 0 && c1 == 0)
                {
                    continue;
                }

                var s0 = new Vector<double>(-c0);
                var s1 = new Vector<double>(-c1);
                ref double r = ref Unsafe.Add(ref rowsStart, (k * stride) + column);
                Vector<double> r0 = Simd.LoadUnsafe(ref r);
                Vector<double> r1 = Simd.LoadUnsafe(ref r, (nuint)width);
                Vector<double> r2 = Simd.LoadUnsafe(ref r, (nuint)(2 * width));
                Vector<double> r3 = Simd.LoadUnsafe(ref r, (nuint)(3 * width));
                a0 = Simd.FusedMultiplyAdd(s0, r0, a0);
                a1 = Simd.FusedMultiplyAdd(s0, r1, a1);
                a2 = Simd.FusedMultiplyAdd(s0, r2, a2);
                a3 = Simd.FusedMultiplyAdd(s0, r3, a3);
                b0 = Simd.FusedMultiplyAdd(s1, r0, b0);
                b1 = Simd.FusedMultiplyAdd(s1, r1, b1);
                b2 = Simd.FusedMultiplyAdd(s1, r2, b2);
                b3 = Simd.FusedMultiplyAdd(s1, r3, b3);
            }

            a0.StoreUnsafe(ref t0);
            a1.StoreUnsafe(ref t0, (nuint)width);
            a2.StoreUnsafe(ref t0, (nuint)(2 * width));
            a3.StoreUnsafe(ref t0, (nuint)(3 * width));
            b0.StoreUnsafe(ref t1);
            b1.StoreUnsafe(ref t1, (nuint)width);
            b2.StoreUnsafe(ref t1, (nuint)(2 * width));
            b3.StoreUnsafe(ref t1, (nuint)(3 * width));
        }

        // The rest of the columns, one row at a time (the flops were counted above).
        if (column < length)
        {
            ReadOnlySpan<double> rest = rows[column..];
            SubtractCombination(target0[column..], coefficients0, rest, stride);
            SubtractCombination(target1[column..], coefficients1, rest, stride);
        }

        return 2L * used * length;
    }

    /// <summary>
    /// One step of unblocked elimination inside a narrow panel (the inner loop of LAPACK <c>dgetf2</c>):
    /// divides column <paramref name="column"/> below its pivot by the pivot, then subtracts each row's
    /// multiple of the pivot row from the columns up to <paramref name="columnEnd"/>, for the rows up to
    /// <paramref name="rowEnd"/>. One call does every row, so short rows do not each pay a call.
    /// </summary>
    /// <returns>The floating-point operations performed.</returns>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static long EliminateColumn(Span<double> matrix, int stride, int column, int columnEnd, int rowEnd)
    {
        if (columnEnd > stride || (long)rowEnd * stride > matrix.Length || column >= columnEnd)
        {
            throw new ArgumentException(
                $"The panel columns {column}..{columnEnd} and rows up to {rowEnd} do not fit a matrix of {matrix.Length} values with stride {stride}.");
        }

        ref double start = ref MemoryMarshal.GetReference(matrix);
        ref double pivotRow = ref Unsafe.Add(ref start, (column * stride) + column);
        double inversePivot = 1.0 / pivotRow;
        int length = columnEnd - column - 1;
        int width = Vector<double>.Count;
        long flops = 0;
        for (int row = column + 1; row < rowEnd; row++)
        {
            ref double entry = ref Unsafe.Add(ref start, (row * stride) + column);
            double multiplier = entry * inversePivot;
            entry = multiplier;
            flops++;
            if (multiplier == 0)
            {
                continue;
            }

            var scale = new Vector<double>(-multiplier);
            int c = 1;
            for (; c + width <= length + 1; c += width)
            {
                ref double target = ref Unsafe.Add(ref entry, c);
                Simd.FusedMultiplyAdd(scale, Simd.LoadUnsafe(ref Unsafe.Add(ref pivotRow, c)), Simd.LoadUnsafe(ref target)).StoreUnsafe(ref target);
            }

            for (; c <= length; c++)
            {
                Unsafe.Add(ref entry, c) -= multiplier * Unsafe.Add(ref pivotRow, c);
            }

            flops += 2L * length;
        }

        return flops;
    }
}
