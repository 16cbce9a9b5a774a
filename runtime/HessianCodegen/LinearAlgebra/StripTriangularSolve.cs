using System;
using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace HessianCodegen.LinearAlgebra;

/// <summary>
/// <c>B = L^-1 B</c> with many right-hand sides (the recursion's half solve <c>Y = W^-1 C</c> of a Cholesky factor, <c>p</c> rows
/// by <c>m_in</c> columns), a strip of two vectors of columns at a time: the strip is copied into a contiguous scratch (its rows
/// <c>m_in</c> values apart would share a few L1 sets), then solved four rows at a time, each tile summing the rows above it in
/// eight vector registers (<see cref="RegisterTile512"/>) and solving its own 4 x 4 triangle there. <see cref="CholeskyKernel.SolveLower"/> went through
/// <see cref="Gemm"/> for the rows above a block of 24 and a row kernel inside it: at <c>p = 72</c>, 64 columns, packing and
/// short calls took more than the arithmetic.
/// </summary>
internal static class StripTriangularSolve
{
    /// <summary>Rows of one tile.</summary>
    private const int TileRows = 4;

    /// <summary>
    /// <c>rows = L^-1 rows</c> in place: <paramref name="factor"/> holds <c>L</c> in the lower triangle of an <paramref name="n"/> x
    /// <paramref name="n"/> row-major square (the rest is not read), <paramref name="rows"/> is <paramref name="n"/> x
    /// <paramref name="width"/> row-major. Any width: at <c>p = 72</c> the strips took 2.4 us against 3.5 for
    /// <see cref="CholeskyKernel.SolveLower"/> at 8 right-hand sides (batch 1), 2.4 against 4.1 at one, 10.7 against 14.9 at 64
    /// (scratch loop, median of 31, 512 bits). Up to 8 right-hand sides a 512-bit machine takes strips of 8 (256-bit tiles):
    /// 1.75 against 2.4 us at <c>p = 72</c>, no padding to 16 columns.
    /// </summary>
    public static void SolveLower(ReadOnlySpan<double> factor, int n, Span<double> rows, int width) =>
        SolveLower(factor, n, rows, width, DefaultBits(width));

    /// <summary>The tiles' width without one asked for: <see cref="VectorWidth.Hardware"/>, but 256 bits up to 8 right-hand sides on a 512-bit machine.</summary>
    private static int DefaultBits(int width) => width <= 8 && VectorWidth.Hardware == 512 ? 256 : VectorWidth.Hardware;

    /// <summary>
    /// <see cref="SolveLower(ReadOnlySpan{double}, int, Span{double}, int)"/> with tiles of <paramref name="vectorBits"/> (512: strips
    /// of 16 columns; 256: of 8; at most <see cref="VectorWidth.Hardware"/>): the tests take each. At 0 (no explicit tiles)
    /// <see cref="CholeskyKernel.SolveLower"/> where its <see cref="Vector{T}"/> kernels run fused multiply-adds in hardware (with
    /// 256-bit <see cref="Vector{T}"/> 3.5 against 12.2 us for plain strips at <c>p = 72</c>, 8 columns; 15 against 98 at 64), and
    /// for one right-hand side; else strips of 8 in plain loops (with <c>DOTNET_EnableAVX=0</c>: 12.6 against 35.9 us at 8 columns,
    /// 100 against 262 at 64, but 23 against 7.2 at one).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void SolveLower(ReadOnlySpan<double> factor, int n, Span<double> rows, int width, int vectorBits)
    {
        if (n < 0 || width < 0 || factor.Length != n * n || rows.Length != n * width)
        {
            throw new ArgumentException($"A triangular solve of order {n} with {width} right-hand sides needs {n} x {n} factor values and {n} x {width} rows; got {factor.Length} and {rows.Length}.");
        }

        VectorWidth.Validate(vectorBits);
        if (n == 0 || width == 0)
        {
            return;
        }

        if (vectorBits == 0 && (VectorWidth.FusedVectorT || width == 1))
        {
            CholeskyKernel.SolveLower(factor, n, rows, width);
            return;
        }

        SolveStrips(factor, n, rows, width, [], vectorBits);
    }

    /// <summary>
    /// <c>L^-1</c> on the rows <paramref name="rowIndices"/> of <paramref name="rows"/> (row <c>i</c> of the solve is row
    /// <c>rowIndices[i]</c>, <paramref name="width"/> values, of <paramref name="rows"/>; the other rows are not touched), in place: the
    /// low-rank route's core <c>T</c> solves its rows where the explicit product leaves them, among a group's other rows of <c>Y</c>,
    /// instead of in a copy moved back (the strips are copies already). Where <see cref="VectorWidth.Hardware"/> is 256 or 512 bits the
    /// same strips as <see cref="SolveLower(ReadOnlySpan{double}, int, Span{double}, int)"/>, so the same bits; at 0 plain strips, where
    /// <see cref="SolveLower(ReadOnlySpan{double}, int, Span{double}, int)"/> may take <see cref="CholeskyKernel.SolveLower"/> (round-off,
    /// not the same bits). The indices must be distinct (a row solved twice would be wrong).
    /// </summary>
    public static void SolveLowerRows(ReadOnlySpan<double> factor, int n, Span<double> rows, int width, ReadOnlySpan<int> rowIndices) =>
        SolveLowerRows(factor, n, rows, width, rowIndices, DefaultBits(width));

    /// <summary>
    /// <see cref="SolveLowerRows(ReadOnlySpan{double}, int, Span{double}, int, ReadOnlySpan{int})"/> with tiles of
    /// <paramref name="vectorBits"/> (0: strips in plain loops, not <see cref="CholeskyKernel.SolveLower"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void SolveLowerRows(ReadOnlySpan<double> factor, int n, Span<double> rows, int width, ReadOnlySpan<int> rowIndices, int vectorBits)
    {
        int rowCount = width == 0 ? 0 : rows.Length / width;
        if (n < 0 || width < 0 || factor.Length != n * n || rowIndices.Length != n || rows.Length != rowCount * width)
        {
            throw new ArgumentException($"A triangular solve of order {n} with {width} right-hand sides needs {n} x {n} factor values, {n} row indices and whole rows of {width}; got {factor.Length}, {rowIndices.Length} and {rows.Length} values.");
        }

        VectorWidth.Validate(vectorBits);
        if (n == 0 || width == 0)
        {
            return;
        }

        // In range and distinct: each row named once (a row named twice would be solved as two rows of L and written back twice).
        bool[] named = ArrayPool<bool>.Shared.Rent(rowCount);
        try
        {
            named.AsSpan(0, rowCount).Clear();
            foreach (int index in rowIndices)
            {
                if ((uint)index >= (uint)rowCount || named[index])
                {
                    throw new ArgumentOutOfRangeException(nameof(rowIndices), $"Row index {index}; expected distinct indices 0 to {rowCount - 1}.");
                }

                named[index] = true;
            }
        }
        finally
        {
            ArrayPool<bool>.Shared.Return(named);
        }

        SolveStrips(factor, n, rows, width, rowIndices, vectorBits);
    }

    /// <summary>The strips of both: row <c>i</c> is <paramref name="rows"/>' row <c>rowIndices[i]</c>, or row <c>i</c> where <paramref name="rowIndices"/> is empty.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SolveStrips(ReadOnlySpan<double> factor, int n, Span<double> rows, int width, ReadOnlySpan<int> rowIndices, int vectorBits)
    {
        int stripWidth = vectorBits == 512 ? 16 : 8;
        double[] scratch = ArrayPool<double>.Shared.Rent(n * stripWidth);
        try
        {
            ref double l = ref MemoryMarshal.GetReference(factor);
            ref double strip = ref MemoryMarshal.GetArrayDataReference(scratch);
            for (int c0 = 0; c0 < width; c0 += stripWidth)
            {
                // The strip's columns, padded with zeros (which solve to zeros) to whole vectors.
                int columns = Math.Min(stripWidth, width - c0);
                for (int i = 0; i < n; i++)
                {
                    Span<double> stripRow = scratch.AsSpan(i * stripWidth, stripWidth);
                    rows.Slice((RowIndex(rowIndices, i) * width) + c0, columns).CopyTo(stripRow);
                    stripRow[columns..].Clear();
                }

                int i0 = 0;
                for (; i0 + TileRows <= n; i0 += TileRows)
                {
                    if (vectorBits == 512)
                    {
                        Tile512(ref l, n, ref strip, i0);
                    }
                    else if (vectorBits == 256)
                    {
                        Tile256(ref l, n, ref strip, i0);
                    }
                    else
                    {
                        PlainRows(ref l, n, ref strip, stripWidth, i0, i0 + TileRows);
                    }
                }

                PlainRows(ref l, n, ref strip, stripWidth, i0, n);
                for (int i = 0; i < n; i++)
                {
                    scratch.AsSpan(i * stripWidth, columns).CopyTo(rows.Slice((RowIndex(rowIndices, i) * width) + c0, columns));
                }
            }
        }
        finally
        {
            ArrayPool<double>.Shared.Return(scratch);
        }
    }

    private static int RowIndex(ReadOnlySpan<int> rowIndices, int i) => rowIndices.IsEmpty ? i : rowIndices[i];

    /// <summary>Rows <paramref name="first"/> to <paramref name="end"/> of the strip, one after another, in plain loops.</summary>
    private static void PlainRows(ref double l, int n, ref double strip, int stripWidth, int first, int end)
    {
        for (int i = first; i < end; i++)
        {
            ref double target = ref Unsafe.Add(ref strip, i * stripWidth);
            ref double li = ref Unsafe.Add(ref l, i * n);
            for (int j = 0; j < i; j++)
            {
                double weight = Unsafe.Add(ref li, j);
                ref double source = ref Unsafe.Add(ref strip, j * stripWidth);
                for (int c = 0; c < stripWidth; c++)
                {
                    Unsafe.Add(ref target, c) -= weight * Unsafe.Add(ref source, c);
                }
            }

            double inverse = 1.0 / Unsafe.Add(ref li, i);
            for (int c = 0; c < stripWidth; c++)
            {
                Unsafe.Add(ref target, c) *= inverse;
            }
        }
    }

    /// <summary>Rows <c>i0 .. i0 + 3</c> of a strip of 16 columns: the rows above in a register tile, then the tile's own triangle.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tile512(ref double l, int n, ref double strip, int i0)
    {
        ref double t = ref Unsafe.Add(ref strip, i0 * 16);
        ref double row0 = ref Unsafe.Add(ref l, i0 * n);
        ref double row1 = ref Unsafe.Add(ref row0, n);
        ref double row2 = ref Unsafe.Add(ref row1, n);
        ref double row3 = ref Unsafe.Add(ref row2, n);
        var tile = RegisterTile512.Load(ref t, 16);
        tile.SubtractProducts(ref strip, 16, ref row0, 1, n, i0);

        // The tile's triangle: row r less its multiples of the rows before it in the tile, then divided by its diagonal.
        var inverse = Vector512.Create(1.0 / Unsafe.Add(ref row0, i0));
        tile.Row0Left *= inverse;
        tile.Row0Right *= inverse;
        var l10 = Vector512.Create(-Unsafe.Add(ref row1, i0));
        inverse = Vector512.Create(1.0 / Unsafe.Add(ref row1, i0 + 1));
        tile.Row1Left = Vector512.FusedMultiplyAdd(l10, tile.Row0Left, tile.Row1Left) * inverse;
        tile.Row1Right = Vector512.FusedMultiplyAdd(l10, tile.Row0Right, tile.Row1Right) * inverse;
        var l20 = Vector512.Create(-Unsafe.Add(ref row2, i0));
        var l21 = Vector512.Create(-Unsafe.Add(ref row2, i0 + 1));
        inverse = Vector512.Create(1.0 / Unsafe.Add(ref row2, i0 + 2));
        tile.Row2Left = Vector512.FusedMultiplyAdd(l21, tile.Row1Left, Vector512.FusedMultiplyAdd(l20, tile.Row0Left, tile.Row2Left)) * inverse;
        tile.Row2Right = Vector512.FusedMultiplyAdd(l21, tile.Row1Right, Vector512.FusedMultiplyAdd(l20, tile.Row0Right, tile.Row2Right)) * inverse;
        var l30 = Vector512.Create(-Unsafe.Add(ref row3, i0));
        var l31 = Vector512.Create(-Unsafe.Add(ref row3, i0 + 1));
        var l32 = Vector512.Create(-Unsafe.Add(ref row3, i0 + 2));
        inverse = Vector512.Create(1.0 / Unsafe.Add(ref row3, i0 + 3));
        tile.Row3Left = Vector512.FusedMultiplyAdd(l32, tile.Row2Left, Vector512.FusedMultiplyAdd(l31, tile.Row1Left, Vector512.FusedMultiplyAdd(l30, tile.Row0Left, tile.Row3Left))) * inverse;
        tile.Row3Right = Vector512.FusedMultiplyAdd(l32, tile.Row2Right, Vector512.FusedMultiplyAdd(l31, tile.Row1Right, Vector512.FusedMultiplyAdd(l30, tile.Row0Right, tile.Row3Right))) * inverse;
        tile.Store(ref t, 16);
    }

    /// <summary><see cref="Tile512"/> on a strip of 8 columns, two 256-bit vectors per row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tile256(ref double l, int n, ref double strip, int i0)
    {
        ref double t = ref Unsafe.Add(ref strip, i0 * 8);
        ref double row0 = ref Unsafe.Add(ref l, i0 * n);
        ref double row1 = ref Unsafe.Add(ref row0, n);
        ref double row2 = ref Unsafe.Add(ref row1, n);
        ref double row3 = ref Unsafe.Add(ref row2, n);
        var tile = RegisterTile256.Load(ref t, 8);
        tile.SubtractProducts(ref strip, 8, ref row0, 1, n, i0);

        // The tile's triangle: row r less its multiples of the rows before it in the tile, then divided by its diagonal.
        var inverse = Vector256.Create(1.0 / Unsafe.Add(ref row0, i0));
        tile.Row0Left *= inverse;
        tile.Row0Right *= inverse;
        var l10 = Vector256.Create(-Unsafe.Add(ref row1, i0));
        inverse = Vector256.Create(1.0 / Unsafe.Add(ref row1, i0 + 1));
        tile.Row1Left = Vector256.FusedMultiplyAdd(l10, tile.Row0Left, tile.Row1Left) * inverse;
        tile.Row1Right = Vector256.FusedMultiplyAdd(l10, tile.Row0Right, tile.Row1Right) * inverse;
        var l20 = Vector256.Create(-Unsafe.Add(ref row2, i0));
        var l21 = Vector256.Create(-Unsafe.Add(ref row2, i0 + 1));
        inverse = Vector256.Create(1.0 / Unsafe.Add(ref row2, i0 + 2));
        tile.Row2Left = Vector256.FusedMultiplyAdd(l21, tile.Row1Left, Vector256.FusedMultiplyAdd(l20, tile.Row0Left, tile.Row2Left)) * inverse;
        tile.Row2Right = Vector256.FusedMultiplyAdd(l21, tile.Row1Right, Vector256.FusedMultiplyAdd(l20, tile.Row0Right, tile.Row2Right)) * inverse;
        var l30 = Vector256.Create(-Unsafe.Add(ref row3, i0));
        var l31 = Vector256.Create(-Unsafe.Add(ref row3, i0 + 1));
        var l32 = Vector256.Create(-Unsafe.Add(ref row3, i0 + 2));
        inverse = Vector256.Create(1.0 / Unsafe.Add(ref row3, i0 + 3));
        tile.Row3Left = Vector256.FusedMultiplyAdd(l32, tile.Row2Left, Vector256.FusedMultiplyAdd(l31, tile.Row1Left, Vector256.FusedMultiplyAdd(l30, tile.Row0Left, tile.Row3Left))) * inverse;
        tile.Row3Right = Vector256.FusedMultiplyAdd(l32, tile.Row2Right, Vector256.FusedMultiplyAdd(l31, tile.Row1Right, Vector256.FusedMultiplyAdd(l30, tile.Row0Right, tile.Row3Right))) * inverse;
        tile.Store(ref t, 8);
    }

}
