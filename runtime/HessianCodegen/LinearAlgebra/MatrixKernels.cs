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

        // A mostly-zero left factor (a layer's Dx^T) goes row by row through its non-zeros only.
        int[] indices = ArrayPool<int>.Shared.Rent(inner);
        double[] values = ArrayPool<double>.Shared.Rent(inner);
        try
        {
            long flops = 0;
            int i = 0;
            while (i < rows)
            {
                int nonZeros = SparseRankUpdate.Compress(a.Slice(i * aStride, inner), indices, values);
                if (4 * nonZeros <= inner || i + 1 == rows)
                {
                    flops += SparseRankUpdate.SubtractCombination(c.Slice(i * cStride, columns), indices.AsSpan(0, nonZeros),
                        values.AsSpan(0, nonZeros), b, bStride);
                    i++;
                }
                else
                {
                    flops += RankUpdate.SubtractCombinations(c.Slice(i * cStride, columns), a.Slice(i * aStride, inner),
                        c.Slice((i + 1) * cStride, columns), a.Slice((i + 1) * aStride, inner), b, bStride);
                    i += 2;
                }
            }

            return flops;
        }
        finally
        {
            ArrayPool<int>.Shared.Return(indices);
            ArrayPool<double>.Shared.Return(values);
        }
    }

    /// <summary><c>t = a^T</c> for <c>a</c> <paramref name="rows"/> x <paramref name="columns"/> (like BLAS <c>domatcopy</c> with transpose).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Transpose(ReadOnlySpan<double> a, int rows, int columns, Span<double> t)
    {
        if (a.Length < rows * columns || t.Length < rows * columns)
        {
            throw new ArgumentException($"A {rows} x {columns} transpose needs {rows * columns} values in and out; got {a.Length} and {t.Length}.");
        }

        for (int i = 0; i < rows; i++)
        {
            ReadOnlySpan<double> row = a.Slice(i * columns, columns);
            for (int j = 0; j < columns; j++)
            {
                t[(j * rows) + i] = row[j];
            }
        }
    }

    /// <summary>Copies the upper triangle of the square matrix <paramref name="a"/> (order <paramref name="n"/>) onto its lower triangle.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MirrorUpper(Span<double> a, int n)
    {
        for (int i = 1; i < n; i++)
        {
            Span<double> row = a.Slice(i * n, i);
            for (int j = 0; j < i; j++)
            {
                row[j] = a[(j * n) + i];
            }
        }
    }
}
