using System;
using System.Runtime.CompilerServices;

namespace HessianCodegen.LinearAlgebra;

/// <summary>
/// The blocked form of <see cref="BunchKaufmanKernel.Factor"/>, like LAPACK <c>dsytrf</c> with <c>dlasyf</c>
/// (<c>uplo = 'L'</c>): a panel of columns is factored with its updates delayed (each column is brought
/// up to date from the panel's <c>L</c> and <c>W = L D</c> when it is reached), then the trailing lower
/// triangle takes the whole panel at once, <c>A22 -= L21 W^T</c>, through <see cref="TriangularGemm"/>. The unblocked kernel streams the whole trailing matrix once per column; this one once
/// per panel. Pivots, storage and the singularity test are those of <see cref="BunchKaufmanKernel"/>,
/// so its <c>Solve</c> and <c>Inertia</c> read the result.
/// </summary>
internal static class BlockedBunchKaufmanKernel
{
    /// <summary>Panel width: <c>W</c> and the panel's <c>L</c> (2 x 64 columns) stay in the L2 cache per column tile.</summary>
    public const int DefaultBlockSize = 64;

    /// <summary>The work values <see cref="Factor"/> needs for a matrix of order <paramref name="n"/>.</summary>
    public static int WorkLength(int n, int blockSize = DefaultBlockSize) => checked((2 * blockSize * n) + (2 * n));

    /// <summary>
    /// Overwrites the lower triangle of <paramref name="a"/> with <c>L</c> and <c>D</c> as
    /// <see cref="BunchKaufmanKernel.Factor"/> does; panels of <paramref name="blockSize"/> columns
    /// until at most that many are left, then the unblocked kernel.
    /// </summary>
    /// <returns>-1 on success, else the column where no acceptable pivot was found.</returns>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int Factor(Span<double> a, int n, Span<int> pivots, Span<double> work, double tinyPivot, ref long flops,
        int blockSize = DefaultBlockSize)
    {
        if (blockSize < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(blockSize), blockSize, "A panel needs at least two columns (a 2x2 pivot).");
        }

        if (a.Length != n * n || pivots.Length != n || work.Length < WorkLength(n, blockSize))
        {
            throw new ArgumentException($"Blocked Bunch-Kaufman of order {n} needs {n * n} matrix values, {n} pivots and " +
                $"{WorkLength(n, blockSize)} of work; got {a.Length}, {pivots.Length} and {work.Length}.");
        }

        Span<double> w = work[..(blockSize * n)];
        Span<double> l = work.Slice(blockSize * n, blockSize * n);
        int k = 0;
        while (n - k > blockSize)
        {
            int factored = Panel(a, n, k, blockSize, pivots, w, l, tinyPivot, ref flops, out int failed);
            if (failed >= 0)
            {
                return failed;
            }

            k += factored;
        }

        return BunchKaufmanKernel.FactorTrailing(a, n, k, pivots, work[..(2 * n)], tinyPivot, ref flops);
    }

    /// <summary>
    /// <c>dlasyf</c>: factors columns from <paramref name="k0"/> on, at most <c>nb - 1</c> (or <c>nb</c> when the
    /// last pivot is 2x2), and updates the trailing matrix. Column <c>c</c> of the panel keeps <c>W</c> in
    /// <c>w[c n ..]</c> and <c>L</c> in <c>l[c n ..]</c>, indexed by row, so every column operation is contiguous.
    /// </summary>
    /// <returns>The number of columns factored.</returns>
    private static int Panel(Span<double> a, int n, int k0, int nb, Span<int> pivots, Span<double> w, Span<double> l,
        double tinyPivot, ref long flops, out int failed)
    {
        failed = -1;
        int k = k0;
        while (k < n && k - k0 < nb - 1)
        {
            int rel = k - k0;
            int length = n - k;

            // Column k of A, brought up to date with the panel so far: W(k:n, k) -= L(k:n, panel) W(k, panel)^T.
            Span<double> wk = w.Slice(rel * n, n);
            for (int i = k; i < n; i++)
            {
                wk[i] = a[(i * n) + k];
            }

            for (int c = 0; c < rel; c++)
            {
                VectorKernels.Axpy(-w[(c * n) + k], l.Slice((c * n) + k, length), wk.Slice(k, length));
            }

            flops += 2L * rel * length;
            double absakk = Math.Abs(wk[k]);
            int imax = k;
            double colmax = 0;
            for (int i = k + 1; i < n; i++)
            {
                double candidate = Math.Abs(wk[i]);
                if (candidate > colmax)
                {
                    colmax = candidate;
                    imax = i;
                }
            }

            if (!(Math.Max(absakk, colmax) > tinyPivot))
            {
                failed = k;
                return 0;
            }

            int kstep = 1;
            int kp = k;
            if (!BunchKaufmanKernel.DiagonalSuffices(absakk, colmax))
            {
                // Column imax, brought up to date, into the next column of W.
                Span<double> wk1 = w.Slice((rel + 1) * n, n);
                for (int j = k; j < imax; j++)
                {
                    wk1[j] = a[(imax * n) + j];
                }

                for (int i = imax; i < n; i++)
                {
                    wk1[i] = a[(i * n) + imax];
                }

                for (int c = 0; c < rel; c++)
                {
                    VectorKernels.Axpy(-w[(c * n) + imax], l.Slice((c * n) + k, length), wk1.Slice(k, length));
                }

                flops += 2L * rel * length;
                double rowmax = BunchKaufmanKernel.LargestOffDiagonal(wk1, k, n, imax);
                (kp, kstep) = BunchKaufmanKernel.ChoosePivot(k, imax, absakk, colmax, rowmax, Math.Abs(wk1[imax]));
                if (kp == imax && kstep == 1)
                {
                    // A 1x1 pivot on imax: its updated column is W's column k.
                    wk1.Slice(k, length).CopyTo(wk.Slice(k, length));
                }
            }

            int kk = k + kstep - 1;
            if (kp != kk)
            {
                // The not yet updated column kk moves to kp (column kk itself becomes L's); the rows of the
                // panel's L and W so far are interchanged too.
                a[(kp * n) + kp] = a[(kk * n) + kk];
                for (int j = kk + 1; j < kp; j++)
                {
                    a[(kp * n) + j] = a[(j * n) + kk];
                }

                for (int i = kp + 1; i < n; i++)
                {
                    a[(i * n) + kp] = a[(i * n) + kk];
                }

                BunchKaufmanKernel.SwapPanelRows(l, w, n, rel, k0, kk, kp);
            }

            Span<double> lk = l.Slice(rel * n, n);
            if (kstep == 1)
            {
                double pivot = wk[k];
                if (!(Math.Abs(pivot) > tinyPivot))
                {
                    failed = k;
                    return 0;
                }

                lk[k] = pivot;
                double inverse = 1.0 / pivot;
                for (int i = k + 1; i < n; i++)
                {
                    lk[i] = wk[i] * inverse;
                }

                pivots[k] = kp;
            }
            else
            {
                Span<double> wk1 = w.Slice((rel + 1) * n, n);
                Span<double> lk1 = l.Slice((rel + 1) * n, n);
                if (!BunchKaufmanKernel.StoreTwoByTwoColumns(wk, wk1, lk, lk1, k, n, tinyPivot))
                {
                    failed = k;
                    return 0;
                }

                pivots[k] = -(kp + 1);
                pivots[k + 1] = -(kp + 1);
            }

            k += kstep;
        }

        int panel = k - k0;
        flops += TrailingUpdate(a, n, k, panel, w, l);

        // dsytf2 applies an interchange to the trailing matrix only: the panel's L as the unblocked kernel stores it.
        BunchKaufmanKernel.UndoPanelInterchanges(l, n, k0, k, pivots);

        for (int c = 0; c < panel; c++)
        {
            int target = k0 + c;
            ReadOnlySpan<double> source = l.Slice(c * n, n);
            for (int i = target; i < n; i++)
            {
                a[(i * n) + target] = source[i];
            }
        }

        return panel;
    }

    /// <summary>
    /// <c>A(i, j) -= sum_c L(i, c) W(j, c)</c> for <c>start &lt;= j &lt;= i</c>: <c>A22 -= L21 W21^T</c> on the lower
    /// triangle of the trailing matrix, through <see cref="TriangularGemm"/> (the panel's <c>L</c> and <c>W</c> are
    /// stored by column, so both enter transposed).
    /// </summary>
    private static long TrailingUpdate(Span<double> a, int n, int start, int panel, ReadOnlySpan<double> w, ReadOnlySpan<double> l)
    {
        int order = n - start;
        TriangularGemm.Multiply(false, true, false, order, panel, -1, l[start..], n, w[start..], n, 1, a[((start * n) + start)..], n);
        return (long)order * (order + 1) * panel;
    }
}
