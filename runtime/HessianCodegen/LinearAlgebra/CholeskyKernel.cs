using System;
using System.Runtime.CompilerServices;

namespace HessianCodegen.LinearAlgebra;

/// <summary>
/// Cholesky factorization <c>A = L L^T</c> of a symmetric positive definite matrix and solves with it,
/// on a dense row-major <c>n x n</c> span whose lower triangle holds <c>A</c> (and then <c>L</c>).
/// </summary>
internal static class CholeskyKernel
{
    /// <summary>Columns of the right-hand sides solved together: a tile of 128 columns of a pivot block's 600 rows is 600 KB.</summary>
    private const int ColumnTile = 128;

    /// <summary>
    /// Overwrites the lower triangle of <paramref name="a"/> with <c>L</c>, like LAPACK <c>dpotrf</c>
    /// (<c>uplo = 'L'</c>), computed row by row (the Cholesky-Crout order, each entry one dot product).
    /// A pivot <c>L_ii^2</c> at most <paramref name="tinyPivot"/> (or not a number) stops it: the matrix is
    /// not positive definite to working precision, and the caller decides what to do instead.
    /// </summary>
    /// <returns>-1 on success, else the row whose pivot failed (the lower triangle is then partly overwritten).</returns>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int Factor(Span<double> a, int n, double tinyPivot, ref long flops)
    {
        RequireSquare(a, n);
        for (int i = 0; i < n; i++)
        {
            Span<double> row = a.Slice(i * n, i + 1);
            for (int j = 0; j < i; j++)
            {
                row[j] = (row[j] - VectorKernels.Dot(row[..j], a.Slice(j * n, j))) / a[(j * n) + j];
            }

            double pivot = row[i] - VectorKernels.Dot(row[..i], row[..i]);
            flops += (long)i * (i + 1);
            if (!(pivot > tinyPivot))
            {
                return i;
            }

            row[i] = Math.Sqrt(pivot);
        }

        return -1;
    }

    /// <summary>
    /// Solves <c>A Z = B</c> in place for the <c>n</c> rows of <paramref name="rows"/>, each
    /// <paramref name="width"/> values wide (one right-hand side per column), like LAPACK <c>dpotrs</c>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Solve(ReadOnlySpan<double> factor, int n, Span<double> rows, int width)
    {
        RequireSquare(factor, n);
        if (rows.Length != n * width)
        {
            throw new ArgumentException($"rows has {rows.Length} values; expected {n} rows of {width}.", nameof(rows));
        }

        // Order 0 (a layer without parameters): nothing to solve, and no row to take a tile of.
        if (n == 0)
        {
            return;
        }

        // Tile by tile of columns (each column is its own right-hand side): a tile of every row stays in the L2
        // cache through both sweeps, where whole rows of a wide right-hand side (1536 values) streamed from memory.
        for (int c0 = 0; c0 < width; c0 += ColumnTile)
        {
            int tileWidth = Math.Min(ColumnTile, width - c0);
            Span<double> tile = rows[c0..];

            // L Y = B, row by row: Y_i = (B_i - sum_j<i L_ij Y_j) / L_ii.
            for (int i = 0; i < n; i++)
            {
                Span<double> target = tile.Slice(i * width, tileWidth);
                RankUpdate.SubtractCombination(target, factor.Slice(i * n, i), tile, width);
                Scale(1.0 / factor[(i * n) + i], target);
            }

            // L^T Z = Y, last row first: Z_i = Y_i / L_ii, then Y_j -= L_ij Z_i for j < i.
            for (int i = n - 1; i >= 0; i--)
            {
                Span<double> solved = tile.Slice(i * width, tileWidth);
                Scale(1.0 / factor[(i * n) + i], solved);
                ReadOnlySpan<double> column = factor.Slice(i * n, i);
                for (int j = 0; j < i; j++)
                {
                    VectorKernels.Axpy(-column[j], solved, tile.Slice(j * width, tileWidth));
                }
            }
        }
    }

    private static void Scale(double factor, Span<double> values)
    {
        for (int k = 0; k < values.Length; k++)
        {
            values[k] *= factor;
        }
    }

    private static void RequireSquare(ReadOnlySpan<double> a, int n)
    {
        if (a.Length != n * n)
        {
            throw new ArgumentException($"The matrix has {a.Length} values; expected {n} x {n}.", nameof(a));
        }
    }
}
