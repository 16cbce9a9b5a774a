using System;
using System.Buffers;
using System.Runtime.CompilerServices;

namespace HessianCodegen.LinearAlgebra;

/// <summary>
/// <see cref="BunchKaufmanKernel.Solve"/> for many right-hand sides, blocked like LAPACK <c>dsyconv</c> + <c>dsytrs2</c>
/// (<c>uplo = 'L'</c>): the factor's interchanges are moved out of <c>L</c> into one permutation of the rows, so that
/// <c>A = P L D L^T P^T</c> with <c>L</c> plain unit lower triangular, whose two solves then go block by block instead of one
/// rank-1 update of every right-hand side per column: <c>L^-1</c> through <see cref="StripTriangularSolve"/> (the converted copy
/// given its unit diagonal: dividing by 1 is exact), <c>L^-T</c> through <see cref="Gemm"/>. At order 272 (scratch loop on the
/// width-16 chain's whole blocks, medians of 61, load 14) the lower half with the strips took 58.9 against 75.8 us at 16
/// right-hand sides, 312 against 946 at 128 (least 248 against 363), where <see cref="Gemm"/> reached each block of 24 rows.
/// </summary>
internal static class BlockedBunchKaufmanSolve
{
    /// <summary>Right-hand sides from which the converted copy of <c>L</c> (<c>n^2</c> values, <c>n^2</c> moves) is repaid.</summary>
    public const int MinimumWidth = 16;

    /// <summary>Rows per block of the transposed solve: the rows below a block reach it in one Gemm.</summary>
    private const int Block = 24;

    /// <summary>
    /// Solves <c>A Z = B</c> in place for the <c>n</c> rows of <paramref name="rows"/>, each <paramref name="width"/>
    /// values wide, from the factor and pivots of <see cref="BunchKaufmanKernel.Factor"/> (or of <see cref="BlockedBunchKaufmanKernel"/>
    /// or <see cref="RightLookingBunchKaufmanKernel"/>, which store the same), which are read only.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Solve(ReadOnlySpan<double> factor, int n, ReadOnlySpan<int> pivots, Span<double> rows, int width) =>
        SolveParts(factor, n, pivots, rows, width, lower: true, diagonal: true, upper: true);

    /// <summary><c>B = L^-1 P^T B</c> in place: the permutation and the unit lower solve, without <c>D</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SolveLowerHalf(ReadOnlySpan<double> factor, int n, ReadOnlySpan<int> pivots, Span<double> rows, int width) =>
        SolveParts(factor, n, pivots, rows, width, lower: true, diagonal: false, upper: false);

    /// <summary><c>B = P L^-T B</c> in place: the transpose of <see cref="SolveLowerHalf"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SolveUpperHalf(ReadOnlySpan<double> factor, int n, ReadOnlySpan<int> pivots, Span<double> rows, int width) =>
        SolveParts(factor, n, pivots, rows, width, lower: false, diagonal: false, upper: true);

    /// <summary>The parts of a solve, in order: <c>L^-1 P^T</c> (<paramref name="lower"/>), <c>D^-1</c>, <c>P L^-T</c>.</summary>
    private static void SolveParts(ReadOnlySpan<double> factor, int n, ReadOnlySpan<int> pivots, Span<double> rows, int width,
        bool lower, bool diagonal, bool upper)
    {
        if (factor.Length != n * n || pivots.Length != n || rows.Length != n * width)
        {
            throw new ArgumentException($"A solve of order {n} needs {n * n} factor values, {n} pivots and {n} rows of {width}; " +
                $"got {factor.Length}, {pivots.Length} and {rows.Length}.");
        }

        double[] converted = ArrayPool<double>.Shared.Rent(n * n);
        try
        {
            Span<double> l = converted.AsSpan(0, n * n);
            Convert(factor, n, pivots, l);
            if (lower)
            {
                Permute(pivots, n, rows, width, forward: true);
                StripTriangularSolve.SolveLower(l, n, rows, width);
            }

            if (diagonal)
            {
                SolveDiagonal(factor, n, pivots, rows, width);
            }

            if (upper)
            {
                SolveUnitLowerTransposed(l, n, rows, width);
                Permute(pivots, n, rows, width, forward: false);
            }
        }
        finally
        {
            ArrayPool<double>.Shared.Return(converted);
        }
    }

    /// <summary>
    /// <c>dsyconv</c>'s conversion into <paramref name="l"/>: the strict lower triangle of the factor without the
    /// sub-diagonal entries of the 2x2 blocks of <c>D</c> (those belong to <c>D</c>), and each interchange of step
    /// <c>k</c> applied to the columns of <c>L</c> before <c>k</c>, which the factorization left unswapped.
    /// </summary>
    private static void Convert(ReadOnlySpan<double> factor, int n, ReadOnlySpan<int> pivots, Span<double> l)
    {
        for (int i = 0; i < n; i++)
        {
            factor.Slice(i * n, i).CopyTo(l.Slice(i * n, i));
            l[(i * n) + i] = 1;
        }

        // A row is not swapped with itself: most pivots interchange nothing, and swapping a prefix with itself moved n^2 / 2 values
        // (at order 272 and 16 right-hand sides, as long as the solve itself).
        for (int k = 0; k < n; k++)
        {
            if (pivots[k] >= 0)
            {
                if (pivots[k] != k)
                {
                    VectorKernels.Swap(l.Slice(k * n, k), l.Slice(pivots[k] * n, k));
                }
            }
            else
            {
                l[((k + 1) * n) + k] = 0;
                if (-pivots[k] - 1 != k + 1)
                {
                    VectorKernels.Swap(l.Slice((k + 1) * n, k), l.Slice((-pivots[k] - 1) * n, k));
                }

                k++;
            }
        }
    }

    /// <summary>The interchanges of the factorization on the rows: in their order (<c>P^T B</c>), or in reverse (<c>P B</c>).</summary>
    private static void Permute(ReadOnlySpan<int> pivots, int n, Span<double> rows, int width, bool forward)
    {
        int k = forward ? 0 : n - 1;
        while (k >= 0 && k < n)
        {
            // A 2x2 block at (k, k + 1) interchanged row k + 1.
            bool single = pivots[k] >= 0;
            int row = single ? k : forward ? k + 1 : k;
            int other = single ? pivots[k] : -pivots[k] - 1;
            if (other != row)
            {
                VectorKernels.Swap(rows.Slice(row * width, width), rows.Slice(other * width, width));
            }

            k += forward ? (single ? 1 : 2) : (single ? -1 : -2);
        }
    }

    /// <summary><c>L^T Z = Y</c> with <c>L</c> unit lower triangular, last block first.</summary>
    private static void SolveUnitLowerTransposed(ReadOnlySpan<double> l, int n, Span<double> rows, int width)
    {
        for (int i1 = n; i1 > 0; i1 -= Block)
        {
            int i0 = Math.Max(i1 - Block, 0);
            Gemm.Multiply(true, false, i1 - i0, width, n - i1, -1, l[Math.Min((i1 * n) + i0, l.Length)..], n,
                rows[(i1 * width)..], width, 1, rows[(i0 * width)..], width);
            for (int i = i1 - 1; i > i0; i--)
            {
                ReadOnlySpan<double> solved = rows.Slice(i * width, width);
                ReadOnlySpan<double> row = l.Slice((i * n) + i0, i - i0);
                for (int j = 0; j < row.Length; j++)
                {
                    VectorKernels.Axpy(-row[j], solved, rows.Slice((i0 + j) * width, width));
                }
            }
        }
    }

    /// <summary><c>D Z = Y</c>, block by block of <c>D</c>, the 2x2 ones as <c>dsytrs</c> solves them.</summary>
    private static void SolveDiagonal(ReadOnlySpan<double> factor, int n, ReadOnlySpan<int> pivots, Span<double> rows, int width)
    {
        int k = 0;
        while (k < n)
        {
            Span<double> bk = rows.Slice(k * width, width);
            if (pivots[k] >= 0)
            {
                double inverse = 1.0 / factor[(k * n) + k];
                for (int c = 0; c < width; c++)
                {
                    bk[c] *= inverse;
                }

                k++;
                continue;
            }

            BunchKaufmanKernel.SolveTwoByTwoPivot(factor, n, k, bk, rows.Slice((k + 1) * width, width));
            k += 2;
        }
    }
}
