using System;
using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Threading;
using Simd = System.Numerics.Vector;

namespace HessianCodegen.LinearAlgebra;

/// <summary>
/// <c>E += D^T P D</c> for a symmetric <c>P</c> and a block-diagonal <c>D</c> (a layer's <c>Dz</c> over the batch:
/// blocks of <c>rows x columns</c>), in the upper block triangle of <c>E</c> only: tile
/// <c>(n, k)</c>, <c>n &lt;= k</c>, is <c>D_n^T P_nk D_k</c>. One pass over the upper block triangle of <c>P</c>, half the
/// flops of forming <c>P D</c> and then <c>D^T (P D)</c> whole, and no <c>m x m</c> intermediate. Blocks of eight columns
/// (hidden layers of width 8) go tile by tile through a register kernel (<c>D_n^T (P_nk D_k)</c>): blocks of 8 x 8 with 512-bit
/// vectors through one that keeps the tile's <c>P_nk D_k</c> in eight registers, else through one of 256-bit vectors with that
/// product on the stack. At issue 7's order 512: 52 GFLOP/s (512-bit) and 35 (256-bit) against 18 for the row products of the
/// general path (Benchmarks --riccati-phases, one run). Blocks of sixteen columns (width 16) with 512-bit vectors go through
/// <see cref="SixteenColumnCongruenceTile"/>.
/// </summary>
internal static class BlockDiagonalCongruence
{
    /// <summary>
    /// Adds <c>D^T P D</c> to the tiles <c>(n, k)</c>, <c>n &lt;= k</c>, of <paramref name="e"/> (order <c>blocks columns</c>,
    /// rows <paramref name="eStride"/> apart); diagonal tiles are written whole, tiles below them are not touched.
    /// </summary>
    /// <param name="p">The symmetric <c>P</c>, order <c>blocks rows</c>; only its upper block triangle is read.</param>
    /// <param name="pStride">Values from one row of <paramref name="p"/> to the next.</param>
    /// <param name="d">The blocks <c>D_n</c> one after another, each <paramref name="rows"/> x <paramref name="columns"/> row-major.</param>
    /// <param name="blocks">Blocks of <c>D</c> (the batch).</param>
    /// <param name="rows">Rows of each block (a layer's outputs).</param>
    /// <param name="columns">Columns of each block (a layer's inputs).</param>
    /// <param name="e">The sum, order <c>blocks columns</c>.</param>
    /// <param name="eStride">Values from one row of <paramref name="e"/> to the next.</param>
    /// <returns>The floating-point operations performed.</returns>
    /// <param name="overwrite">True to replace those tiles by <c>D^T P D</c> (their values are then not read) rather than add to them.</param>
    public static long AddUpper(ReadOnlySpan<double> p, int pStride, ReadOnlySpan<double> d, int blocks, int rows, int columns,
        Span<double> e, int eStride, bool overwrite = false) =>
        AddUpper(p, pStride, d, blocks, rows, columns, e, eStride, overwrite, 0, blocks, VectorWidth.Hardware);

    /// <summary>
    /// <see cref="AddUpper(ReadOnlySpan{double}, int, ReadOnlySpan{double}, int, int, int, Span{double}, int, bool)"/> with the tile
    /// kernels of <paramref name="vectorBits"/> (512, 256, or 0 for the row products of the general path), at most
    /// <see cref="VectorWidth.Hardware"/>: the tests take each.
    /// </summary>
    /// <returns>The floating-point operations performed.</returns>
    internal static long AddUpper(ReadOnlySpan<double> p, int pStride, ReadOnlySpan<double> d, int blocks, int rows, int columns,
        Span<double> e, int eStride, bool overwrite, int vectorBits)
    {
        VectorWidth.Validate(vectorBits);
        return AddUpper(p, pStride, d, blocks, rows, columns, e, eStride, overwrite, 0, blocks, vectorBits);
    }

    /// <summary>
    /// Flops from which <see cref="AddUpperOnTwoCores"/> uses the second core: a few hundred microseconds of one core.
    /// Issue 7's chain: 512 x 512 <c>P</c>, 64 blocks of 8 x 8, 4.3e6 flops. Not tuned on a quiet machine.
    /// </summary>
    public const double ParallelThreshold = 2e6;

    /// <summary>
    /// <see cref="AddUpper(ReadOnlySpan{double}, int, ReadOnlySpan{double}, int, int, int, Span{double}, int, bool)"/> on two cores
    /// where it is large enough: the block rows are cut where each side has half the tiles, the second part run on
    /// <paramref name="worker"/>'s thread, or on the thread pool where there is none.
    /// </summary>
    /// <returns>The floating-point operations performed.</returns>
    public static long AddUpperOnTwoCores(ReadOnlyMemory<double> p, int pStride, ReadOnlyMemory<double> d, int blocks, int rows, int columns,
        Memory<double> e, int eStride, bool overwrite = false, TwoCoreWorker? worker = null)
    {
        long tiles = (long)blocks * (blocks + 1) / 2;
        if (tiles * 4.0 * rows * columns * Math.Max(rows, columns) < ParallelThreshold || Environment.ProcessorCount < 2)
        {
            return AddUpper(p.Span, pStride, d.Span, blocks, rows, columns, e.Span, eStride, overwrite, 0, blocks, VectorWidth.Hardware);
        }

        // Block row n holds blocks - n tiles: the first 1 - 1/sqrt(2) of the rows hold half of them.
        int split = Math.Clamp(TriangleSplit.HalfOfUpper(blocks, 1), 1, blocks - 1);
        long first = 0, second = 0;
        TwoCoreWorker.Fork(worker,
            () => first = AddUpper(p.Span, pStride, d.Span, blocks, rows, columns, e.Span, eStride, overwrite, 0, split, VectorWidth.Hardware),
            () => second = AddUpper(p.Span, pStride, d.Span, blocks, rows, columns, e.Span, eStride, overwrite, split, blocks, VectorWidth.Hardware));
        return first + second;
    }

    /// <summary>Pieces of block rows, of about the same number of tiles each, that <see cref="AddUpperShared"/> hands out.</summary>
    internal const int SharedPieces = 8;

    /// <summary>
    /// <see cref="AddUpper(ReadOnlySpan{double}, int, ReadOnlySpan{double}, int, int, int, Span{double}, int, bool)"/> shared by the
    /// sides of <paramref name="fork"/> through its counter <paramref name="counter"/>: each takes a piece of block rows holding about
    /// a <see cref="SharedPieces"/>-th of the tiles at a time until none are left, so that a side that joins late (after other work)
    /// takes fewer and the sides finish together. Tiles are computed as one call computes them. A side takes the pieces from the first
    /// block rows on, or from the last ones back where <paramref name="fromEnd"/> (<see cref="SharedFork"/>).
    /// </summary>
    /// <returns>The floating-point operations this side performed (each piece's also counted in the fork's <see cref="SharedFork.Flops"/>).</returns>
    public static long AddUpperShared(ReadOnlySpan<double> p, int pStride, ReadOnlySpan<double> d, int blocks, int rows, int columns,
        Span<double> e, int eStride, bool overwrite, SharedFork fork, int counter, bool fromEnd = false)
    {
        ArgumentNullException.ThrowIfNull(fork);
        int pieces = Math.Min(SharedPieces, Math.Max(1, blocks));
        long flops = 0;
        for (int piece = fork.Take(counter, pieces, fromEnd); piece >= 0; piece = fork.Take(counter, pieces, fromEnd))
        {
            long pieceFlops = AddUpper(p, pStride, d, blocks, rows, columns, e, eStride, overwrite, PieceStart(blocks, pieces, piece),
                PieceStart(blocks, pieces, piece + 1), VectorWidth.Hardware);
            flops += pieceFlops;
            fork.Done(counter, fromEnd, pieceFlops);
        }

        return flops;
    }

    /// <summary>The first block row of <paramref name="piece"/> of <paramref name="pieces"/>: the first row before which at least
    /// that share of the upper block triangle's tiles lies (row <c>n</c> holds <c>blocks - n</c>).</summary>
    private static int PieceStart(int blocks, int pieces, int piece)
    {
        long tiles = (long)blocks * (blocks + 1) / 2;
        long before = 0;
        int n = 0;
        while (n < blocks && before * pieces < tiles * piece)
        {
            before += blocks - n;
            n++;
        }

        return n;
    }

    /// <summary>The block rows <paramref name="firstBlock"/> to <paramref name="endBlock"/> of the sum.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static long AddUpper(ReadOnlySpan<double> p, int pStride, ReadOnlySpan<double> d, int blocks, int rows, int columns,
        Span<double> e, int eStride, bool overwrite, int firstBlock, int endBlock, int vectorBits)
    {
        int order = blocks * rows;
        int eOrder = blocks * columns;
        if (blocks < 0 || rows < 0 || columns < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(blocks), $"{blocks} blocks of {rows} x {columns}: sizes must not be negative.");
        }

        if (order == 0 || eOrder == 0)
        {
            return 0;
        }

        if (pStride < order || p.Length < ((order - 1) * pStride) + order)
        {
            throw new ArgumentException($"p of order {order} with rows {pStride} apart needs {((order - 1) * pStride) + order} values; got {p.Length}.", nameof(p));
        }

        if (d.Length < blocks * rows * columns)
        {
            throw new ArgumentException($"d holds {blocks} blocks of {rows} x {columns}, {blocks * rows * columns} values; got {d.Length}.", nameof(d));
        }

        if (eStride < eOrder || e.Length < ((eOrder - 1) * eStride) + eOrder)
        {
            throw new ArgumentException($"e of order {eOrder} with rows {eStride} apart needs {((eOrder - 1) * eStride) + eOrder} values; got {e.Length}.", nameof(e));
        }

        if (columns == TileColumns && rows == TileColumns && vectorBits == 512)
        {
            // Square blocks of eight (a hidden layer of width 8 after one of width 8): a tile's rows are one 512-bit vector each,
            // and P_nk D_k stays in registers between its two products.
            for (int n = firstBlock; n < endBlock; n++)
            {
                for (int k = n; k < blocks; k++)
                {
                    AddSquareTile(p.Slice((n * rows * pStride) + (k * rows)), pStride, d.Slice(n * rows * columns, rows * columns),
                        d.Slice(k * rows * columns, rows * columns), e.Slice((n * columns * eStride) + (k * columns)), eStride, overwrite);
                }
            }

            return Flops(blocks, rows, columns, firstBlock, endBlock);
        }

        if (columns == TileColumns && rows <= TileMaxRows && vectorBits >= 256)
        {
            // Eight columns (a hidden layer of width 8): each tile whole in registers, P's tile read once.
            for (int n = firstBlock; n < endBlock; n++)
            {
                for (int k = n; k < blocks; k++)
                {
                    AddTile(p.Slice((n * rows * pStride) + (k * rows)), pStride, d.Slice(n * rows * columns, rows * columns), d.Slice(k * rows * columns, rows * columns),
                        rows, e.Slice((n * columns * eStride) + (k * columns)), eStride, overwrite);
                }
            }

            return Flops(blocks, rows, columns, firstBlock, endBlock);
        }

        if (columns == SixteenColumnCongruenceTile.Columns && rows <= SixteenColumnCongruenceTile.MaxRows && vectorBits == 512)
        {
            // Sixteen columns (a hidden layer of width 16) with 512-bit vectors: a tile row is two vectors.
            for (int n = firstBlock; n < endBlock; n++)
            {
                for (int k = n; k < blocks; k++)
                {
                    SixteenColumnCongruenceTile.Add(p.Slice((n * rows * pStride) + (k * rows)), pStride, d.Slice(n * rows * columns, rows * columns),
                        d.Slice(k * rows * columns, rows * columns), rows, e.Slice((n * columns * eStride) + (k * columns)), eStride, overwrite);
                }
            }

            return Flops(blocks, rows, columns, firstBlock, endBlock);
        }

        // Per block row n: U = D_n^T P(n rows, from column n on) in one product (columns x (order - n rows)), then tile
        // (n, k) += U(:, k's rows) D_k, a short row combination per row of U.
        double[] rented = ArrayPool<double>.Shared.Rent(columns * order);
        try
        {
            Span<double> u = rented.AsSpan(0, columns * order);
            for (int n = firstBlock; n < endBlock; n++)
            {
                int first = n * rows;
                int width = order - first;
                Gemm.Multiply(true, false, columns, width, rows, 1, d.Slice(n * rows * columns, rows * columns), columns,
                    p[((first * pStride) + first)..], pStride, 0, u, width);
                for (int i = 0; i < columns; i++)
                {
                    ReadOnlySpan<double> uRow = u.Slice(i * width, width);
                    Span<double> eRow = e.Slice((((n * columns) + i) * eStride) + (n * columns), (blocks - n) * columns);
                    AddTileRows(uRow, d[(first * columns)..], blocks - n, rows, columns, eRow, overwrite);
                }
            }
        }
        finally
        {
            ArrayPool<double>.Shared.Return(rented);
        }

        return Flops(blocks, rows, columns, firstBlock, endBlock);
    }

    /// <summary>The flops of block rows <paramref name="firstBlock"/> to <paramref name="endBlock"/>: per tile, 2 rows rows columns for <c>P_nk D_k</c> (or <c>D_n^T P_nk</c>) and 2 columns rows columns for the other factor.</summary>
    private static long Flops(int blocks, int rows, int columns, int firstBlock, int endBlock)
    {
        long flops = 0;
        for (int n = firstBlock; n < endBlock; n++)
        {
            flops += (blocks - n) * ((2L * columns * rows * rows) + (2L * columns * rows * columns));
        }

        return flops;
    }

    /// <summary>Columns of the blocks the tile kernels take: one 512-bit vector of doubles, or two 256-bit ones.</summary>
    private const int TileColumns = 8;

    /// <summary>The most rows a block may have for the 256-bit tile kernel, whose product <c>P_nk D_k</c> goes on the stack (4 KB).</summary>
    private const int TileMaxRows = 64;

    /// <summary>
    /// One tile, <c>e_nk (+)= D_n^T (P_nk D_k)</c>, for blocks of <see cref="TileColumns"/> columns with 256-bit vectors: <c>T = P_nk D_k</c> four rows
    /// at a time into a stack buffer (eight accumulators), then <c>e_nk</c> four rows at a time from it, so that eight
    /// independent sums cover the fused multiply-add's latency. <paramref name="pTile"/> starts at <c>P_nk</c> (rows
    /// <paramref name="pStride"/> apart), <paramref name="eTile"/> at <c>e_nk</c>.
    /// </summary>
    [SkipLocalsInit]
    private static void AddTile(ReadOnlySpan<double> pTile, int pStride, ReadOnlySpan<double> dn, ReadOnlySpan<double> dk, int rows, Span<double> eTile,
        int eStride, bool overwrite)
    {
        const int C = TileColumns;
        if (pTile.Length < ((rows - 1) * pStride) + rows || dn.Length < rows * C || dk.Length < rows * C || eTile.Length < ((C - 1) * eStride) + C)
        {
            throw new ArgumentException("A congruence tile's operands are too short.");
        }

        Span<double> product = stackalloc double[TileMaxRows * C];
        ref double t = ref MemoryMarshal.GetReference(product);
        ref double pStart = ref MemoryMarshal.GetReference(pTile);
        ref double dnStart = ref MemoryMarshal.GetReference(dn);
        ref double dkStart = ref MemoryMarshal.GetReference(dk);
        ref double eStart = ref MemoryMarshal.GetReference(eTile);

        // T = P_nk D_k: row r of T is sum_s P(r, s) D_k(s, :).
        int r = 0;
        for (; r + 4 <= rows; r += 4)
        {
            ref double p0 = ref Unsafe.Add(ref pStart, r * pStride);
            ref double p1 = ref Unsafe.Add(ref p0, pStride);
            ref double p2 = ref Unsafe.Add(ref p1, pStride);
            ref double p3 = ref Unsafe.Add(ref p2, pStride);
            Vector256<double> a0 = Vector256<double>.Zero, b0 = Vector256<double>.Zero, a1 = Vector256<double>.Zero, b1 = Vector256<double>.Zero;
            Vector256<double> a2 = Vector256<double>.Zero, b2 = Vector256<double>.Zero, a3 = Vector256<double>.Zero, b3 = Vector256<double>.Zero;
            for (int s = 0; s < rows; s++)
            {
                Vector256<double> low = Vector256.LoadUnsafe(ref dkStart, (nuint)(s * C));
                Vector256<double> high = Vector256.LoadUnsafe(ref dkStart, (nuint)((s * C) + 4));
                Vector256<double> x = Vector256.Create(Unsafe.Add(ref p0, s));
                a0 = Vector256.FusedMultiplyAdd(x, low, a0);
                b0 = Vector256.FusedMultiplyAdd(x, high, b0);
                x = Vector256.Create(Unsafe.Add(ref p1, s));
                a1 = Vector256.FusedMultiplyAdd(x, low, a1);
                b1 = Vector256.FusedMultiplyAdd(x, high, b1);
                x = Vector256.Create(Unsafe.Add(ref p2, s));
                a2 = Vector256.FusedMultiplyAdd(x, low, a2);
                b2 = Vector256.FusedMultiplyAdd(x, high, b2);
                x = Vector256.Create(Unsafe.Add(ref p3, s));
                a3 = Vector256.FusedMultiplyAdd(x, low, a3);
                b3 = Vector256.FusedMultiplyAdd(x, high, b3);
            }

            a0.StoreUnsafe(ref t, (nuint)(r * C));
            b0.StoreUnsafe(ref t, (nuint)((r * C) + 4));
            a1.StoreUnsafe(ref t, (nuint)((r + 1) * C));
            b1.StoreUnsafe(ref t, (nuint)(((r + 1) * C) + 4));
            a2.StoreUnsafe(ref t, (nuint)((r + 2) * C));
            b2.StoreUnsafe(ref t, (nuint)(((r + 2) * C) + 4));
            a3.StoreUnsafe(ref t, (nuint)((r + 3) * C));
            b3.StoreUnsafe(ref t, (nuint)(((r + 3) * C) + 4));
        }

        for (; r < rows; r++)
        {
            ref double pRow = ref Unsafe.Add(ref pStart, r * pStride);
            Vector256<double> a0 = Vector256<double>.Zero, b0 = Vector256<double>.Zero;
            for (int s = 0; s < rows; s++)
            {
                Vector256<double> x = Vector256.Create(Unsafe.Add(ref pRow, s));
                a0 = Vector256.FusedMultiplyAdd(x, Vector256.LoadUnsafe(ref dkStart, (nuint)(s * C)), a0);
                b0 = Vector256.FusedMultiplyAdd(x, Vector256.LoadUnsafe(ref dkStart, (nuint)((s * C) + 4)), b0);
            }

            a0.StoreUnsafe(ref t, (nuint)(r * C));
            b0.StoreUnsafe(ref t, (nuint)((r * C) + 4));
        }

        // e_nk(i, :) (+)= sum_r D_n(r, i) T(r, :), four rows i at a time.
        for (int i = 0; i < C; i += 4)
        {
            Vector256<double> a0 = Vector256<double>.Zero, b0 = Vector256<double>.Zero, a1 = Vector256<double>.Zero, b1 = Vector256<double>.Zero;
            Vector256<double> a2 = Vector256<double>.Zero, b2 = Vector256<double>.Zero, a3 = Vector256<double>.Zero, b3 = Vector256<double>.Zero;
            for (int q = 0; q < rows; q++)
            {
                Vector256<double> low = Vector256.LoadUnsafe(ref t, (nuint)(q * C));
                Vector256<double> high = Vector256.LoadUnsafe(ref t, (nuint)((q * C) + 4));
                ref double dRow = ref Unsafe.Add(ref dnStart, (q * C) + i);
                Vector256<double> x = Vector256.Create(dRow);
                a0 = Vector256.FusedMultiplyAdd(x, low, a0);
                b0 = Vector256.FusedMultiplyAdd(x, high, b0);
                x = Vector256.Create(Unsafe.Add(ref dRow, 1));
                a1 = Vector256.FusedMultiplyAdd(x, low, a1);
                b1 = Vector256.FusedMultiplyAdd(x, high, b1);
                x = Vector256.Create(Unsafe.Add(ref dRow, 2));
                a2 = Vector256.FusedMultiplyAdd(x, low, a2);
                b2 = Vector256.FusedMultiplyAdd(x, high, b2);
                x = Vector256.Create(Unsafe.Add(ref dRow, 3));
                a3 = Vector256.FusedMultiplyAdd(x, low, a3);
                b3 = Vector256.FusedMultiplyAdd(x, high, b3);
            }

            Store(ref Unsafe.Add(ref eStart, i * eStride), a0, b0, overwrite);
            Store(ref Unsafe.Add(ref eStart, (i + 1) * eStride), a1, b1, overwrite);
            Store(ref Unsafe.Add(ref eStart, (i + 2) * eStride), a2, b2, overwrite);
            Store(ref Unsafe.Add(ref eStart, (i + 3) * eStride), a3, b3, overwrite);
        }
    }

    /// <summary>
    /// One tile, <c>e_nk (+)= D_n^T (P_nk D_k)</c>, for blocks of 8 x 8 with 512-bit vectors: row <c>r</c> of <c>T = P_nk D_k</c> is
    /// <c>sum_s P(r, s) D_k(s, :)</c>, row <c>i</c> of the tile <c>sum_q D_n(q, i) T(q, :)</c>; eight independent sums each time
    /// cover the latency, and <c>T</c> never leaves the registers.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddSquareTile(ReadOnlySpan<double> pTile, int pStride, ReadOnlySpan<double> dn, ReadOnlySpan<double> dk, Span<double> eTile,
        int eStride, bool overwrite)
    {
        const int C = TileColumns;
        if (pTile.Length < ((C - 1) * pStride) + C || dn.Length < C * C || dk.Length < C * C || eTile.Length < ((C - 1) * eStride) + C)
        {
            throw new ArgumentException("A congruence tile's operands are too short.");
        }

        ref double pStart = ref MemoryMarshal.GetReference(pTile);
        ref double dnStart = ref MemoryMarshal.GetReference(dn);
        ref double dkStart = ref MemoryMarshal.GetReference(dk);
        ref double eStart = ref MemoryMarshal.GetReference(eTile);
        Vector512<double> k0 = Vector512.LoadUnsafe(ref dkStart), k1 = Vector512.LoadUnsafe(ref dkStart, C), k2 = Vector512.LoadUnsafe(ref dkStart, 2 * C);
        Vector512<double> k3 = Vector512.LoadUnsafe(ref dkStart, 3 * C), k4 = Vector512.LoadUnsafe(ref dkStart, 4 * C), k5 = Vector512.LoadUnsafe(ref dkStart, 5 * C);
        Vector512<double> k6 = Vector512.LoadUnsafe(ref dkStart, 6 * C), k7 = Vector512.LoadUnsafe(ref dkStart, 7 * C);
        Vector512<double> t0 = Combine(ref pStart, 1, k0, k1, k2, k3, k4, k5, k6, k7);
        Vector512<double> t1 = Combine(ref Unsafe.Add(ref pStart, pStride), 1, k0, k1, k2, k3, k4, k5, k6, k7);
        Vector512<double> t2 = Combine(ref Unsafe.Add(ref pStart, 2 * pStride), 1, k0, k1, k2, k3, k4, k5, k6, k7);
        Vector512<double> t3 = Combine(ref Unsafe.Add(ref pStart, 3 * pStride), 1, k0, k1, k2, k3, k4, k5, k6, k7);
        Vector512<double> t4 = Combine(ref Unsafe.Add(ref pStart, 4 * pStride), 1, k0, k1, k2, k3, k4, k5, k6, k7);
        Vector512<double> t5 = Combine(ref Unsafe.Add(ref pStart, 5 * pStride), 1, k0, k1, k2, k3, k4, k5, k6, k7);
        Vector512<double> t6 = Combine(ref Unsafe.Add(ref pStart, 6 * pStride), 1, k0, k1, k2, k3, k4, k5, k6, k7);
        Vector512<double> t7 = Combine(ref Unsafe.Add(ref pStart, 7 * pStride), 1, k0, k1, k2, k3, k4, k5, k6, k7);
        for (int i = 0; i < C; i++)
        {
            // Column i of D_n: its values are C apart.
            Vector512<double> row = Combine(ref Unsafe.Add(ref dnStart, i), C, t0, t1, t2, t3, t4, t5, t6, t7);
            ref double target = ref Unsafe.Add(ref eStart, i * eStride);
            if (!overwrite)
            {
                row += Vector512.LoadUnsafe(ref target);
            }

            row.StoreUnsafe(ref target);
        }
    }

    /// <summary><c>sum_s c[s stride] v_s</c> over eight vectors, in order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<double> Combine(ref double c, int stride, Vector512<double> v0, Vector512<double> v1, Vector512<double> v2, Vector512<double> v3,
        Vector512<double> v4, Vector512<double> v5, Vector512<double> v6, Vector512<double> v7)
    {
        Vector512<double> sum = Vector512.Create(c) * v0;
        sum = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref c, stride)), v1, sum);
        sum = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref c, 2 * stride)), v2, sum);
        sum = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref c, 3 * stride)), v3, sum);
        sum = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref c, 4 * stride)), v4, sum);
        sum = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref c, 5 * stride)), v5, sum);
        sum = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref c, 6 * stride)), v6, sum);
        return Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref c, 7 * stride)), v7, sum);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(ref double target, Vector256<double> low, Vector256<double> high, bool overwrite)
    {
        if (!overwrite)
        {
            low += Vector256.LoadUnsafe(ref target);
            high += Vector256.LoadUnsafe(ref target, 4);
        }

        low.StoreUnsafe(ref target);
        high.StoreUnsafe(ref target, 4);
    }

    /// <summary>
    /// <c>e(k columns..) += sum_r u(k rows + r) d_k(r, :)</c> for <paramref name="tiles"/> consecutive tiles <c>k</c>: one row of
    /// each tile, its <paramref name="columns"/> values kept in vectors while the <paramref name="rows"/> terms stream past.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddTileRows(ReadOnlySpan<double> u, ReadOnlySpan<double> d, int tiles, int rows, int columns, Span<double> e, bool overwrite)
    {
        int width = Vector<double>.Count;
        int blockSize = rows * columns;
        if (columns == 2 * width && u.Length >= tiles * rows && d.Length >= tiles * blockSize && e.Length >= tiles * columns)
        {
            // Two vectors per tile row (8 columns on AVX2): the common width of a hidden layer.
            ref double uStart = ref MemoryMarshal.GetReference(u);
            ref double dStart = ref MemoryMarshal.GetReference(d);
            ref double eStart = ref MemoryMarshal.GetReference(e);
            for (int k = 0; k < tiles; k++)
            {
                ref double target = ref Unsafe.Add(ref eStart, k * columns);
                ref double block = ref Unsafe.Add(ref dStart, k * blockSize);
                ref double coefficients = ref Unsafe.Add(ref uStart, k * rows);
                Vector<double> s0 = overwrite ? Vector<double>.Zero : Simd.LoadUnsafe(ref target);
                Vector<double> s1 = overwrite ? Vector<double>.Zero : Simd.LoadUnsafe(ref target, (nuint)width);
                for (int r = 0; r < rows; r++)
                {
                    var x = new Vector<double>(Unsafe.Add(ref coefficients, r));
                    ref double dRow = ref Unsafe.Add(ref block, r * columns);
                    s0 = Simd.FusedMultiplyAdd(x, Simd.LoadUnsafe(ref dRow), s0);
                    s1 = Simd.FusedMultiplyAdd(x, Simd.LoadUnsafe(ref dRow, (nuint)width), s1);
                }

                s0.StoreUnsafe(ref target);
                s1.StoreUnsafe(ref target, (nuint)width);
            }

            return;
        }

        for (int k = 0; k < tiles; k++)
        {
            Span<double> target = e.Slice(k * columns, columns);
            ReadOnlySpan<double> block = d.Slice(k * blockSize, blockSize);
            if (overwrite)
            {
                target.Clear();
            }

            for (int r = 0; r < rows; r++)
            {
                double x = u[(k * rows) + r];
                ReadOnlySpan<double> dRow = block.Slice(r * columns, columns);
                for (int j = 0; j < columns; j++)
                {
                    target[j] += x * dRow[j];
                }
            }
        }
    }
}
