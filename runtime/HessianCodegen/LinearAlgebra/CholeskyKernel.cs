using System;
using System.Buffers;
using System.Runtime.CompilerServices;

namespace HessianCodegen.LinearAlgebra;

/// <summary>
/// Cholesky factorization <c>A = L L^T</c> of a symmetric positive definite matrix and solves with it,
/// on a dense row-major <c>n x n</c> span whose lower triangle holds <c>A</c> (and then <c>L</c>).
/// </summary>
internal static class CholeskyKernel
{
    /// <summary>Rows per block of the solves: the triangles solved row by row are this wide, the rest is <see cref="Gemm"/>.</summary>
    private const int SolveBlock = 24;

    /// <summary>
    /// Columns of the strips a solve with many right-hand sides is cut into (not a power of two: see <see cref="Solve"/>); it serves
    /// <see cref="Solve"/> and <see cref="SolveLowerTransposed"/> (the recursion's half solve <c>Y = W^-1 C</c> goes through
    /// <see cref="StripTriangularSolve"/> since batch 8). Measured with Benchmarks --riccati-phases before that, on the half solve
    /// (p = 72, 512 right-hand sides, one core): 0.33 ms uncut, 0.28 in strips of 60, 0.245 of 120, 0.235 of 200.
    /// </summary>
    private const int ChunkWidth = 200;

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
    public static void Solve(ReadOnlySpan<double> factor, int n, Span<double> rows, int width) =>
        Sweep(factor, n, rows, width, lower: true, upper: true);

    /// <summary><c>B = L^-1 B</c> in place, the first sweep of <see cref="Solve"/> alone (<c>dtrsm</c>, side L, lower, trans N).</summary>
    public static void SolveLower(ReadOnlySpan<double> factor, int n, Span<double> rows, int width) =>
        Sweep(factor, n, rows, width, lower: true, upper: false);

    /// <summary><c>B = L^-T B</c> in place, the second sweep of <see cref="Solve"/> alone (<c>dtrsm</c>, side L, lower, trans T).</summary>
    public static void SolveLowerTransposed(ReadOnlySpan<double> factor, int n, Span<double> rows, int width) =>
        Sweep(factor, n, rows, width, lower: false, upper: true);

    /// <summary>The sweeps of a solve: with <c>L</c> (<paramref name="lower"/>), then with <c>L^T</c> (<paramref name="upper"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Sweep(ReadOnlySpan<double> factor, int n, Span<double> rows, int width, bool lower, bool upper)
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

        // Many right-hand sides: solved a strip of columns at a time, copied out with rows ChunkWidth values apart. Rows
        // 512 values (4 KB) apart fall into one L1 set, and the row combinations below, reading many rows at once, then
        // missed L1 at every load.
        if (width > ChunkWidth)
        {
            double[] chunk = ArrayPool<double>.Shared.Rent(n * ChunkWidth);
            try
            {
                for (int j0 = 0; j0 < width; j0 += ChunkWidth)
                {
                    int columns = Math.Min(ChunkWidth, width - j0);
                    Span<double> strip = chunk.AsSpan(0, n * columns);
                    for (int i = 0; i < n; i++)
                    {
                        rows.Slice((i * width) + j0, columns).CopyTo(strip.Slice(i * columns, columns));
                    }

                    Sweep(factor, n, strip, columns, lower, upper);
                    for (int i = 0; i < n; i++)
                    {
                        strip.Slice(i * columns, columns).CopyTo(rows.Slice((i * width) + j0, columns));
                    }
                }
            }
            finally
            {
                ArrayPool<double>.Shared.Return(chunk);
            }

            return;
        }

        // Blocks of rows, as LAPACK's blocked dtrsm: the rows above (below) a block reach it in one Gemm, and only
        // the triangle inside the block is solved row by row.
        for (int i0 = 0; lower && i0 < n; i0 += SolveBlock)
        {
            // L Y = B: Y_i = (B_i - sum_j<i L_ij Y_j) / L_ii.
            int i1 = Math.Min(i0 + SolveBlock, n);
            Gemm.Multiply(false, false, i1 - i0, width, i0, -1, factor[(i0 * n)..], n, rows, width, 1, rows[(i0 * width)..], width);
            for (int i = i0; i < i1; i++)
            {
                Span<double> target = rows.Slice(i * width, width);
                RankUpdate.SubtractCombination(target, factor.Slice((i * n) + i0, i - i0), rows[(i0 * width)..], width);
                Scale(1.0 / factor[(i * n) + i], target);
            }
        }

        for (int i1 = n; upper && i1 > 0; i1 -= SolveBlock)
        {
            // L^T Z = Y, last block first: Z_i = (Y_i - sum_j>i L_ji Z_j) / L_ii.
            int i0 = Math.Max(i1 - SolveBlock, 0);
            Gemm.Multiply(true, false, i1 - i0, width, n - i1, -1, factor[Math.Min((i1 * n) + i0, factor.Length)..], n,
                rows[(i1 * width)..], width, 1, rows[(i0 * width)..], width);
            for (int i = i1 - 1; i >= i0; i--)
            {
                Span<double> solved = rows.Slice(i * width, width);
                Scale(1.0 / factor[(i * n) + i], solved);
                ReadOnlySpan<double> row = factor.Slice((i * n) + i0, i - i0);
                for (int j = 0; j < row.Length; j++)
                {
                    VectorKernels.Axpy(-row[j], solved, rows.Slice((i0 + j) * width, width));
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
