using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace HessianCodegen.LinearAlgebra;

/// <summary>
/// <c>G = Q^T L^-1</c> (<c>q x q</c>, row-major) of a low-rank group solved explicitly (<c>LowRankPivotBlockFactor</c>'s half solve
/// of a group with several reflectors): <c>L^-1</c> row by row, each row the identity's less its multiples of the rows above, then
/// the reflectors one by one (<c>dorm2r</c>'s order), each row's combination of the rows above, and each reflector's <c>w = v^T G</c>,
/// summed in registers a few vectors of columns at a time (<see cref="RankUpdate.AddCombinationUnchecked"/>, the core of
/// <see cref="RankUpdate.SubtractCombination"/>; plain loops where <see cref="VectorWidth.FusedVectorT"/> is false). The triangular solve on the identity and
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
    public static void Form(ReadOnlySpan<double> cholesky, int q, ReadOnlySpan<double> reflectors, int c, ReadOnlySpan<double> tau, Span<double> inverse,
        Span<double> work) =>
        Form(cholesky, q, reflectors, c, tau, inverse, work, VectorWidth.FusedVectorT);

    /// <summary>
    /// <see cref="Form(ReadOnlySpan{double}, int, ReadOnlySpan{double}, int, ReadOnlySpan{double}, Span{double}, Span{double})"/> with
    /// <see cref="Vector{T}"/> fused multiply-adds or, without <paramref name="vectors"/>, plain loops (the choice
    /// <see cref="VectorWidth.FusedVectorT"/> makes; the tests take both).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Form(ReadOnlySpan<double> cholesky, int q, ReadOnlySpan<double> reflectors, int c, ReadOnlySpan<double> tau, Span<double> inverse,
        Span<double> work, bool vectors)
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
            RankUpdate.AddCombinationUnchecked(ref row, q, ref g, q, ref Unsafe.Add(ref l, i * q), 1, i, sign: -1, skipZeros: false, vectors);

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
            if (j + 1 < q)
            {
                // Formed only where the reflector has rows below the diagonal: for the last of q, (j + 1) * c + j is past the storage.
                RankUpdate.AddCombinationUnchecked(ref w, q, ref Unsafe.Add(ref g, (j + 1) * q), q, ref Unsafe.Add(ref v, ((j + 1) * c) + j), c,
                    q - j - 1, sign: 1, skipZeros: false, vectors);
            }

            // G -= tau v w^T, row by row: an axpy each, the combination of the one row w with the coefficient -tau v_i.
            double scale = -tj;
            RankUpdate.AddCombinationUnchecked(ref rowJ, q, ref w, 0, ref scale, 0, 1, sign: 1, skipZeros: false, vectors);
            for (int i = j + 1; i < q; i++)
            {
                scale = -tj * Unsafe.Add(ref v, (i * c) + j);
                RankUpdate.AddCombinationUnchecked(ref Unsafe.Add(ref g, i * q), q, ref w, 0, ref scale, 0, 1, sign: 1, skipZeros: false, vectors);
            }
        }
    }
}
