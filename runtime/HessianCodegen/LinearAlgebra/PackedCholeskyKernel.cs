using System;
using System.Runtime.CompilerServices;

namespace HessianCodegen.LinearAlgebra;

/// <summary>
/// A Cholesky factor <c>L</c> kept as its lower triangle only, packed by rows (row <c>i</c>, its <c>i + 1</c>
/// values <c>L_i0 .. L_ii</c>, starts at <c>i (i + 1) / 2</c>): half the values of the square
/// <see cref="CholeskyKernel"/> factors in, and what a solve reads per right-hand side. Like LAPACK's
/// <c>dpptrs</c> (<c>uplo = 'L'</c>), but the packing is by rows, since the rows are what both sweeps stream.
/// </summary>
internal static class PackedCholeskyKernel
{
    /// <summary>The values of a packed triangle of order <paramref name="n"/>: <c>n (n + 1) / 2</c>.</summary>
    public static int PackedLength(int n) => checked(n * (n + 1) / 2);

    /// <summary>Copies the lower triangle of the square row-major <paramref name="factor"/> (order <paramref name="n"/>) into <paramref name="packed"/>.</summary>
    public static void Pack(ReadOnlySpan<double> factor, int n, Span<double> packed)
    {
        if (factor.Length != n * n || packed.Length != PackedLength(n))
        {
            throw new ArgumentException($"Packing a factor of order {n} needs {n * n} values and {PackedLength(n)} of room; got {factor.Length} and {packed.Length}.");
        }

        for (int i = 0; i < n; i++)
        {
            factor.Slice(i * n, i + 1).CopyTo(packed.Slice(RowStart(i), i + 1));
        }
    }

    /// <summary>
    /// Solves <c>L L^T Z = B</c> in place for the <c>n</c> rows of <paramref name="rows"/>, <paramref name="width"/>
    /// values each: <see cref="SolveLower"/>, then <see cref="SolveLowerTransposed"/>.
    /// </summary>
    public static void Solve(ReadOnlySpan<double> packed, int n, Span<double> rows, int width)
    {
        SolveLower(packed, n, rows, width);
        SolveLowerTransposed(packed, n, rows, width);
    }

    /// <summary>
    /// <c>B = L^-1 B</c> in place, forwards: each row of the result against the solved rows above it, reading the rows
    /// of <c>L</c> in storage order (one right-hand side: a dot product per row).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SolveLower(ReadOnlySpan<double> packed, int n, Span<double> rows, int width)
    {
        Require(packed, n, rows, width);
        if (width == 1)
        {
            for (int i = 0; i < n; i++)
            {
                ReadOnlySpan<double> row = packed.Slice(RowStart(i), i + 1);
                rows[i] = (rows[i] - VectorKernels.Dot(row[..i], rows[..i])) / row[i];
            }

            return;
        }

        for (int i = 0; i < n; i++)
        {
            ReadOnlySpan<double> row = packed.Slice(RowStart(i), i + 1);
            Span<double> target = rows.Slice(i * width, width);
            for (int j = 0; j < i; j++)
            {
                VectorKernels.Axpy(-row[j], rows.Slice(j * width, width), target);
            }

            Scale(1.0 / row[i], target);
        }
    }

    /// <summary>
    /// <c>B = L^-T B</c> in place, backwards: each solved row subtracted from the rows above it (the column of <c>L^T</c>
    /// is the row of <c>L</c>), so the rows of <c>L</c> are again read in storage order, last first.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SolveLowerTransposed(ReadOnlySpan<double> packed, int n, Span<double> rows, int width)
    {
        Require(packed, n, rows, width);
        if (width == 1)
        {
            for (int i = n - 1; i >= 0; i--)
            {
                ReadOnlySpan<double> row = packed.Slice(RowStart(i), i + 1);
                double solved = rows[i] / row[i];
                rows[i] = solved;
                VectorKernels.Axpy(-solved, row[..i], rows[..i]);
            }

            return;
        }

        for (int i = n - 1; i >= 0; i--)
        {
            ReadOnlySpan<double> row = packed.Slice(RowStart(i), i + 1);
            Span<double> solved = rows.Slice(i * width, width);
            Scale(1.0 / row[i], solved);
            for (int j = 0; j < i; j++)
            {
                VectorKernels.Axpy(-row[j], solved, rows.Slice(j * width, width));
            }
        }
    }

    private static void Require(ReadOnlySpan<double> packed, int n, Span<double> rows, int width)
    {
        if (packed.Length != PackedLength(n) || rows.Length != n * width)
        {
            throw new ArgumentException($"A packed solve of order {n} needs {PackedLength(n)} factor values and {n} rows of {width}; " +
                $"got {packed.Length} and {rows.Length}.");
        }
    }

    private static int RowStart(int i) => i * (i + 1) / 2;

    private static void Scale(double factor, Span<double> values)
    {
        for (int k = 0; k < values.Length; k++)
        {
            values[k] *= factor;
        }
    }
}
