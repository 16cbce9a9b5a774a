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
    /// values each. Both sweeps read the rows of <c>L</c> in storage order: <c>L Y = B</c> forwards, each row of
    /// <c>Y</c> against the rows above; <c>L^T Z = Y</c> backwards, each solved row of <c>Z</c> subtracted from the
    /// rows above it (the column of <c>L^T</c> is the row of <c>L</c>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Solve(ReadOnlySpan<double> packed, int n, Span<double> rows, int width)
    {
        if (packed.Length != PackedLength(n) || rows.Length != n * width)
        {
            throw new ArgumentException($"A packed solve of order {n} needs {PackedLength(n)} factor values and {n} rows of {width}; " +
                $"got {packed.Length} and {rows.Length}.");
        }

        if (width == 1)
        {
            SolveVector(packed, n, rows);
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

    /// <summary>One right-hand side: each sweep is one pass over the triangle, a dot product or an axpy per row.</summary>
    private static void SolveVector(ReadOnlySpan<double> packed, int n, Span<double> x)
    {
        for (int i = 0; i < n; i++)
        {
            ReadOnlySpan<double> row = packed.Slice(RowStart(i), i + 1);
            x[i] = (x[i] - VectorKernels.Dot(row[..i], x[..i])) / row[i];
        }

        for (int i = n - 1; i >= 0; i--)
        {
            ReadOnlySpan<double> row = packed.Slice(RowStart(i), i + 1);
            double solved = x[i] / row[i];
            x[i] = solved;
            VectorKernels.Axpy(-solved, row[..i], x[..i]);
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
