using System;
using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace HessianCodegen.LinearAlgebra;

/// <summary>
/// Level-3 kernels on dense row-major matrices held in spans, built on the row kernels of
/// <see cref="RankUpdate"/>. Zero entries of the left factor are skipped, so a product whose left
/// factor is structurally sparse (a layer's <c>Dx</c>: one output row per parameter) costs its
/// non-zeros, not its size.
/// </summary>
internal static class MatrixKernels
{
    /// <summary>
    /// <c>c -= a b</c> with <c>a</c> <paramref name="rows"/> x <paramref name="inner"/> and <c>b</c>
    /// <paramref name="inner"/> x <paramref name="columns"/>: BLAS <c>dgemm</c> with <c>alpha = -1, beta = 1</c>.
    /// Each matrix may be a sub-matrix: its rows are <paramref name="cStride"/>, <paramref name="aStride"/>,
    /// <paramref name="bStride"/> values apart (the leading dimensions of BLAS).
    /// </summary>
    /// <returns>The floating-point operations performed.</returns>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static long SubtractProduct(Span<double> c, int cStride, ReadOnlySpan<double> a, int aStride,
        ReadOnlySpan<double> b, int bStride, int rows, int inner, int columns)
    {
        if (rows == 0 || inner == 0 || columns == 0)
        {
            return 0;
        }

        // A mostly-zero left factor (a layer's Dx^T) goes through its non-zeros only. Rows that share their non-zero
        // positions (a dense layer's weights into one output), where those positions are evenly spaced (one per
        // example), make a dense product with every spaced row of b: one Gemm. Other rows go two at a time where
        // they share their positions.
        int[] indices = ArrayPool<int>.Shared.Rent(inner);
        int[] nextIndices = ArrayPool<int>.Shared.Rent(inner);
        double[] values = ArrayPool<double>.Shared.Rent(inner);
        double[] nextValues = ArrayPool<double>.Shared.Rent(inner);
        try
        {
            long flops = 0;
            int i = 0;
            while (i < rows)
            {
                int nonZeros = SparseRankUpdate.Compress(a.Slice(i * aStride, inner), indices, values);
                if (4 * nonZeros > inner)
                {
                    // Two dense rows at a time.
                    if (i + 1 < rows)
                    {
                        flops += RankUpdate.SubtractCombinations(c.Slice(i * cStride, columns), a.Slice(i * aStride, inner),
                            c.Slice((i + 1) * cStride, columns), a.Slice((i + 1) * aStride, inner), b, bStride);
                        i += 2;
                        continue;
                    }

                    flops += RankUpdate.SubtractCombination(c.Slice(i * cStride, columns), a.Slice(i * aStride, inner), b, bStride);
                    i++;
                    continue;
                }

                ReadOnlySpan<int> positions = indices.AsSpan(0, nonZeros);
                bool spaced = IsEvenlySpaced(positions);
                int run = RunSharingPositions(a, aStride, inner, i, spaced ? rows : Math.Min(i + 2, rows), positions, nextIndices, nextValues);
                if (spaced && run >= MinimumRun && nonZeros >= MinimumRun)
                {
                    int spacing = nonZeros > 1 ? positions[1] - positions[0] : 1;
                    flops += SubtractSpacedProduct(c, cStride, a, aStride, i, run, b[(positions[0] * bStride)..], spacing * bStride, positions, columns);
                    i += run;
                    continue;
                }

                if (run > 1)
                {
                    SparseRankUpdate.Compress(a.Slice((i + 1) * aStride, inner), nextIndices, nextValues);
                    flops += SparseRankUpdate.SubtractCombinations(c.Slice(i * cStride, columns), values.AsSpan(0, nonZeros),
                        c.Slice((i + 1) * cStride, columns), nextValues.AsSpan(0, nonZeros), positions, b, bStride);
                    i += 2;
                    continue;
                }

                flops += SparseRankUpdate.SubtractCombination(c.Slice(i * cStride, columns), positions, values.AsSpan(0, nonZeros), b, bStride);
                i++;
            }

            return flops;
        }
        finally
        {
            ArrayPool<int>.Shared.Return(indices);
            ArrayPool<int>.Shared.Return(nextIndices);
            ArrayPool<double>.Shared.Return(values);
            ArrayPool<double>.Shared.Return(nextValues);
        }
    }

    /// <summary>
    /// Rows of a run, and non-zeros of its rows, below which the sparse row kernels are kept: a Gemm of fewer rows fills
    /// too little of its tile, and one of fewer terms (a batch of one has a single non-zero per row) is mostly call.
    /// </summary>
    private const int MinimumRun = 4;

    /// <summary>How many rows from <paramref name="first"/> on, up to <paramref name="limit"/>, have their non-zeros exactly at <paramref name="positions"/>.</summary>
    private static int RunSharingPositions(ReadOnlySpan<double> a, int aStride, int inner, int first, int limit, ReadOnlySpan<int> positions,
        Span<int> scratchIndices, Span<double> scratchValues)
    {
        int end = first + 1;
        while (end < limit)
        {
            int count = SparseRankUpdate.Compress(a.Slice(end * aStride, inner), scratchIndices, scratchValues);
            if (count != positions.Length || !positions.SequenceEqual(scratchIndices[..count]))
            {
                break;
            }

            end++;
        }

        return end - first;
    }

    private static bool IsEvenlySpaced(ReadOnlySpan<int> positions)
    {
        for (int k = 2; k < positions.Length; k++)
        {
            if (positions[k] - positions[k - 1] != positions[1] - positions[0])
            {
                return false;
            }
        }

        return positions.Length > 0;
    }

    /// <summary>
    /// <c>c -= a b</c> for the rows <paramref name="first"/> to <c>first + run</c> of <c>a</c>, whose non-zeros all lie at
    /// <paramref name="positions"/>: their values, gathered into a dense block, times the rows of <c>b</c> at those positions,
    /// which are <paramref name="spacedStride"/> apart from the start of <paramref name="spacedRows"/>. One product, into <c>c</c>.
    /// </summary>
    private static long SubtractSpacedProduct(Span<double> c, int cStride, ReadOnlySpan<double> a, int aStride, int first, int run,
        ReadOnlySpan<double> spacedRows, int spacedStride, ReadOnlySpan<int> positions, int columns)
    {
        int nonZeros = positions.Length;
        double[] gathered = ArrayPool<double>.Shared.Rent(run * nonZeros);
        try
        {
            for (int r = 0; r < run; r++)
            {
                ReadOnlySpan<double> row = a.Slice((first + r) * aStride);
                for (int k = 0; k < nonZeros; k++)
                {
                    gathered[(r * nonZeros) + k] = row[positions[k]];
                }
            }

            Gemm.Multiply(false, false, run, columns, nonZeros, -1, gathered, nonZeros, spacedRows, spacedStride, 1, c[(first * cStride)..], cStride);
            return 2L * run * nonZeros * columns;
        }
        finally
        {
            ArrayPool<double>.Shared.Return(gathered);
        }
    }

    /// <summary>
    /// Rows of the target the transposes write together, one cache line of doubles: each source row gives one line
    /// (read once, whole), and the target's lines stay in L1 across the whole strip. A cache-sized square tile of scalar
    /// copies (32 x 32) instead reads its source a column at a time, and with a row length a multiple of 512 values (4 KB)
    /// all of a column's lines fall into one L1 set and evict each other (4K aliasing), so every value read missed L1. The
    /// register blocks (4 x 4 and 8 x 8) read each source row as whole vectors, a line at a time, so they avoid it.
    /// </summary>
    internal const int Strip = 8;

    /// <summary>
    /// <c>t = a^T</c> for <c>a</c> <paramref name="rows"/> x <paramref name="columns"/> (like BLAS <c>domatcopy</c> with
    /// transpose), in strips of <see cref="Strip"/> rows of <c>t</c>.
    /// </summary>
    public static void Transpose(ReadOnlySpan<double> a, int rows, int columns, Span<double> t) => Transpose(a, rows, columns, t, 0, columns);

    /// <summary>
    /// The rows <paramref name="firstColumn"/> to <paramref name="endColumn"/> of <c>t = a^T</c> (the transposes of those columns of
    /// <c>a</c>); the rest of <paramref name="t"/> is not touched.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Transpose(ReadOnlySpan<double> a, int rows, int columns, Span<double> t, int firstColumn, int endColumn)
    {
        if (a.Length < rows * columns || t.Length < rows * columns)
        {
            throw new ArgumentException($"A {rows} x {columns} transpose needs {rows * columns} values in and out; got {a.Length} and {t.Length}.");
        }

        if (firstColumn < 0 || endColumn > columns || firstColumn > endColumn)
        {
            throw new ArgumentOutOfRangeException(nameof(firstColumn), $"Columns {firstColumn} to {endColumn} are not within 0 to {columns}.");
        }

        ref double start = ref MemoryMarshal.GetReference(a);
        ref double targetStart = ref MemoryMarshal.GetReference(t);
        for (int j0 = firstColumn; j0 < endColumn; j0 += Strip)
        {
            int width = Math.Min(Strip, endColumn - j0);
            int i = 0;

            // Four rows at a time, two blocks of 4 x 4 transposed in registers, where the strip is whole: a quarter of the
            // stores. At issue 7's order (Benchmarks --riccati-phases, one core, alternating builds, three runs each) Dx^T took
            // 0.019 to 0.020 ms against 0.026 value by value, -(Dx^T P) with its transpose 0.124 to 0.134 against 0.137 to 0.146.
            for (; Avx.IsSupported && width == Strip && i + 4 <= rows; i += 4)
            {
                ref double source = ref Unsafe.Add(ref start, ((nint)i * columns) + j0);
                ref double target = ref Unsafe.Add(ref targetStart, ((nint)j0 * rows) + i);
                Transpose4x4(ref source, columns, ref target, rows);
                Transpose4x4(ref Unsafe.Add(ref source, 4), columns, ref Unsafe.Add(ref target, 4 * (nint)rows), rows);
            }

            for (; i < rows; i++)
            {
                ReadOnlySpan<double> source = a.Slice((i * columns) + j0, width);
                for (int k = 0; k < source.Length; k++)
                {
                    t[((j0 + k) * rows) + i] = source[k];
                }
            }
        }
    }

    /// <summary>
    /// Copies the lower triangle of the square matrix <paramref name="a"/> (order <paramref name="n"/>) onto its upper triangle,
    /// read along the lower triangle's rows in 8 x 8 blocks transposed in registers, as <see cref="MirrorUpperRows"/> reads the upper one
    /// (it read down the columns: issue 7's pivot block, p = 72, mirrored and factored in 0.0117 ms against 0.0129, medians of
    /// five alternating runs each of Benchmarks --riccati-phases).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MirrorLower(Span<double> a, int n)
    {
        if (a.Length < n * n)
        {
            throw new ArgumentException($"A matrix of order {n} needs {n * n} values; got {a.Length}.", nameof(a));
        }

        ref double start = ref MemoryMarshal.GetReference(a);
        for (int i0 = 0; i0 < n; i0 += Strip)
        {
            // The diagonal block: a(i, j) = a(j, i) for i < j < i0 + width. Only this block can be narrower than a strip: a
            // block right of it has columns past i0 + Strip <= n, so its strip of rows i0.. is whole.
            int width = Math.Min(Strip, n - i0);
            for (int i = i0; i < i0 + width; i++)
            {
                for (int j = i + 1; j < i0 + width; j++)
                {
                    a[(i * n) + j] = a[(j * n) + i];
                }
            }

            // The blocks right of it: rows i0.. of the upper triangle, columns j0.., from rows j0.. of the lower one.
            for (int j0 = i0 + Strip; j0 < n; j0 += Strip)
            {
                int columns = Math.Min(Strip, n - j0);
                if (Avx.IsSupported && columns == Strip)
                {
                    Transpose8x8(ref Unsafe.Add(ref start, ((nint)j0 * n) + i0), ref Unsafe.Add(ref start, ((nint)i0 * n) + j0), n);
                    continue;
                }

                for (int r = 0; r < Strip; r++)
                {
                    for (int c = 0; c < columns; c++)
                    {
                        a[((i0 + r) * n) + j0 + c] = a[((j0 + c) * n) + i0 + r];
                    }
                }
            }
        }
    }

    /// <summary>
    /// The largest magnitude in the lower triangle (with the diagonal) of the square matrix <paramref name="a"/> (order
    /// <paramref name="n"/>), row by row (<see cref="VectorKernels.MaxAbs"/>); a NaN there is carried, the strict upper triangle
    /// is not read: a symmetric matrix formed in its lower triangle alone.
    /// </summary>
    public static double MaxAbsLower(ReadOnlySpan<double> a, int n)
    {
        if (a.Length < n * n)
        {
            throw new ArgumentException($"A matrix of order {n} needs {n * n} values; got {a.Length}.", nameof(a));
        }

        double largest = 0;
        for (int i = 0; i < n; i++)
        {
            largest = Math.Max(largest, VectorKernels.MaxAbs(a.Slice(i * n, i + 1)));
        }

        return largest;
    }

    /// <summary>Copies the upper triangle of the square matrix <paramref name="a"/> (order <paramref name="n"/>) onto its lower triangle (<see cref="MirrorUpperRows"/>).</summary>
    public static void MirrorUpper(Span<double> a, int n)
    {
        if (a.Length < n * n)
        {
            throw new ArgumentException($"A matrix of order {n} needs {n * n} values; got {a.Length}.", nameof(a));
        }

        MirrorUpperRows(a, n, 0, n);
    }

    /// <summary>
    /// Rows <paramref name="first"/> to <paramref name="end"/> of the lower triangle of the
    /// square matrix <paramref name="a"/> (order <paramref name="n"/>), from the columns of its upper one; nothing else is written.
    /// The upper triangle is read <see cref="Strip"/> rows at a time along the rows, a block of 8 x 8 transposed in registers
    /// (four of 4 x 4), so its rows stream past the prefetchers; the lower one is written a block's lines at a time. At issue 7's
    /// order 512 this took 0.075 ms where reading the upper triangle down its columns, a line per row of it, took 0.094
    /// (Benchmarks --riccati-phases, one core, alternating builds, four runs each).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MirrorUpperRows(Span<double> a, int n, int first, int end)
    {
        if (a.Length < n * n)
        {
            throw new ArgumentException($"A matrix of order {n} needs {n * n} values; got {a.Length}.", nameof(a));
        }

        if (first < 0 || first > n)
        {
            throw new ArgumentOutOfRangeException(nameof(first), $"The band's first row {first} is not within 0 to {n}.");
        }

        if (end < first || end > n)
        {
            throw new ArgumentOutOfRangeException(nameof(end), $"The band's end row {end} is not within {first} to {n}.");
        }

        ref double start = ref MemoryMarshal.GetReference(a);
        for (int j0 = 0; j0 < end; j0 += Strip)
        {
            // The diagonal block's rows in range: a(i, j) = a(j, i) for j0 <= j < i. Only this block can be narrower than a
            // strip: a block below it has rows past j0 + Strip <= n, so its strip of columns j0.. is whole.
            int width = Math.Min(Strip, n - j0);
            for (int i = Math.Max(j0 + 1, first); i < Math.Min(j0 + width, end); i++)
            {
                for (int j = j0; j < i; j++)
                {
                    a[(i * n) + j] = a[(j * n) + i];
                }
            }

            // The blocks below it in range: rows i0.. of the lower triangle, columns j0.., from rows j0.. of the upper one.
            for (int i0 = Math.Max(first, j0 + Strip); i0 < end; i0 += Strip)
            {
                int rows = Math.Min(Strip, end - i0);
                if (Avx.IsSupported && rows == Strip)
                {
                    Transpose8x8(ref Unsafe.Add(ref start, ((nint)j0 * n) + i0), ref Unsafe.Add(ref start, ((nint)i0 * n) + j0), n);
                    continue;
                }

                for (int r = 0; r < Strip; r++)
                {
                    for (int c = 0; c < rows; c++)
                    {
                        a[((i0 + c) * n) + j0 + r] = a[((j0 + r) * n) + i0 + c];
                    }
                }
            }
        }
    }

    /// <summary>
    /// The columns <paramref name="first"/> to <paramref name="end"/> of the lower triangle of the square matrix <paramref name="a"/>
    /// (order <paramref name="n"/>), from the rows <paramref name="first"/> to <paramref name="end"/> of its upper one; nothing else
    /// is written. The mirror of a band of rows of the upper triangle, for the core that has just written that band (a two-core
    /// update of <c>P</c>): it reads only its own rows, where <see cref="MirrorUpperRows"/>'s bands read columns the other core wrote.
    /// 8 x 8 blocks transposed in registers where the strip is whole, as <see cref="MirrorUpperRows"/>; the values copied are the
    /// same wherever the band's edges fall.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MirrorUpperColumns(Span<double> a, int n, int first, int end)
    {
        if (a.Length < n * n)
        {
            throw new ArgumentException($"A matrix of order {n} needs {n * n} values; got {a.Length}.", nameof(a));
        }

        if (first < 0 || first > n)
        {
            throw new ArgumentOutOfRangeException(nameof(first), $"The band's first column {first} is not within 0 to {n}.");
        }

        if (end < first || end > n)
        {
            throw new ArgumentOutOfRangeException(nameof(end), $"The band's end column {end} is not within {first} to {n}.");
        }

        ref double start = ref MemoryMarshal.GetReference(a);
        for (int j0 = first; j0 < end;)
        {
            // A strip of columns up to the next multiple of Strip (only the band's first strip can start past one) or the band's end.
            int j1 = Math.Min(end, ((j0 / Strip) + 1) * Strip);

            // The strip's triangle: a(i, j) = a(j, i) for j0 <= j < i < j1.
            for (int i = j0 + 1; i < j1; i++)
            {
                for (int j = j0; j < i; j++)
                {
                    a[(i * n) + j] = a[(j * n) + i];
                }
            }

            // The blocks below it: rows i0.. of the lower triangle, columns j0 to j1, from rows j0 to j1 of the upper one.
            for (int i0 = j1; i0 < n; i0 += Strip)
            {
                int rows = Math.Min(Strip, n - i0);
                if (Avx.IsSupported && rows == Strip && j1 - j0 == Strip)
                {
                    Transpose8x8(ref Unsafe.Add(ref start, ((nint)j0 * n) + i0), ref Unsafe.Add(ref start, ((nint)i0 * n) + j0), n);
                    continue;
                }

                for (int r = j0; r < j1; r++)
                {
                    for (int c = 0; c < rows; c++)
                    {
                        a[((i0 + c) * n) + r] = a[(r * n) + i0 + c];
                    }
                }
            }

            j0 = j1;
        }
    }

    /// <summary>The 8 x 8 block at <paramref name="source"/> transposed into the one at <paramref name="target"/> (both with rows <paramref name="stride"/> apart), as four of 4 x 4.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8x8(ref double source, ref double target, int stride)
    {
        Transpose4x4(ref source, stride, ref target, stride);
        Transpose4x4(ref Unsafe.Add(ref source, 4 * (nint)stride), stride, ref Unsafe.Add(ref target, 4), stride);
        Transpose4x4(ref Unsafe.Add(ref source, 4), stride, ref Unsafe.Add(ref target, 4 * (nint)stride), stride);
        Transpose4x4(ref Unsafe.Add(ref source, (4 * (nint)stride) + 4), stride, ref Unsafe.Add(ref target, (4 * (nint)stride) + 4), stride);
    }

    /// <summary>
    /// The 4 x 4 block at <paramref name="source"/> (rows <paramref name="sourceStride"/> apart) transposed into the one at
    /// <paramref name="target"/> (rows <paramref name="targetStride"/> apart).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Transpose4x4(ref double source, int sourceStride, ref double target, int targetStride)
    {
        Vector256<double> row0 = Vector256.LoadUnsafe(ref source);
        Vector256<double> row1 = Vector256.LoadUnsafe(ref source, (nuint)sourceStride);
        Vector256<double> row2 = Vector256.LoadUnsafe(ref source, (nuint)(2 * sourceStride));
        Vector256<double> row3 = Vector256.LoadUnsafe(ref source, (nuint)(3 * sourceStride));
        TransposeRows4x4(row0, row1, row2, row3, ref target, targetStride);
    }

    /// <summary>
    /// The 4 x 4 block whose rows are <paramref name="row0"/> to <paramref name="row3"/>, transposed into the one at
    /// <paramref name="target"/> (rows <paramref name="targetStride"/> apart): for callers whose rows are not one stride apart
    /// (<see cref="LaneTranspose"/>'s missing groups read as zeros).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void TransposeRows4x4(Vector256<double> row0, Vector256<double> row1, Vector256<double> row2, Vector256<double> row3, ref double target, int targetStride)
    {
        Vector256<double> even01 = Avx.UnpackLow(row0, row1), odd01 = Avx.UnpackHigh(row0, row1);
        Vector256<double> even23 = Avx.UnpackLow(row2, row3), odd23 = Avx.UnpackHigh(row2, row3);
        Avx.Permute2x128(even01, even23, 0x20).StoreUnsafe(ref target);
        Avx.Permute2x128(odd01, odd23, 0x20).StoreUnsafe(ref target, (nuint)targetStride);
        Avx.Permute2x128(even01, even23, 0x31).StoreUnsafe(ref target, (nuint)(2 * targetStride));
        Avx.Permute2x128(odd01, odd23, 0x31).StoreUnsafe(ref target, (nuint)(3 * targetStride));
    }
}
