using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
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
        for (int k = 0; k < coefficients.Length; k++)
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
}
