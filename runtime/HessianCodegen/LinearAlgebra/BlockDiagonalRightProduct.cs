using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace HessianCodegen.LinearAlgebra;

/// <summary>
/// <c>c -= w D</c> for a block-diagonal <c>D</c> (a layer's <c>Dz</c> over the batch: blocks of <c>rows x columns</c>): column block
/// <c>n</c> of <c>c</c> takes <c>w(:, n rows..) D_n</c>. The Riccati recursion's <c>C = Xzx + (Dx^T P) Dz</c> with <c>w = -(Dx^T P)</c>.
/// Blocks of 8 x 8 with AVX-512 go row by row of <c>w</c> through a register kernel (a row of a block of <c>c</c> is one vector);
/// others go through <see cref="Gemm"/>, one product per block.
/// </summary>
internal static class BlockDiagonalRightProduct
{
    /// <summary>Rows and columns of the blocks the register kernel takes: one 512-bit vector of doubles.</summary>
    private const int Block = 8;

    /// <summary>
    /// <c>c(:, n columns..) -= w(:, n rows..) D_n</c> for every block <c>n</c>, over <paramref name="height"/> rows of <c>w</c> and <c>c</c>.
    /// </summary>
    /// <param name="w">The left factor, <paramref name="height"/> x <c>blocks rows</c>, rows <paramref name="wStride"/> apart.</param>
    /// <param name="wStride">Values from one row of <paramref name="w"/> to the next.</param>
    /// <param name="d">The blocks <c>D_n</c> one after another, each <paramref name="rows"/> x <paramref name="columns"/> row-major.</param>
    /// <param name="blocks">Blocks of <c>D</c> (the batch).</param>
    /// <param name="rows">Rows of each block (a layer's outputs).</param>
    /// <param name="columns">Columns of each block (a layer's inputs).</param>
    /// <param name="c">The target, <paramref name="height"/> x <c>blocks columns</c>, rows <paramref name="cStride"/> apart.</param>
    /// <param name="cStride">Values from one row of <paramref name="c"/> to the next.</param>
    /// <param name="height">Rows of <paramref name="w"/> and <paramref name="c"/> (a layer's parameters).</param>
    /// <param name="vectorBits">The widest vectors to use, at most <see cref="VectorWidth.Hardware"/>: the register kernel needs 512 and blocks of 8 x 8,
    /// else <see cref="Gemm"/> runs (the tests take both).</param>
    /// <returns>The floating-point operations performed.</returns>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static long SubtractProduct(ReadOnlySpan<double> w, int wStride, ReadOnlySpan<double> d, int blocks, int rows, int columns,
        Span<double> c, int cStride, int height, int vectorBits)
    {
        if (blocks < 0 || rows < 0 || columns < 0 || height < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(blocks), $"{height} rows by {blocks} blocks of {rows} x {columns}: sizes must not be negative.");
        }

        VectorWidth.Validate(vectorBits);

        if (blocks == 0 || rows == 0 || columns == 0 || height == 0)
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

        long flops = 2L * height * blocks * rows * columns;
        if (rows != Block || columns != Block || vectorBits != 512)
        {
            for (int n = 0; n < blocks; n++)
            {
                Gemm.Multiply(false, false, height, columns, rows, -1, w[(n * rows)..], wStride, d.Slice(n * rows * columns, rows * columns), columns, 1, c[(n * columns)..], cStride);
            }

            return flops;
        }

        // Row j of w and of c, block by block: both rows stream, and the blocks of D (32 KB at a batch of 64) stay in L1.
        ref double dStart = ref MemoryMarshal.GetReference(d);
        for (int j = 0; j < height; j++)
        {
            ref double wRow = ref MemoryMarshal.GetReference(w.Slice(j * wStride, blocks * Block));
            ref double cRow = ref MemoryMarshal.GetReference(c.Slice(j * cStride, blocks * Block));
            for (int n = 0; n < blocks; n++)
            {
                ref double coefficients = ref Unsafe.Add(ref wRow, n * Block);
                ref double block = ref Unsafe.Add(ref dStart, n * Block * Block);
                Vector512<double> sum = Vector512.Create(coefficients) * Vector512.LoadUnsafe(ref block);
                for (int s = 1; s < Block; s++)
                {
                    sum = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref coefficients, s)), Vector512.LoadUnsafe(ref block, (nuint)(s * Block)), sum);
                }

                ref double target = ref Unsafe.Add(ref cRow, n * Block);
                (Vector512.LoadUnsafe(ref target) - sum).StoreUnsafe(ref target);
            }
        }

        return flops;
    }
}
