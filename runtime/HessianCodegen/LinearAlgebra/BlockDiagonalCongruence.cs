using System;
using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading.Tasks;
using Simd = System.Numerics.Vector;

namespace HessianCodegen.LinearAlgebra;

/// <summary>
/// <c>E += D^T P D</c> for a symmetric <c>P</c> and a block-diagonal <c>D</c> (a layer's <c>Dz</c> over the batch:
/// blocks of <c>rows x columns</c>), in the upper block triangle of <c>E</c> only: tile
/// <c>(n, k)</c>, <c>n &lt;= k</c>, is <c>D_n^T P_nk D_k</c>. One pass over the upper block triangle of <c>P</c>, half the
/// flops of forming <c>P D</c> and then <c>D^T (P D)</c> whole, and no <c>m x m</c> intermediate.
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
        Span<double> e, int eStride, bool overwrite = false) => AddUpper(p, pStride, d, blocks, rows, columns, e, eStride, overwrite, 0, blocks);

    /// <summary>
    /// Flops from which <see cref="AddUpperOnTwoCores"/> uses the second core: a few hundred microseconds of one core.
    /// Issue 7's chain: 512 x 512 <c>P</c>, 64 blocks of 8 x 8, 4.3e6 flops. Not tuned on a quiet machine.
    /// </summary>
    public const double ParallelThreshold = 2e6;

    /// <summary>
    /// <see cref="AddUpper(ReadOnlySpan{double}, int, ReadOnlySpan{double}, int, int, int, Span{double}, int, bool)"/> on two cores
    /// where it is large enough: the block rows are cut where each side has half the tiles.
    /// </summary>
    /// <returns>The floating-point operations performed.</returns>
    public static long AddUpperOnTwoCores(ReadOnlyMemory<double> p, int pStride, ReadOnlyMemory<double> d, int blocks, int rows, int columns,
        Memory<double> e, int eStride, bool overwrite = false)
    {
        long tiles = (long)blocks * (blocks + 1) / 2;
        if (tiles * 4.0 * rows * columns * Math.Max(rows, columns) < ParallelThreshold || Environment.ProcessorCount < 2)
        {
            return AddUpper(p.Span, pStride, d.Span, blocks, rows, columns, e.Span, eStride, overwrite, 0, blocks);
        }

        // Block row n holds blocks - n tiles: the first 1 - 1/sqrt(2) of the rows hold half of them.
        int split = Math.Clamp((int)Math.Round(blocks * (1 - Math.Sqrt(0.5))), 1, blocks - 1);
        long first = 0, second = 0;
        Parallel.Invoke(
            () => first = AddUpper(p.Span, pStride, d.Span, blocks, rows, columns, e.Span, eStride, overwrite, 0, split),
            () => second = AddUpper(p.Span, pStride, d.Span, blocks, rows, columns, e.Span, eStride, overwrite, split, blocks));
        return first + second;
    }

    /// <summary>The block rows <paramref name="firstBlock"/> to <paramref name="endBlock"/> of the sum.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static long AddUpper(ReadOnlySpan<double> p, int pStride, ReadOnlySpan<double> d, int blocks, int rows, int columns,
        Span<double> e, int eStride, bool overwrite, int firstBlock, int endBlock)
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

        // Block row n: 2 columns rows (order - n rows) for U, 2 columns rows columns per tile.
        long flops = 0;
        for (int n = firstBlock; n < endBlock; n++)
        {
            flops += (2L * columns * rows * (order - (n * rows))) + ((blocks - n) * 2L * columns * rows * columns);
        }

        return flops;
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
