using System;
using System.Numerics;
using Simd = System.Numerics.Vector;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace HessianCodegen.LinearAlgebra;

/// <summary>
/// <c>G = Q^T L^-1</c> (<c>q x q</c>, row-major) of a low-rank group solved explicitly (<c>LowRankPivotBlockFactor</c>'s half solve
/// of a group with several reflectors): <c>L^-1</c> row by row, each row the identity's less its multiples of the rows above, then
/// the reflectors one by one (<c>dorm2r</c>'s order), each row's combination of the rows above, and each reflector's <c>w = v^T G</c>,
/// summed in registers a few vectors of columns at a time. The triangular solve on the identity and
/// <see cref="HouseholderKernel.ApplyTranspose"/> (3.9 % of a width-16 batch-8 factorization) and the same loops as inlined axpys
/// (no faster: each row's update waited for the store of the one before) ran at about 8 GFLOP/s on rows of 17. The flops are those of
/// the solve and the reflectors on <c>q</c> columns (the zeros of <c>L^-1</c> not skipped).
/// </summary>
internal static class GroupInverseKernel
{
    /// <summary>
    /// <paramref name="inverse"/> = <c>Q^T L^-1</c>: <c>L</c> in the lower triangle of the <paramref name="q"/> x <paramref name="q"/>
    /// row-major <paramref name="cholesky"/> (the rest not read), <c>Q = H_0 ... H_{k-1}</c>, <c>H_j = I - tau_j v_j v_j^T</c> with
    /// <c>v_j</c> below the diagonal of column <c>j</c> of the <paramref name="q"/> x <paramref name="c"/> <paramref name="reflectors"/>
    /// (and 1 on it), <c>k</c> = <paramref name="tau"/>'s length. <paramref name="work"/> holds <paramref name="q"/> values.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Form(ReadOnlySpan<double> cholesky, int q, ReadOnlySpan<double> reflectors, int c, ReadOnlySpan<double> tau, Span<double> inverse,
        Span<double> work)
    {
        if (q < 0 || c < 0 || cholesky.Length < q * q || reflectors.Length < q * c || tau.Length > Math.Min(q, c) || inverse.Length != q * q || work.Length < q)
        {
            throw new ArgumentException($"G of a group of {q} parameters and {c} rows needs {q} x {q} factor values, {q} x {c} reflector values, at most {Math.Min(q, c)} tau, {q} x {q} values of G and {q} of work; got {cholesky.Length}, {reflectors.Length}, {tau.Length}, {inverse.Length} and {work.Length}.");
        }

        ref double g = ref MemoryMarshal.GetReference(inverse);
        ref double l = ref MemoryMarshal.GetReference(cholesky);

        // L^-1: row i = (e_i - sum_{t < i} L_it row t) / L_ii, as TriangularKernel.SolveLower on the identity.
        inverse.Clear();
        for (int i = 0; i < q; i++)
        {
            ref double row = ref Unsafe.Add(ref g, i * q);
            Unsafe.Add(ref row, i) = 1;
            AddCombination(ref row, ref g, q, ref Unsafe.Add(ref l, i * q), 1, i, -1);

            double reciprocal = 1.0 / Unsafe.Add(ref l, (i * q) + i);
            for (int j = 0; j < q; j++)
            {
                Unsafe.Add(ref row, j) *= reciprocal;
            }
        }

        // Q^T = H_{k-1} ... H_0: per reflector w = v^T G over its rows j on, then G -= tau v w^T.
        ref double w = ref MemoryMarshal.GetReference(work);
        ref double v = ref MemoryMarshal.GetReference(reflectors);
        for (int j = 0; j < tau.Length; j++)
        {
            double tj = tau[j];
            if (tj == 0)
            {
                continue;
            }

            ref double rowJ = ref Unsafe.Add(ref g, j * q);
            Unsafe.CopyBlockUnaligned(ref Unsafe.As<double, byte>(ref w), ref Unsafe.As<double, byte>(ref rowJ), (uint)(q * sizeof(double)));
            AddCombination(ref w, ref Unsafe.Add(ref g, (j + 1) * q), q, ref Unsafe.Add(ref v, ((j + 1) * c) + j), c, q - j - 1, 1);

            VectorKernels.AxpyUnchecked(-tj, ref w, ref rowJ, q);
            for (int i = j + 1; i < q; i++)
            {
                VectorKernels.AxpyUnchecked(-tj * Unsafe.Add(ref v, (i * c) + j), ref w, ref Unsafe.Add(ref g, i * q), q);
            }
        }
    }

    /// <summary>
    /// <c>target += sign sum_t a_t row_t</c> over <paramref name="length"/> values: <paramref name="count"/> rows <paramref name="length"/>
    /// apart from <paramref name="rows"/>, their coefficients <paramref name="coefficientStride"/> apart from <paramref name="coefficients"/>.
    /// Four vectors of columns at a time in registers through all the rows (an axpy per row made each row wait for the last one's store),
    /// then a vector at a time, then the columns left one by one.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddCombination(ref double target, ref double rows, int length, ref double coefficients, int coefficientStride, int count, double sign)
    {
        int width = Vector<double>.Count;
        int column = 0;
        for (; column + (4 * width) <= length; column += 4 * width)
        {
            ref double t = ref Unsafe.Add(ref target, column);
            Vector<double> sum0 = Simd.LoadUnsafe(ref t);
            Vector<double> sum1 = Simd.LoadUnsafe(ref Unsafe.Add(ref t, width));
            Vector<double> sum2 = Simd.LoadUnsafe(ref Unsafe.Add(ref t, 2 * width));
            Vector<double> sum3 = Simd.LoadUnsafe(ref Unsafe.Add(ref t, 3 * width));
            for (int r = 0; r < count; r++)
            {
                var a = new Vector<double>(sign * Unsafe.Add(ref coefficients, r * coefficientStride));
                ref double source = ref Unsafe.Add(ref rows, (r * length) + column);
                sum0 = Simd.FusedMultiplyAdd(a, Simd.LoadUnsafe(ref source), sum0);
                sum1 = Simd.FusedMultiplyAdd(a, Simd.LoadUnsafe(ref Unsafe.Add(ref source, width)), sum1);
                sum2 = Simd.FusedMultiplyAdd(a, Simd.LoadUnsafe(ref Unsafe.Add(ref source, 2 * width)), sum2);
                sum3 = Simd.FusedMultiplyAdd(a, Simd.LoadUnsafe(ref Unsafe.Add(ref source, 3 * width)), sum3);
            }

            sum0.StoreUnsafe(ref t);
            sum1.StoreUnsafe(ref Unsafe.Add(ref t, width));
            sum2.StoreUnsafe(ref Unsafe.Add(ref t, 2 * width));
            sum3.StoreUnsafe(ref Unsafe.Add(ref t, 3 * width));
        }

        for (; column + width <= length; column += width)
        {
            ref double t = ref Unsafe.Add(ref target, column);
            Vector<double> sum = Simd.LoadUnsafe(ref t);
            for (int r = 0; r < count; r++)
            {
                var a = new Vector<double>(sign * Unsafe.Add(ref coefficients, r * coefficientStride));
                sum = Simd.FusedMultiplyAdd(a, Simd.LoadUnsafe(ref Unsafe.Add(ref rows, (r * length) + column)), sum);
            }

            sum.StoreUnsafe(ref t);
        }

        for (; column < length; column++)
        {
            double sum = Unsafe.Add(ref target, column);
            for (int r = 0; r < count; r++)
            {
                sum += sign * Unsafe.Add(ref coefficients, r * coefficientStride) * Unsafe.Add(ref rows, (r * length) + column);
            }

            Unsafe.Add(ref target, column) = sum;
        }
    }
}
