using System;
using System.Runtime.CompilerServices;

namespace HessianCodegen.LinearAlgebra;

/// <summary>
/// <see cref="CholeskyKernel.Factor"/> for small orders (a pivot block of a narrow layer, a group of the low-rank route),
/// where the row-by-row Crout order is mostly the overhead of its <c>n^2 / 2</c> short dot products. Right-looking on
/// <c>U = L^T</c> in a scratch square: row <c>k</c> of <c>U</c> is final once scaled, and the rows below take
/// <see cref="Step"/> finished rows at a time as one <see cref="RankUpdate.SubtractCombination"/> each, contiguous rows
/// streaming past a target read and written once. The result, its pivot test and its storage are those of
/// <see cref="CholeskyKernel.Factor"/>: the lower triangle of <c>a</c> receives <c>L</c>; the strict upper triangle
/// is never touched (the copy Bunch-Kaufman restarts from), and on failure neither triangle is.
/// </summary>
internal static class RightLookingCholeskyKernel
{
    /// <summary>Rows of <c>U</c> finished before the rows below take them together.</summary>
    private const int Step = 8;

    /// <summary>The scratch values <see cref="Factor"/> needs: the square <c>U</c>.</summary>
    public static int WorkLength(int n) => checked(n * n);

    /// <summary>
    /// Overwrites the lower triangle of <paramref name="a"/> with <c>L</c>, <c>A = L L^T</c>, reading the lower triangle
    /// of <c>A</c>. A pivot <c>L_ii^2</c> at most <paramref name="tinyPivot"/> (or not a number) stops it.
    /// </summary>
    /// <returns>-1 on success, else the row whose pivot failed (then <paramref name="a"/> is as it was).</returns>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int Factor(Span<double> a, int n, Span<double> work, double tinyPivot, ref long flops)
    {
        if (a.Length != n * n || work.Length < WorkLength(n))
        {
            throw new ArgumentException($"A Cholesky factorization of order {n} needs {n * n} matrix values and {WorkLength(n)} of work; got {a.Length} and {work.Length}.");
        }

        // U = the lower triangle of A, transposed: row j of U is column j of A from the diagonal on.
        Span<double> u = work[..(n * n)];
        for (int i = 0; i < n; i++)
        {
            ReadOnlySpan<double> row = a.Slice(i * n, i + 1);
            for (int j = 0; j <= i; j++)
            {
                u[(j * n) + i] = row[j];
            }
        }

        Span<double> coefficients = stackalloc double[Step];
        for (int k0 = 0; k0 < n; k0 += Step)
        {
            int k1 = Math.Min(k0 + Step, n);

            // The step's own rows, one at a time: the pivot, the row scaled, the step's later rows updated.
            for (int k = k0; k < k1; k++)
            {
                double pivot = u[(k * n) + k];
                if (!(pivot > tinyPivot))
                {
                    flops += SpentBeforeFailure(n, k0, k, k1);
                    return k;
                }

                double diagonal = Math.Sqrt(pivot);
                u[(k * n) + k] = diagonal;
                Span<double> finished = u.Slice((k * n) + k + 1, n - k - 1);
                double inverse = 1.0 / diagonal;
                for (int j = 0; j < finished.Length; j++)
                {
                    finished[j] *= inverse;
                }

                for (int i = k + 1; i < k1; i++)
                {
                    VectorKernels.Axpy(-u[(k * n) + i], u.Slice((k * n) + i, n - i), u.Slice((i * n) + i, n - i));
                }
            }

            // Every later row, from its diagonal on, takes the step's rows at once.
            int count = k1 - k0;
            for (int i = k1; i < n; i++)
            {
                for (int k = 0; k < count; k++)
                {
                    coefficients[k] = u[((k0 + k) * n) + i];
                }

                RankUpdate.SubtractCombination(u.Slice((i * n) + i, n - i), coefficients[..count], u[((k0 * n) + i)..], n);
            }
        }

        // L = U^T into the lower triangle.
        for (int i = 0; i < n; i++)
        {
            Span<double> row = a.Slice(i * n, i + 1);
            for (int j = 0; j <= i; j++)
            {
                row[j] = u[(j * n) + i];
            }

            flops += (long)i * (i + 1);
        }

        return -1;
    }

    /// <summary>
    /// The flops spent before the pivot of row <paramref name="failed"/> (in the step <paramref name="k0"/> to
    /// <paramref name="k1"/>) failed, counted as on success (a multiply-add per lower-triangle entry updated): every
    /// column of the earlier steps in full, the step's own columns on the step's rows alone.
    /// </summary>
    private static long SpentBeforeFailure(int n, int k0, int failed, int k1)
    {
        long spent = 0;
        for (int column = 0; column < k0; column++)
        {
            spent += (long)(n - column - 1) * (n - column);
        }

        for (int column = k0; column < failed; column++)
        {
            for (int row = column + 1; row < k1; row++)
            {
                spent += 2L * (n - row);
            }
        }

        return spent;
    }
}
