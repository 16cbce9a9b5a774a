using System;
using System.Buffers;
using System.Runtime.CompilerServices;

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
                if (4 * nonZeros > inner && i + 1 < rows)
                {
                    flops += RankUpdate.SubtractCombinations(c.Slice(i * cStride, columns), a.Slice(i * aStride, inner),
                        c.Slice((i + 1) * cStride, columns), a.Slice((i + 1) * aStride, inner), b, bStride);
                    i += 2;
                    continue;
                }

                ReadOnlySpan<int> positions = indices.AsSpan(0, nonZeros);
                bool spaced = IsEvenlySpaced(positions);
                int run = RunSharingPositions(a, aStride, inner, i, spaced ? rows : Math.Min(i + 2, rows), positions, nextIndices, nextValues);
                if (spaced && run >= MinimumRun && nonZeros >= MinimumRun)
                {
                    int spacing = nonZeros > 1 ? positions[1] - positions[0] : 1;
                    flops += SubtractSpacedProduct(c[(i * cStride)..], cStride, a[(i * aStride)..], aStride, b[(positions[0] * bStride)..],
                        spacing * bStride, run, positions, columns);
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
    /// <c>c -= a b</c> for <paramref name="rows"/> rows of <c>a</c> whose non-zeros all lie at <paramref name="positions"/>:
    /// their values, gathered into a dense <c>rows x nnz</c> block, times the rows of <c>b</c> at those positions, which
    /// are <paramref name="spacedStride"/> apart from the start of <paramref name="spacedRows"/>.
    /// </summary>
    private static long SubtractSpacedProduct(Span<double> c, int cStride, ReadOnlySpan<double> a, int aStride,
        ReadOnlySpan<double> spacedRows, int spacedStride, int rows, ReadOnlySpan<int> positions, int columns)
    {
        int nonZeros = positions.Length;
        double[] gathered = ArrayPool<double>.Shared.Rent(rows * nonZeros);
        try
        {
            for (int r = 0; r < rows; r++)
            {
                ReadOnlySpan<double> row = a.Slice(r * aStride);
                for (int k = 0; k < nonZeros; k++)
                {
                    gathered[(r * nonZeros) + k] = row[positions[k]];
                }
            }

            Gemm.Multiply(false, false, rows, columns, nonZeros, -1, gathered, nonZeros, spacedRows, spacedStride, 1, c, cStride);
            return 2L * rows * nonZeros * columns;
        }
        finally
        {
            ArrayPool<double>.Shared.Return(gathered);
        }
    }

    /// <summary>Tile edge of the transposes: a tile of the source and one of the target stay in L1 together.</summary>
    private const int Tile = 32;

    /// <summary>
    /// <c>t = a^T</c> for <c>a</c> <paramref name="rows"/> x <paramref name="columns"/> (like BLAS <c>domatcopy</c> with
    /// transpose), tile by tile: a row-by-row transpose writes each value a whole row apart, and on a
    /// 512 x 512 matrix that cost more than the products around it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Transpose(ReadOnlySpan<double> a, int rows, int columns, Span<double> t)
    {
        if (a.Length < rows * columns || t.Length < rows * columns)
        {
            throw new ArgumentException($"A {rows} x {columns} transpose needs {rows * columns} values in and out; got {a.Length} and {t.Length}.");
        }

        for (int i0 = 0; i0 < rows; i0 += Tile)
        {
            int i1 = Math.Min(i0 + Tile, rows);
            for (int j0 = 0; j0 < columns; j0 += Tile)
            {
                int j1 = Math.Min(j0 + Tile, columns);
                for (int i = i0; i < i1; i++)
                {
                    ReadOnlySpan<double> row = a.Slice(i * columns, columns);
                    for (int j = j0; j < j1; j++)
                    {
                        t[(j * rows) + i] = row[j];
                    }
                }
            }
        }
    }

    /// <summary>Copies the lower triangle of the square matrix <paramref name="a"/> (order <paramref name="n"/>) onto its upper triangle, tile by tile.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MirrorLower(Span<double> a, int n)
    {
        if (a.Length < n * n)
        {
            throw new ArgumentException($"A matrix of order {n} needs {n * n} values; got {a.Length}.", nameof(a));
        }

        for (int i0 = 0; i0 < n; i0 += Tile)
        {
            int i1 = Math.Min(i0 + Tile, n);
            for (int j0 = 0; j0 <= i0; j0 += Tile)
            {
                for (int i = i0; i < i1; i++)
                {
                    int j1 = Math.Min(j0 + Tile, i);
                    for (int j = j0; j < j1; j++)
                    {
                        a[(j * n) + i] = a[(i * n) + j];
                    }
                }
            }
        }
    }

    /// <summary>Copies the upper triangle of the square matrix <paramref name="a"/> (order <paramref name="n"/>) onto its lower triangle, tile by tile.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MirrorUpper(Span<double> a, int n)
    {
        if (a.Length < n * n)
        {
            throw new ArgumentException($"A matrix of order {n} needs {n * n} values; got {a.Length}.", nameof(a));
        }

        for (int i0 = 0; i0 < n; i0 += Tile)
        {
            int i1 = Math.Min(i0 + Tile, n);
            for (int j0 = 0; j0 <= i0; j0 += Tile)
            {
                for (int i = i0; i < i1; i++)
                {
                    int j1 = Math.Min(j0 + Tile, i);
                    for (int j = j0; j < j1; j++)
                    {
                        a[(i * n) + j] = a[(j * n) + i];
                    }
                }
            }
        }
    }
}
