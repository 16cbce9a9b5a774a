using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace HessianCodegen.LinearAlgebra;

/// <summary>
/// One tile <c>e_nk (+)= D_n^T (P_nk D_k)</c> of <see cref="BlockDiagonalCongruence"/> for blocks of sixteen columns (a hidden layer
/// of width 16) with 512-bit vectors: a tile row is two vectors. <c>T = P_nk D_k</c> four rows at a time into a stack buffer
/// (<see cref="RegisterTile512"/>'s eight accumulators), then <c>e_nk</c> four rows at a time from it, in the same tiles. The general path it replaces there formed
/// <c>D_n^T P</c> by <see cref="Gemm"/> and then each tile row in plain loops, since <see cref="System.Numerics.Vector{T}"/> is
/// 256 bits wide: at width 16, batch 8 that was 15 % of the factorization's profile (docs/algorithm.md). It is
/// <see cref="BlockDiagonalCongruence"/>'s 8-column tile with 512-bit vectors (rows 16 apart, halves 8 apart, where that one has 256-bit
/// vectors, 8 and 4); that one keeps loops of its own (<see cref="RegisterTile256"/> has no <c>AddProducts</c>, and the 256-bit path
/// cannot be timed on this project's AVX-512 machine).
/// </summary>
internal static class SixteenColumnCongruenceTile
{
    /// <summary>Columns of the blocks this kernel takes: two 512-bit vectors of doubles.</summary>
    public const int Columns = 16;

    /// <summary>The most rows a block may have: the product <c>P_nk D_k</c> goes on the stack (8 KB).</summary>
    public const int MaxRows = 64;

    /// <summary>
    /// <c>e_nk (+)= D_n^T (P_nk D_k)</c>: <paramref name="pTile"/> starts at <c>P_nk</c> (<paramref name="rows"/> square, rows
    /// <paramref name="pStride"/> apart), <paramref name="dn"/> and <paramref name="dk"/> are <paramref name="rows"/> x 16 row-major,
    /// <paramref name="eTile"/> starts at <c>e_nk</c> (16 x 16, rows <paramref name="eStride"/> apart), replaced where
    /// <paramref name="overwrite"/> (its values then not read).
    /// </summary>
    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Add(ReadOnlySpan<double> pTile, int pStride, ReadOnlySpan<double> dn, ReadOnlySpan<double> dk, int rows, Span<double> eTile,
        int eStride, bool overwrite)
    {
        const int C = Columns;
        if (rows < 0 || rows > MaxRows || pTile.Length < ((rows - 1) * pStride) + rows || dn.Length < rows * C || dk.Length < rows * C
            || eTile.Length < ((C - 1) * eStride) + C)
        {
            throw new ArgumentException($"A congruence tile of {rows} rows (at most {MaxRows}) by {C} columns: its operands are too short.");
        }

        Span<double> product = stackalloc double[MaxRows * C];
        ref double t = ref MemoryMarshal.GetReference(product);
        ref double pStart = ref MemoryMarshal.GetReference(pTile);
        ref double dnStart = ref MemoryMarshal.GetReference(dn);
        ref double dkStart = ref MemoryMarshal.GetReference(dk);
        ref double eStart = ref MemoryMarshal.GetReference(eTile);

        // T = P_nk D_k: row r of T is sum_s P(r, s) D_k(s, :), in order of s.
        int r = 0;
        for (; r + 4 <= rows; r += 4)
        {
            RegisterTile512 tile = default;
            tile.AddProducts(ref dkStart, C, ref Unsafe.Add(ref pStart, r * pStride), 1, pStride, rows);
            tile.Store(ref Unsafe.Add(ref t, r * C), C);
        }

        for (; r < rows; r++)
        {
            ref double pRow = ref Unsafe.Add(ref pStart, r * pStride);
            Vector512<double> a0 = Vector512<double>.Zero, b0 = Vector512<double>.Zero;
            for (int s = 0; s < rows; s++)
            {
                Vector512<double> x = Vector512.Create(Unsafe.Add(ref pRow, s));
                a0 = Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref dkStart, (nuint)(s * C)), a0);
                b0 = Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref dkStart, (nuint)((s * C) + 8)), b0);
            }

            a0.StoreUnsafe(ref t, (nuint)(r * C));
            b0.StoreUnsafe(ref t, (nuint)((r * C) + 8));
        }

        // e_nk(i, :) (+)= sum_q D_n(q, i) T(q, :), four rows i at a time, in order of q.
        for (int i = 0; i < C; i += 4)
        {
            RegisterTile512 tile = default;
            tile.AddProducts(ref t, C, ref Unsafe.Add(ref dnStart, i), C, 1, rows);
            Store(ref Unsafe.Add(ref eStart, i * eStride), tile.Row0Left, tile.Row0Right, overwrite);
            Store(ref Unsafe.Add(ref eStart, (i + 1) * eStride), tile.Row1Left, tile.Row1Right, overwrite);
            Store(ref Unsafe.Add(ref eStart, (i + 2) * eStride), tile.Row2Left, tile.Row2Right, overwrite);
            Store(ref Unsafe.Add(ref eStart, (i + 3) * eStride), tile.Row3Left, tile.Row3Right, overwrite);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(ref double target, Vector512<double> low, Vector512<double> high, bool overwrite)
    {
        if (!overwrite)
        {
            low += Vector512.LoadUnsafe(ref target);
            high += Vector512.LoadUnsafe(ref target, 8);
        }

        low.StoreUnsafe(ref target);
        high.StoreUnsafe(ref target, 8);
    }
}
