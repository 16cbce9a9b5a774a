using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Simd = System.Numerics.Vector;

namespace HessianCodegen.LinearAlgebra;

/// <summary>
/// <see cref="RankUpdate.SubtractCombination"/> for a coefficient row given by its non-zeros only: the
/// row kernel of a sparse-times-dense product (like Sparse BLAS <c>usmm</c>). A layer's <c>Dx^T</c> has
/// one non-zero per example in each row, so skipping zeros one by one inside the column loop would
/// cost more than the arithmetic; here the loop visits only the non-zeros.
/// </summary>
internal static class SparseRankUpdate
{
    /// <summary>
    /// Gathers the non-zeros of <paramref name="coefficients"/> into <paramref name="indices"/> and
    /// <paramref name="values"/> (each at least as long), and returns how many there are.
    /// </summary>
    public static int Compress(ReadOnlySpan<double> coefficients, Span<int> indices, Span<double> values)
    {
        int count = 0;
        int k = 0;
        if (Vector256.IsHardwareAccelerated && coefficients.Length >= 4 && indices.Length >= coefficients.Length && values.Length >= coefficients.Length)
        {
            // Four values at a time: a vector of zeros (most of a spaced row) is skipped in one test, where a branch per
            // value mispredicts at every non-zero.
            ref double start = ref MemoryMarshal.GetReference(coefficients);
            for (; k + 4 <= coefficients.Length; k += 4)
            {
                uint nonZero = ~Vector256.Equals(Vector256.LoadUnsafe(ref start, (nuint)k), Vector256<double>.Zero).ExtractMostSignificantBits() & 0xF;
                while (nonZero != 0)
                {
                    int position = k + BitOperations.TrailingZeroCount(nonZero);
                    indices[count] = position;
                    values[count] = Unsafe.Add(ref start, position);
                    count++;
                    nonZero &= nonZero - 1;
                }
            }
        }

        for (; k < coefficients.Length; k++)
        {
            double value = coefficients[k];
            if (value != 0)
            {
                indices[count] = k;
                values[count] = value;
                count++;
            }
        }

        return count;
    }

    /// <summary>
    /// <c>target[c] -= sum_k values[k] * rows[indices[k] * stride + c]</c> for every <c>c</c> of <paramref name="target"/>.
    /// </summary>
    /// <returns>The floating-point operations performed.</returns>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static long SubtractCombination(Span<double> target, ReadOnlySpan<int> indices, ReadOnlySpan<double> values,
        ReadOnlySpan<double> rows, int stride)
    {
        int length = target.Length;
        int count = indices.Length;
        if (count == 0 || length == 0)
        {
            return 0;
        }

        int largest = 0;
        foreach (int index in indices)
        {
            largest = Math.Max(largest, index);
        }

        // Every access below stays inside these bounds, checked once here instead of per load.
        if (values.Length < count || rows.Length < ((long)largest * stride) + length || indices[0] < 0)
        {
            throw new ArgumentException($"rows has {rows.Length} values; expected at least {((long)largest * stride) + length}.", nameof(rows));
        }

        ref double targetStart = ref MemoryMarshal.GetReference(target);
        ref double rowsStart = ref MemoryMarshal.GetReference(rows);
        int width = Vector<double>.Count;
        int column = 0;
        for (; column + (4 * width) <= length; column += 4 * width)
        {
            ref double t = ref Unsafe.Add(ref targetStart, column);
            Vector<double> a0 = Simd.LoadUnsafe(ref t);
            Vector<double> a1 = Simd.LoadUnsafe(ref t, (nuint)width);
            Vector<double> a2 = Simd.LoadUnsafe(ref t, (nuint)(2 * width));
            Vector<double> a3 = Simd.LoadUnsafe(ref t, (nuint)(3 * width));
            for (int k = 0; k < count; k++)
            {
                var s = new Vector<double>(-values[k]);
                ref double r = ref Unsafe.Add(ref rowsStart, (indices[k] * stride) + column);
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
            ref double t = ref Unsafe.Add(ref targetStart, column);
            Vector<double> a = Simd.LoadUnsafe(ref t);
            for (int k = 0; k < count; k++)
            {
                a = Simd.FusedMultiplyAdd(new Vector<double>(-values[k]), Simd.LoadUnsafe(ref Unsafe.Add(ref rowsStart, (indices[k] * stride) + column)), a);
            }

            a.StoreUnsafe(ref t);
        }

        for (; column < length; column++)
        {
            double sum = target[column];
            for (int k = 0; k < count; k++)
            {
                sum -= values[k] * rows[(indices[k] * stride) + column];
            }

            target[column] = sum;
        }

        return 2L * count * length;
    }

    /// <summary>
    /// <see cref="SubtractCombination"/> for two target rows whose coefficients share their non-zero
    /// positions (consecutive parameters of one output row of a dense layer): each source vector loaded
    /// feeds both rows, halving the loads per multiply-add.
    /// </summary>
    /// <returns>The floating-point operations performed.</returns>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static long SubtractCombinations(Span<double> target0, ReadOnlySpan<double> values0, Span<double> target1,
        ReadOnlySpan<double> values1, ReadOnlySpan<int> indices, ReadOnlySpan<double> rows, int stride)
    {
        int length = target0.Length;
        int count = indices.Length;
        if (target1.Length != length || values0.Length < count || values1.Length < count)
        {
            throw new ArgumentException("The two target rows and their coefficients must have equal lengths.");
        }

        if (count == 0 || length == 0)
        {
            return 0;
        }

        int largest = 0;
        foreach (int index in indices)
        {
            largest = Math.Max(largest, index);
        }

        if (rows.Length < ((long)largest * stride) + length || indices[0] < 0)
        {
            throw new ArgumentException($"rows has {rows.Length} values; expected at least {((long)largest * stride) + length}.", nameof(rows));
        }

        ref double first = ref MemoryMarshal.GetReference(target0);
        ref double second = ref MemoryMarshal.GetReference(target1);
        ref double rowsStart = ref MemoryMarshal.GetReference(rows);
        int width = Vector<double>.Count;
        int column = 0;
        for (; column + (2 * width) <= length; column += 2 * width)
        {
            ref double t0 = ref Unsafe.Add(ref first, column);
            ref double t1 = ref Unsafe.Add(ref second, column);
            Vector<double> a0 = Simd.LoadUnsafe(ref t0);
            Vector<double> a1 = Simd.LoadUnsafe(ref t0, (nuint)width);
            Vector<double> b0 = Simd.LoadUnsafe(ref t1);
            Vector<double> b1 = Simd.LoadUnsafe(ref t1, (nuint)width);
            for (int k = 0; k < count; k++)
            {
                var s0 = new Vector<double>(-values0[k]);
                var s1 = new Vector<double>(-values1[k]);
                ref double r = ref Unsafe.Add(ref rowsStart, (indices[k] * stride) + column);
                Vector<double> r0 = Simd.LoadUnsafe(ref r);
                Vector<double> r1 = Simd.LoadUnsafe(ref r, (nuint)width);
                a0 = Simd.FusedMultiplyAdd(s0, r0, a0);
                a1 = Simd.FusedMultiplyAdd(s0, r1, a1);
                b0 = Simd.FusedMultiplyAdd(s1, r0, b0);
                b1 = Simd.FusedMultiplyAdd(s1, r1, b1);
            }

            a0.StoreUnsafe(ref t0);
            a1.StoreUnsafe(ref t0, (nuint)width);
            b0.StoreUnsafe(ref t1);
            b1.StoreUnsafe(ref t1, (nuint)width);
        }

        // The rest of the columns, one row at a time.
        if (column < length)
        {
            ReadOnlySpan<double> rest = rows[column..];
            SubtractCombination(target0[column..], indices, values0[..count], rest, stride);
            SubtractCombination(target1[column..], indices, values1[..count], rest, stride);
        }

        return 4L * count * length;
    }
}
