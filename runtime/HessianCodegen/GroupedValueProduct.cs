using System;
using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Threading;
using HessianCodegen.LinearAlgebra;

namespace HessianCodegen;

/// <summary>
/// <c>W = -(Dx^T P)</c> and its transpose <c>W^T</c> for a large state (<c>P</c> of order <c>m</c>, symmetric, stored whole),
/// group by group of <c>Dx</c>'s <see cref="ParameterGroups"/>, read in place from <c>Dx</c>. Per group <c>g</c> with rows
/// <c>R_g</c> and parameters <c>J_g</c>, <c>W[J_g, :] = -Z_g^T P[R_g, :]</c> with <c>Z_g = Dx[R_g, J_g]</c>: a dense product
/// (for a dense layer <c>a_in + 1</c> by <c>B</c> by <c>m</c>), computed in register tiles of sixteen columns while the
/// group's rows of <c>P</c> stream past. With 512-bit vectors a tile takes nine parameters at once (eighteen accumulators;
/// per row of <c>P</c> two loads, nine broadcasts, eighteen fused multiply-adds); the rest of a group, and 256-bit vectors,
/// take three parameters (six or twelve accumulators) or one at a time. A group of nine with 512-bit vectors reads each line
/// of its rows of <c>P</c> once, in place; other groups pass over a tile's lines several times and read copies of their rows.
/// The Riccati recursion needs both <c>W</c> (for <c>C</c>) and <c>W^T</c> (for <c>A</c>): the columns a call wrote are
/// transposed before it returns, while they are in L2. At issue 7's order 512 (<c>p = 72</c>, groups of nine by 64 rows,
/// <c>P</c> 2 MB, past L2) this takes 0.14 ms, 0.10 of it in the tiles (47 GFLOP/s) and 0.024 in the transpose (Benchmarks
/// --riccati-phases, one core). Tiles of three parameters over the group's rows first copied into padded rows took 0.21: the
/// tiles alone ran at 49 GFLOP/s, but the copy of <c>P</c> took 0.07 ms, and the loop for the columns short of a tile, empty
/// there, 0.016 (it called an empty axpy per row and parameter). Three-parameter tiles reading <c>P</c> in place took 0.29
/// with 512-bit vectors: the group's rows are 32 KB apart, so a tile's lines share a few L1 sets and each of the three passes
/// over them missed L1 (the 256-bit tiles in place: 0.20 against 0.21 with copies, kept on copies). Prefetching the next
/// tile's lines into L2 did not pay.
/// </summary>
internal static class GroupedValueProduct
{
    /// <summary>Columns of a register tile: two 512-bit or four 256-bit vectors of doubles.</summary>
    private const int TileColumns = 16;

    /// <summary>Parameters of a 512-bit register tile that reads each line of <c>P</c> once (a dense layer of width 8 has groups of nine).</summary>
    private const int WideTileRows = 9;

    /// <summary>Parameters of a register tile for the rest of a group, and of every 256-bit tile.</summary>
    private const int TileRows = 3;

    /// <summary>Values added to each copied row of P: one cache line, so that rows a multiple of 4 KB long do not share L1 sets.</summary>
    private const int RowPadding = 8;

    /// <summary>Columns a thread of <see cref="FormShared"/> takes at a time: four tiles.</summary>
    internal const int SharedColumns = 4 * TileColumns;

    /// <summary>
    /// Writes the columns <paramref name="firstColumn"/> to <paramref name="endColumn"/> of <c>W = -(Dx^T P)</c> (<c>p x m</c>,
    /// into <paramref name="weighted"/>) and of their transpose (rows of <c>W^T</c>, <c>m x p</c>, into <paramref name="weightedT"/>);
    /// nothing else of either is touched, so two threads may write disjoint column ranges.
    /// </summary>
    /// <param name="groups">The groups of <paramref name="dx"/>.</param>
    /// <param name="dx"><c>Dx</c>, <paramref name="m"/> x <paramref name="p"/> row-major.</param>
    /// <param name="p">Parameters: columns of <c>Dx</c>, rows of <c>W</c>.</param>
    /// <param name="m">The state order: rows of <c>Dx</c>, order of <c>P</c>.</param>
    /// <param name="value"><c>P</c>, <paramref name="m"/> x <paramref name="m"/> row-major; the groups' rows are read.</param>
    /// <param name="weighted"><c>W</c>, <paramref name="p"/> x <paramref name="m"/>: its columns in range are overwritten.</param>
    /// <param name="weightedT"><c>W^T</c>, <paramref name="m"/> x <paramref name="p"/>: its rows in range are overwritten.</param>
    /// <param name="firstColumn">The first column of <c>W</c> to write.</param>
    /// <param name="endColumn">The column after the last one to write.</param>
    /// <param name="vectorBits">512, 256 or 0 (plain loops); at most <see cref="VectorWidth.Hardware"/>. Tests pass each.</param>
    /// <returns>The floating-point operations performed.</returns>
    public static long Form(ParameterGroups groups, ReadOnlySpan<double> dx, int p, int m, ReadOnlySpan<double> value,
        Span<double> weighted, Span<double> weightedT, int firstColumn, int endColumn, int vectorBits)
    {
        Validate(dx, p, m, value, weighted, weightedT, vectorBits);
        if (firstColumn < 0 || endColumn > m || firstColumn > endColumn)
        {
            throw new ArgumentOutOfRangeException(nameof(firstColumn), $"Columns {firstColumn} to {endColumn} are not within 0 to {m}.");
        }

        double[] negatedZ = PackNegatedZ(groups, dx, p, m);
        double[] copiedRows = ArrayPool<double>.Shared.Rent(Math.Max(1, groups.LargestRowCount) * (endColumn - firstColumn + RowPadding));
        int[] rowOffsets = ArrayPool<int>.Shared.Rent(Math.Max(1, groups.LargestRowCount));
        try
        {
            return FormColumns(groups, negatedZ, p, m, value, weighted, weightedT, firstColumn, endColumn, vectorBits, copiedRows, rowOffsets);
        }
        finally
        {
            ArrayPool<double>.Shared.Return(negatedZ);
            ArrayPool<double>.Shared.Return(copiedRows);
            ArrayPool<int>.Shared.Return(rowOffsets);
        }
    }

    /// <summary>
    /// <see cref="Form"/> of all <paramref name="m"/> columns, shared by the sides of <paramref name="fork"/> through its counter
    /// <paramref name="counter"/>: each takes <see cref="SharedColumns"/> columns at a time until none are left, so a side that joins
    /// late (after other work) takes fewer, and the sides finish together. Each side packs <c>Z</c> once, not once a chunk, and only
    /// once it holds a chunk (a side that comes after the other took them all reads nothing). A side takes the chunks from the first
    /// columns on, or from the last ones back where <paramref name="fromEnd"/> (<see cref="SharedFork"/>).
    /// </summary>
    /// <returns>The floating-point operations this side performed (each chunk's also counted in the fork's <see cref="SharedFork.Flops"/>).</returns>
    public static long FormShared(ParameterGroups groups, ReadOnlySpan<double> dx, int p, int m, ReadOnlySpan<double> value,
        Span<double> weighted, Span<double> weightedT, int vectorBits, SharedFork fork, int counter, bool fromEnd = false)
    {
        ArgumentNullException.ThrowIfNull(fork);
        Validate(dx, p, m, value, weighted, weightedT, vectorBits);
        int chunks = (m + SharedColumns - 1) / SharedColumns;
        int chunk = fork.Take(counter, chunks, fromEnd);
        if (chunk < 0)
        {
            return 0;
        }

        double[] negatedZ = PackNegatedZ(groups, dx, p, m);
        double[] copiedRows = ArrayPool<double>.Shared.Rent(Math.Max(1, groups.LargestRowCount) * (SharedColumns + RowPadding));
        int[] rowOffsets = ArrayPool<int>.Shared.Rent(Math.Max(1, groups.LargestRowCount));
        try
        {
            long flops = 0;
            for (; chunk >= 0; chunk = fork.Take(counter, chunks, fromEnd))
            {
                int first = chunk * SharedColumns;
                long chunkFlops = FormColumns(groups, negatedZ, p, m, value, weighted, weightedT, first, Math.Min(m, first + SharedColumns), vectorBits,
                    copiedRows, rowOffsets);
                flops += chunkFlops;
                fork.Done(counter, fromEnd, chunkFlops);
            }

            return flops;
        }
        finally
        {
            ArrayPool<double>.Shared.Return(negatedZ);
            ArrayPool<double>.Shared.Return(copiedRows);
            ArrayPool<int>.Shared.Return(rowOffsets);
        }
    }

    private static void Validate(ReadOnlySpan<double> dx, int p, int m, ReadOnlySpan<double> value, Span<double> weighted, Span<double> weightedT,
        int vectorBits)
    {
        if (dx.Length != m * p || value.Length < m * m || weighted.Length < p * m || weightedT.Length < m * p)
        {
            throw new ArgumentException($"Dx has {dx.Length} values, P {value.Length}, W {weighted.Length} and W^T {weightedT.Length}; " +
                $"expected {m} x {p}, {m} x {m}, {p} x {m} and {m} x {p}.");
        }

        VectorWidth.Validate(vectorBits);
    }

    /// <summary>
    /// Each group's <c>Z_g^T</c> negated, one group after another in the groups' order, row by row of the group (<c>q</c> values
    /// per row of P): a rented array the caller returns.
    /// </summary>
    private static double[] PackNegatedZ(ParameterGroups groups, ReadOnlySpan<double> dx, int p, int m)
    {
        int length = 0;
        for (int g = 0; g < groups.Parameters.Length; g++)
        {
            int[] parameters = groups.Parameters[g];
            int[] rows = groups.Rows[g];
            if ((rows.Length > 0 && rows[^1] >= m) || (parameters.Length > 0 && parameters[^1] >= p))
            {
                throw new ArgumentException($"Group {g} reaches row {(rows.Length > 0 ? rows[^1] : 0)} and parameter {(parameters.Length > 0 ? parameters[^1] : 0)}; Dx is {m} x {p}.", nameof(groups));
            }

            length += rows.Length * parameters.Length;
        }

        double[] negatedZ = ArrayPool<double>.Shared.Rent(Math.Max(1, length));
        int start = 0;
        for (int g = 0; g < groups.Parameters.Length; g++)
        {
            int[] parameters = groups.Parameters[g];
            int[] rows = groups.Rows[g];
            int q = parameters.Length;
            for (int k = 0; k < rows.Length; k++)
            {
                ReadOnlySpan<double> dxRow = dx.Slice(rows[k] * p, p);
                for (int i = 0; i < q; i++)
                {
                    negatedZ[start + (k * q) + i] = -dxRow[parameters[i]];
                }
            }

            start += rows.Length * q;
        }

        return negatedZ;
    }

    /// <summary>
    /// The columns <paramref name="firstColumn"/> to <paramref name="endColumn"/> of <c>W</c> and <c>W^T</c>, from the packed
    /// <paramref name="negatedZ"/> and the groups' rows of <paramref name="value"/>, read in place where one pass of a wide tile
    /// covers a group, else first copied into <paramref name="copiedRows"/>; <paramref name="rowOffsets"/> is scratch.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static long FormColumns(ParameterGroups groups, ReadOnlySpan<double> negatedZ, int p, int m, ReadOnlySpan<double> value,
        Span<double> weighted, Span<double> weightedT, int firstColumn, int endColumn, int vectorBits, Span<double> copiedRows, int[] rowOffsets)
    {
        long flops = 0;
        int zStart = 0;
        int tiles = vectorBits > 0 ? (endColumn - firstColumn) / TileColumns : 0;
        for (int g = 0; g < groups.Parameters.Length; g++)
        {
            int[] parameters = groups.Parameters[g];
            int[] rows = groups.Rows[g];
            int q = parameters.Length;
            int count = rows.Length; // a group without rows (a dead ReLU unit) writes zeros
            ReadOnlySpan<double> z = negatedZ.Slice(zStart, count * q); // this group's -Z_g^T
            zStart += count * q;

            // A group one wide tile covers (nine parameters: a dense layer of width 8) reads each line of its rows of P once, in
            // place. Other groups pass over a tile's lines several times: their rows are copied first, one after another, each a
            // line longer than its values. A dense layer's rows of P are B a values apart (32 KB at issue 7's order), so read in
            // place they share a few L1 sets and every pass would miss L1 (width 16 and 24, p = 17 and 25: 1.3 to 1.5 and 1.2
            // times the copied rows' time).
            bool inPlace = vectorBits == 512 && q == WideTileRows;
            ReadOnlySpan<double> source = value;
            int sourceColumn = firstColumn;
            if (inPlace)
            {
                for (int k = 0; k < count; k++)
                {
                    rowOffsets[k] = rows[k] * m;
                }
            }
            else if (tiles > 0)
            {
                int stride = (tiles * TileColumns) + RowPadding;
                for (int k = 0; k < count; k++)
                {
                    value.Slice((rows[k] * m) + firstColumn, tiles * TileColumns).CopyTo(copiedRows.Slice(k * stride));
                    rowOffsets[k] = k * stride;
                }

                source = copiedRows[..(Math.Max(1, count) * stride)];
                sourceColumn = 0;
            }

            int column = firstColumn;
            for (int t = 0; t < tiles; t++, column += TileColumns, sourceColumn += TileColumns)
            {
                int i = 0;
                for (; vectorBits == 512 && i + WideTileRows <= q; i += WideTileRows)
                {
                    NineRows512(z, q, i, count, source, rowOffsets, sourceColumn, weighted, parameters, m, column);
                }

                for (; i + TileRows <= q; i += TileRows)
                {
                    Span<double> t0 = weighted.Slice((parameters[i] * m) + column, TileColumns);
                    Span<double> t1 = weighted.Slice((parameters[i + 1] * m) + column, TileColumns);
                    Span<double> t2 = weighted.Slice((parameters[i + 2] * m) + column, TileColumns);
                    if (vectorBits == 512)
                    {
                        ThreeRows512(z, q, i, count, source, rowOffsets, sourceColumn, t0, t1, t2);
                    }
                    else
                    {
                        ThreeRows256(z, q, i, count, source, rowOffsets, sourceColumn, t0, t1, t2);
                    }
                }

                for (; i < q; i++)
                {
                    Span<double> target = weighted.Slice((parameters[i] * m) + column, TileColumns);
                    if (vectorBits == 512)
                    {
                        OneRow512(z, q, i, count, source, rowOffsets, sourceColumn, target);
                    }
                    else
                    {
                        OneRow256(z, q, i, count, source, rowOffsets, sourceColumn, target);
                    }
                }
            }

            // The columns short of a whole tile (or all, without vectors): plain sums. None at issue 7's order, where the
            // empty sums (an axpy per row and parameter) took 0.016 ms.
            for (int i = 0; i < q && column < endColumn; i++)
            {
                Span<double> target = weighted.Slice((parameters[i] * m) + column, endColumn - column);
                target.Clear();
                for (int k = 0; k < count; k++)
                {
                    VectorKernels.Axpy(z[(k * q) + i], value.Slice((rows[k] * m) + column, target.Length), target);
                }
            }

            flops += 2L * q * count * (endColumn - firstColumn);
        }

        // W^T's rows of these columns, while they are in L2: written value by value beside each tile instead, the scattered stores
        // took a quarter of the product's time.
        MatrixKernels.Transpose(weighted, p, m, weightedT, firstColumn, endColumn);
        return flops;
    }

    /// <summary>
    /// Rows <paramref name="i"/> to <c>i + 8</c> of the group's <c>W</c> tile of columns <paramref name="column"/> to <c>column + 15</c>,
    /// from the group's rows of <c>P</c> (at <paramref name="rowOffsets"/> in <paramref name="source"/>, from <paramref name="sourceColumn"/>),
    /// into those rows of <paramref name="weighted"/>: eighteen 512-bit accumulators, so that each line of <c>P</c> is loaded once.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void NineRows512(ReadOnlySpan<double> z, int q, int i, int count, ReadOnlySpan<double> source, int[] rowOffsets, int sourceColumn,
        Span<double> weighted, int[] parameters, int m, int column)
    {
        CheckTile(z, q, i + WideTileRows, count, source, rowOffsets, sourceColumn);
        ref double zStart = ref Unsafe.Add(ref MemoryMarshal.GetReference(z), i);
        ref double sourceStart = ref MemoryMarshal.GetReference(source);
        ref int offsetStart = ref MemoryMarshal.GetArrayDataReference(rowOffsets);
        Vector512<double> a0 = Vector512<double>.Zero, b0 = Vector512<double>.Zero, a1 = Vector512<double>.Zero, b1 = Vector512<double>.Zero;
        Vector512<double> a2 = Vector512<double>.Zero, b2 = Vector512<double>.Zero, a3 = Vector512<double>.Zero, b3 = Vector512<double>.Zero;
        Vector512<double> a4 = Vector512<double>.Zero, b4 = Vector512<double>.Zero, a5 = Vector512<double>.Zero, b5 = Vector512<double>.Zero;
        Vector512<double> a6 = Vector512<double>.Zero, b6 = Vector512<double>.Zero, a7 = Vector512<double>.Zero, b7 = Vector512<double>.Zero;
        Vector512<double> a8 = Vector512<double>.Zero, b8 = Vector512<double>.Zero;
        for (int k = 0; k < count; k++)
        {
            ref double row = ref Unsafe.Add(ref sourceStart, Unsafe.Add(ref offsetStart, k) + sourceColumn);
            Vector512<double> low = Vector512.LoadUnsafe(ref row);
            Vector512<double> high = Vector512.LoadUnsafe(ref row, 8);
            ref double coefficients = ref Unsafe.Add(ref zStart, k * q);
            Vector512<double> x = Vector512.Create(coefficients);
            a0 = Vector512.FusedMultiplyAdd(x, low, a0);
            b0 = Vector512.FusedMultiplyAdd(x, high, b0);
            x = Vector512.Create(Unsafe.Add(ref coefficients, 1));
            a1 = Vector512.FusedMultiplyAdd(x, low, a1);
            b1 = Vector512.FusedMultiplyAdd(x, high, b1);
            x = Vector512.Create(Unsafe.Add(ref coefficients, 2));
            a2 = Vector512.FusedMultiplyAdd(x, low, a2);
            b2 = Vector512.FusedMultiplyAdd(x, high, b2);
            x = Vector512.Create(Unsafe.Add(ref coefficients, 3));
            a3 = Vector512.FusedMultiplyAdd(x, low, a3);
            b3 = Vector512.FusedMultiplyAdd(x, high, b3);
            x = Vector512.Create(Unsafe.Add(ref coefficients, 4));
            a4 = Vector512.FusedMultiplyAdd(x, low, a4);
            b4 = Vector512.FusedMultiplyAdd(x, high, b4);
            x = Vector512.Create(Unsafe.Add(ref coefficients, 5));
            a5 = Vector512.FusedMultiplyAdd(x, low, a5);
            b5 = Vector512.FusedMultiplyAdd(x, high, b5);
            x = Vector512.Create(Unsafe.Add(ref coefficients, 6));
            a6 = Vector512.FusedMultiplyAdd(x, low, a6);
            b6 = Vector512.FusedMultiplyAdd(x, high, b6);
            x = Vector512.Create(Unsafe.Add(ref coefficients, 7));
            a7 = Vector512.FusedMultiplyAdd(x, low, a7);
            b7 = Vector512.FusedMultiplyAdd(x, high, b7);
            x = Vector512.Create(Unsafe.Add(ref coefficients, 8));
            a8 = Vector512.FusedMultiplyAdd(x, low, a8);
            b8 = Vector512.FusedMultiplyAdd(x, high, b8);
        }

        Store(weighted.Slice((parameters[i] * m) + column, TileColumns), a0, b0);
        Store(weighted.Slice((parameters[i + 1] * m) + column, TileColumns), a1, b1);
        Store(weighted.Slice((parameters[i + 2] * m) + column, TileColumns), a2, b2);
        Store(weighted.Slice((parameters[i + 3] * m) + column, TileColumns), a3, b3);
        Store(weighted.Slice((parameters[i + 4] * m) + column, TileColumns), a4, b4);
        Store(weighted.Slice((parameters[i + 5] * m) + column, TileColumns), a5, b5);
        Store(weighted.Slice((parameters[i + 6] * m) + column, TileColumns), a6, b6);
        Store(weighted.Slice((parameters[i + 7] * m) + column, TileColumns), a7, b7);
        Store(weighted.Slice((parameters[i + 8] * m) + column, TileColumns), a8, b8);
    }

    /// <summary>
    /// Throws unless a tile's parameters up to <paramref name="endRow"/> (of <paramref name="q"/>), and its <paramref name="count"/>
    /// rows (at <paramref name="rowOffsets"/>, ascending) of sixteen values from <paramref name="sourceColumn"/>, lie within
    /// <paramref name="z"/> and <paramref name="source"/>: the kernels read both without bounds checks.
    /// </summary>
    private static void CheckTile(ReadOnlySpan<double> z, int q, int endRow, int count, ReadOnlySpan<double> source, int[] rowOffsets, int sourceColumn)
    {
        if (z.Length < count * q || endRow > q || rowOffsets.Length < count || sourceColumn < 0
            || (count > 0 && (rowOffsets[0] < 0 || (long)rowOffsets[count - 1] + sourceColumn + TileColumns > source.Length)))
        {
            throw new ArgumentException("A tile of -(Dx^T P) reaches past its operands.");
        }
    }

    /// <summary>
    /// Rows <paramref name="i"/> to <c>i + 2</c> of the group's <c>W</c> tile, from the group's rows of <c>P</c> (at
    /// <paramref name="rowOffsets"/> in <paramref name="source"/>, from <paramref name="sourceColumn"/>): six 512-bit accumulators, which cover the fused multiply-add's latency on a core that
    /// retires one such per cycle (Zen 4).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ThreeRows512(ReadOnlySpan<double> z, int q, int i, int count, ReadOnlySpan<double> source, int[] rowOffsets, int sourceColumn, Span<double> t0, Span<double> t1, Span<double> t2)
    {
        CheckTile(z, q, i + TileRows, count, source, rowOffsets, sourceColumn);

        ref double zStart = ref Unsafe.Add(ref MemoryMarshal.GetReference(z), i);
        ref double sourceStart = ref MemoryMarshal.GetReference(source);
        ref int offsetStart = ref MemoryMarshal.GetArrayDataReference(rowOffsets);
        Vector512<double> a0 = Vector512<double>.Zero, b0 = Vector512<double>.Zero;
        Vector512<double> a1 = Vector512<double>.Zero, b1 = Vector512<double>.Zero;
        Vector512<double> a2 = Vector512<double>.Zero, b2 = Vector512<double>.Zero;
        for (int k = 0; k < count; k++)
        {
            ref double row = ref Unsafe.Add(ref sourceStart, Unsafe.Add(ref offsetStart, k) + sourceColumn);
            Vector512<double> low = Vector512.LoadUnsafe(ref row);
            Vector512<double> high = Vector512.LoadUnsafe(ref row, 8);
            ref double coefficients = ref Unsafe.Add(ref zStart, k * q);
            Vector512<double> x = Vector512.Create(coefficients);
            a0 = Vector512.FusedMultiplyAdd(x, low, a0);
            b0 = Vector512.FusedMultiplyAdd(x, high, b0);
            x = Vector512.Create(Unsafe.Add(ref coefficients, 1));
            a1 = Vector512.FusedMultiplyAdd(x, low, a1);
            b1 = Vector512.FusedMultiplyAdd(x, high, b1);
            x = Vector512.Create(Unsafe.Add(ref coefficients, 2));
            a2 = Vector512.FusedMultiplyAdd(x, low, a2);
            b2 = Vector512.FusedMultiplyAdd(x, high, b2);
        }

        Store(t0, a0, b0);
        Store(t1, a1, b1);
        Store(t2, a2, b2);
    }

    /// <summary>One row of the tile: two 512-bit accumulators (the remainder of a group whose size is not a multiple of three).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void OneRow512(ReadOnlySpan<double> z, int q, int i, int count, ReadOnlySpan<double> source, int[] rowOffsets, int sourceColumn, Span<double> target)
    {
        CheckTile(z, q, i + 1, count, source, rowOffsets, sourceColumn);

        ref double zStart = ref Unsafe.Add(ref MemoryMarshal.GetReference(z), i);
        ref double sourceStart = ref MemoryMarshal.GetReference(source);
        ref int offsetStart = ref MemoryMarshal.GetArrayDataReference(rowOffsets);
        Vector512<double> a0 = Vector512<double>.Zero, b0 = Vector512<double>.Zero;
        for (int k = 0; k < count; k++)
        {
            ref double row = ref Unsafe.Add(ref sourceStart, Unsafe.Add(ref offsetStart, k) + sourceColumn);
            Vector512<double> x = Vector512.Create(Unsafe.Add(ref zStart, k * q));
            a0 = Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref row), a0);
            b0 = Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref row, 8), b0);
        }

        Store(target, a0, b0);
    }

    /// <summary>
    /// <see cref="ThreeRows512"/> with 256-bit vectors: twelve accumulators, which cover the latency of two fused multiply-adds per cycle.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ThreeRows256(ReadOnlySpan<double> z, int q, int i, int count, ReadOnlySpan<double> source, int[] rowOffsets, int sourceColumn, Span<double> t0, Span<double> t1, Span<double> t2)
    {
        CheckTile(z, q, i + TileRows, count, source, rowOffsets, sourceColumn);

        ref double zStart = ref Unsafe.Add(ref MemoryMarshal.GetReference(z), i);
        ref double sourceStart = ref MemoryMarshal.GetReference(source);
        ref int offsetStart = ref MemoryMarshal.GetArrayDataReference(rowOffsets);
        Vector256<double> a0 = Vector256<double>.Zero, b0 = Vector256<double>.Zero, c0 = Vector256<double>.Zero, d0 = Vector256<double>.Zero;
        Vector256<double> a1 = Vector256<double>.Zero, b1 = Vector256<double>.Zero, c1 = Vector256<double>.Zero, d1 = Vector256<double>.Zero;
        Vector256<double> a2 = Vector256<double>.Zero, b2 = Vector256<double>.Zero, c2 = Vector256<double>.Zero, d2 = Vector256<double>.Zero;
        for (int k = 0; k < count; k++)
        {
            ref double row = ref Unsafe.Add(ref sourceStart, Unsafe.Add(ref offsetStart, k) + sourceColumn);
            Vector256<double> v0 = Vector256.LoadUnsafe(ref row);
            Vector256<double> v1 = Vector256.LoadUnsafe(ref row, 4);
            Vector256<double> v2 = Vector256.LoadUnsafe(ref row, 8);
            Vector256<double> v3 = Vector256.LoadUnsafe(ref row, 12);
            ref double coefficients = ref Unsafe.Add(ref zStart, k * q);
            Vector256<double> x = Vector256.Create(coefficients);
            a0 = Vector256.FusedMultiplyAdd(x, v0, a0);
            b0 = Vector256.FusedMultiplyAdd(x, v1, b0);
            c0 = Vector256.FusedMultiplyAdd(x, v2, c0);
            d0 = Vector256.FusedMultiplyAdd(x, v3, d0);
            x = Vector256.Create(Unsafe.Add(ref coefficients, 1));
            a1 = Vector256.FusedMultiplyAdd(x, v0, a1);
            b1 = Vector256.FusedMultiplyAdd(x, v1, b1);
            c1 = Vector256.FusedMultiplyAdd(x, v2, c1);
            d1 = Vector256.FusedMultiplyAdd(x, v3, d1);
            x = Vector256.Create(Unsafe.Add(ref coefficients, 2));
            a2 = Vector256.FusedMultiplyAdd(x, v0, a2);
            b2 = Vector256.FusedMultiplyAdd(x, v1, b2);
            c2 = Vector256.FusedMultiplyAdd(x, v2, c2);
            d2 = Vector256.FusedMultiplyAdd(x, v3, d2);
        }

        Store(t0, a0, b0, c0, d0);
        Store(t1, a1, b1, c1, d1);
        Store(t2, a2, b2, c2, d2);
    }

    /// <summary>One row of the tile with 256-bit vectors: four accumulators.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void OneRow256(ReadOnlySpan<double> z, int q, int i, int count, ReadOnlySpan<double> source, int[] rowOffsets, int sourceColumn, Span<double> target)
    {
        CheckTile(z, q, i + 1, count, source, rowOffsets, sourceColumn);

        ref double zStart = ref Unsafe.Add(ref MemoryMarshal.GetReference(z), i);
        ref double sourceStart = ref MemoryMarshal.GetReference(source);
        ref int offsetStart = ref MemoryMarshal.GetArrayDataReference(rowOffsets);
        Vector256<double> a0 = Vector256<double>.Zero, b0 = Vector256<double>.Zero, c0 = Vector256<double>.Zero, d0 = Vector256<double>.Zero;
        for (int k = 0; k < count; k++)
        {
            ref double row = ref Unsafe.Add(ref sourceStart, Unsafe.Add(ref offsetStart, k) + sourceColumn);
            Vector256<double> x = Vector256.Create(Unsafe.Add(ref zStart, k * q));
            a0 = Vector256.FusedMultiplyAdd(x, Vector256.LoadUnsafe(ref row), a0);
            b0 = Vector256.FusedMultiplyAdd(x, Vector256.LoadUnsafe(ref row, 4), b0);
            c0 = Vector256.FusedMultiplyAdd(x, Vector256.LoadUnsafe(ref row, 8), c0);
            d0 = Vector256.FusedMultiplyAdd(x, Vector256.LoadUnsafe(ref row, 12), d0);
        }

        Store(target, a0, b0, c0, d0);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(Span<double> target, Vector512<double> low, Vector512<double> high)
    {
        low.CopyTo(target);
        high.CopyTo(target[8..]);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(Span<double> target, Vector256<double> v0, Vector256<double> v1, Vector256<double> v2, Vector256<double> v3)
    {
        v0.CopyTo(target);
        v1.CopyTo(target[4..]);
        v2.CopyTo(target[8..]);
        v3.CopyTo(target[12..]);
    }
}
