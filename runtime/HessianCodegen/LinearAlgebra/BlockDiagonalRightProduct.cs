using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace HessianCodegen.LinearAlgebra;

/// <summary>
/// <c>c = initial - w D</c> for a block-diagonal <c>D</c> (a layer's <c>Dz</c> over the batch: blocks of <c>rows x columns</c>): column block
/// <c>n</c> of <c>c</c> takes <c>w(:, n rows..) D_n</c>. The Riccati recursion's <c>C = Xzx + (Dx^T P) Dz</c> with <c>w = -(Dx^T P)</c>.
/// Blocks of 8 x 8 with AVX-512 go four rows of <c>w</c> at a time through a register kernel (a row of a block of <c>c</c> is one
/// vector); others go through <see cref="Gemm"/>, one product per block. <c>c</c> starts from the layer's <c>Xzx</c> blocks (or
/// zero) inside the kernel instead of from a copy: at issue 7's order the copy (a short span per example and parameter) took
/// 0.023 ms, as long as the product.
/// </summary>
internal static class BlockDiagonalRightProduct
{
    /// <summary>Rows and columns of the blocks the register kernel takes: one 512-bit vector of doubles.</summary>
    private const int Block = 8;

    /// <summary>Rows of <c>w</c> the register kernel takes at a time: four independent sums per block.</summary>
    private const int RowsAtOnce = 4;

    /// <summary>
    /// <c>c(:, n columns..) = initial_n - w(:, n rows..) D_n</c> for every block <c>n</c>, over <paramref name="height"/> rows of
    /// <c>w</c> and <c>c</c>: <c>c</c> starts from <paramref name="initial"/>'s blocks, or from zero where <paramref name="initial"/>
    /// is empty, inside the kernel; what <c>c</c> held is not read.
    /// </summary>
    /// <param name="initial">Empty, or the blocks <c>initial_n</c> one after another, each <paramref name="height"/> x
    /// <paramref name="columns"/> row-major (a layer's <c>Xzx</c>).</param>
    /// <param name="w">The left factor, <paramref name="height"/> x <c>blocks rows</c>, rows <paramref name="wStride"/> apart.</param>
    /// <param name="wStride">Values from one row of <paramref name="w"/> to the next.</param>
    /// <param name="d">The blocks <c>D_n</c> one after another, each <paramref name="rows"/> x <paramref name="columns"/> row-major.</param>
    /// <param name="blocks">Blocks of <c>D</c> (the batch).</param>
    /// <param name="rows">Rows of each block (a layer's outputs).</param>
    /// <param name="columns">Columns of each block (a layer's inputs).</param>
    /// <param name="c">The target, <paramref name="height"/> x <c>blocks columns</c>, rows <paramref name="cStride"/> apart; overwritten.</param>
    /// <param name="cStride">Values from one row of <paramref name="c"/> to the next.</param>
    /// <param name="height">Rows of <paramref name="w"/> and <paramref name="c"/> (a layer's parameters).</param>
    /// <param name="vectorBits">The widest vectors to use, at most <see cref="VectorWidth.Hardware"/>: the register kernel needs 512 and blocks of 8 x 8,
    /// else <see cref="Gemm"/> runs (the tests take both).</param>
    /// <returns>The floating-point operations performed (the product's).</returns>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static long SetInitialMinusProduct(ReadOnlySpan<double> initial, ReadOnlySpan<double> w, int wStride, ReadOnlySpan<double> d, int blocks,
        int rows, int columns, Span<double> c, int cStride, int height, int vectorBits)
    {
        if (blocks < 0 || rows < 0 || columns < 0 || height < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(blocks), $"{height} rows by {blocks} blocks of {rows} x {columns}: sizes must not be negative.");
        }

        if (!initial.IsEmpty && initial.Length < (long)blocks * height * columns)
        {
            throw new ArgumentException($"initial holds {blocks} blocks of {height} x {columns}, {(long)blocks * height * columns} values; got {initial.Length}.", nameof(initial));
        }

        VectorWidth.Validate(vectorBits);

        // With no rows in D the product is zero, but c must still start from the initial blocks or zero: the general path
        // below does that, and its Gemm adds nothing.
        if (blocks == 0 || columns == 0 || height == 0)
        {
            return 0;
        }

        if (wStride < blocks * rows || w.Length < ((height - 1) * wStride) + (blocks * rows))
        {
            throw new ArgumentException($"w of {height} x {blocks * rows} with rows {wStride} apart needs {((height - 1) * wStride) + (blocks * rows)} values; got {w.Length}.", nameof(w));
        }

        if (cStride < blocks * columns || c.Length < ((height - 1) * cStride) + (blocks * columns))
        {
            throw new ArgumentException($"c of {height} x {blocks * columns} with rows {cStride} apart needs {((height - 1) * cStride) + (blocks * columns)} values; got {c.Length}.", nameof(c));
        }

        if (d.Length < blocks * rows * columns)
        {
            throw new ArgumentException($"d holds {blocks} blocks of {rows} x {columns}, {blocks * rows * columns} values; got {d.Length}.", nameof(d));
        }

        bool fromInitial = !initial.IsEmpty;
        long flops = 2L * height * blocks * rows * columns;
        if (rows != Block || columns != Block || vectorBits != 512)
        {
            for (int row = 0; row < height; row++)
            {
                Span<double> cRow = c.Slice(row * cStride, blocks * columns);
                for (int n = 0; n < blocks && fromInitial; n++)
                {
                    initial.Slice(((n * height) + row) * columns, columns).CopyTo(cRow.Slice(n * columns, columns));
                }

                if (!fromInitial)
                {
                    cRow.Clear();
                }
            }

            for (int n = 0; n < blocks; n++)
            {
                Gemm.Multiply(false, false, height, columns, rows, -1, w[(n * rows)..], wStride, d.Slice(n * rows * columns, rows * columns), columns, 1, c[(n * columns)..], cStride);
            }

            return flops;
        }

        // Block by block, and in each four rows of w and of c at a time: four independent chains of eight fused multiply-adds per
        // block, where one row's single chain waited on each sum's latency (about 0.028 against 0.022 ms at issue 7's order, p = 72,
        // 64 blocks). The block's eight rows stay in registers across its rows of c, and the initial blocks are read in the order
        // they lie in memory (a block n is height x 8 values, contiguous), where rows outside and blocks inside read a line 4.6 KB
        // after the last (at width 8, batch 8) from a layer's Xzx beyond L2. Each sum takes its terms in the same order either way.
        ref double dStart = ref MemoryMarshal.GetReference(d);
        ref double initialStart = ref MemoryMarshal.GetReference(initial); // read only from initial blocks, whose length was checked
        ref double wStart = ref MemoryMarshal.GetReference(w);
        ref double cStart = ref MemoryMarshal.GetReference(c);
        int wholeRows = height - (height % RowsAtOnce);
        for (int n = 0; n < blocks; n++)
        {
            int offset = n * Block;
            ref double block = ref Unsafe.Add(ref dStart, n * Block * Block);
            Vector512<double> d0 = Vector512.LoadUnsafe(ref block);
            Vector512<double> d1 = Vector512.LoadUnsafe(ref block, Block);
            Vector512<double> d2 = Vector512.LoadUnsafe(ref block, 2 * Block);
            Vector512<double> d3 = Vector512.LoadUnsafe(ref block, 3 * Block);
            Vector512<double> d4 = Vector512.LoadUnsafe(ref block, 4 * Block);
            Vector512<double> d5 = Vector512.LoadUnsafe(ref block, 5 * Block);
            Vector512<double> d6 = Vector512.LoadUnsafe(ref block, 6 * Block);
            Vector512<double> d7 = Vector512.LoadUnsafe(ref block, 7 * Block);
            for (int row = 0; row < wholeRows; row += RowsAtOnce)
            {
                ref double w0 = ref Unsafe.Add(ref wStart, (row * wStride) + offset);
                ref double w1 = ref Unsafe.Add(ref w0, wStride);
                ref double w2 = ref Unsafe.Add(ref w1, wStride);
                ref double w3 = ref Unsafe.Add(ref w2, wStride);
                Vector512<double> sum0 = BlockRow(ref w0, d0, d1, d2, d3, d4, d5, d6, d7);
                Vector512<double> sum1 = BlockRow(ref w1, d0, d1, d2, d3, d4, d5, d6, d7);
                Vector512<double> sum2 = BlockRow(ref w2, d0, d1, d2, d3, d4, d5, d6, d7);
                Vector512<double> sum3 = BlockRow(ref w3, d0, d1, d2, d3, d4, d5, d6, d7);
                ref double c0 = ref Unsafe.Add(ref cStart, (row * cStride) + offset);
                Finish(fromInitial, ref c0, ref initialStart, ((n * height) + row) * Block, sum0);
                Finish(fromInitial, ref Unsafe.Add(ref c0, cStride), ref initialStart, ((n * height) + row + 1) * Block, sum1);
                Finish(fromInitial, ref Unsafe.Add(ref c0, 2 * cStride), ref initialStart, ((n * height) + row + 2) * Block, sum2);
                Finish(fromInitial, ref Unsafe.Add(ref c0, 3 * cStride), ref initialStart, ((n * height) + row + 3) * Block, sum3);
            }
        }

        int j = wholeRows;

        // The rows left over, one at a time.
        for (; j < height; j++)
        {
            ref double wRow = ref MemoryMarshal.GetReference(w.Slice(j * wStride, blocks * Block));
            ref double cRow = ref MemoryMarshal.GetReference(c.Slice(j * cStride, blocks * Block));
            for (int n = 0; n < blocks; n++)
            {
                ref double block = ref Unsafe.Add(ref dStart, n * Block * Block);
                Vector512<double> sum = BlockRow(ref Unsafe.Add(ref wRow, n * Block), Vector512.LoadUnsafe(ref block), Vector512.LoadUnsafe(ref block, Block),
                    Vector512.LoadUnsafe(ref block, 2 * Block), Vector512.LoadUnsafe(ref block, 3 * Block), Vector512.LoadUnsafe(ref block, 4 * Block),
                    Vector512.LoadUnsafe(ref block, 5 * Block), Vector512.LoadUnsafe(ref block, 6 * Block), Vector512.LoadUnsafe(ref block, 7 * Block));
                Finish(fromInitial, ref Unsafe.Add(ref cRow, n * Block), ref initialStart, ((n * height) + j) * Block, sum);
            }
        }

        return flops;
    }

    /// <summary>
    /// <c>sum_s w[s] D_n(s, :)</c> for the block's rows <paramref name="d0"/> to <paramref name="d7"/>, the first term a product and
    /// the others fused multiply-adds in row order: the four rows' blocks and the rows left over alike.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<double> BlockRow(ref double w, Vector512<double> d0, Vector512<double> d1, Vector512<double> d2, Vector512<double> d3,
        Vector512<double> d4, Vector512<double> d5, Vector512<double> d6, Vector512<double> d7)
    {
        Vector512<double> sum = Vector512.Create(w) * d0;
        sum = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref w, 1)), d1, sum);
        sum = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref w, 2)), d2, sum);
        sum = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref w, 3)), d3, sum);
        sum = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref w, 4)), d4, sum);
        sum = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref w, 5)), d5, sum);
        sum = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref w, 6)), d6, sum);
        return Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref w, 7)), d7, sum);
    }

    /// <summary>
    /// A row of a block of <c>c</c>: what it starts from (the initial blocks' row at <paramref name="initialOffset"/>, or zero)
    /// less <paramref name="sum"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Finish(bool fromInitial, ref double target, ref double initialStart, int initialOffset, Vector512<double> sum)
    {
        Vector512<double> from = fromInitial ? Vector512.LoadUnsafe(ref initialStart, (nuint)initialOffset) : Vector512<double>.Zero;
        (from - sum).StoreUnsafe(ref target);
    }
}
