using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace HessianCodegen.LinearAlgebra;

/// <summary>
/// <see cref="BlockedBunchKaufmanKernel"/>'s factorization (<c>dsytrf</c> with <c>dlasyf</c>, <c>uplo = 'L'</c>: the same pivot
/// rule, the same delayed updates inside a panel, the same storage of <c>L</c>, <c>D</c> and the pivots) laid out as
/// <see cref="RightLookingCholeskyKernel"/> lays out Cholesky: on <c>U = A^T</c>'s upper triangle in a scratch square padded to
/// whole tiles of 16 columns, where a column of the lower triangle is a contiguous row, and with narrow panels whose trailing
/// update goes through register tiles of four rows (<see cref="RegisterTile512"/>, <see cref="RegisterTile256"/>) instead of
/// <see cref="TriangularGemm"/>'s packed panels. At the pivot blocks' orders (272 at width 16) the row-major lower triangle made
/// every column read and written a line per value, and the panel of 64 columns spent a third of the flops in one <c>Axpy</c>
/// per earlier column.
/// </summary>
internal static class RightLookingBunchKaufmanKernel
{
    /// <summary>Panel width: at most this many columns (one fewer unless the last pivot is 2x2) before the trailing update.</summary>
    public const int DefaultPanel = 16;

    /// <summary>
    /// The work values <see cref="Factor"/> needs: the padded square (rows of <see cref="RightLookingCholeskyKernel.Stride"/>) and
    /// the panel's <c>W</c> and <c>L</c>.
    /// </summary>
    public static int WorkLength(int n, int panel = DefaultPanel)
    {
        int s = RightLookingCholeskyKernel.Stride(n);
        return checked((s * s) + (2 * panel * s));
    }

    /// <summary>
    /// Overwrites the lower triangle of <paramref name="a"/> with <c>L</c> and <c>D</c> as <see cref="BunchKaufmanKernel.Factor"/>
    /// does, with the trailing updates' tiles of <paramref name="vectorBits"/> (512, 256, or 0 for plain loops) and
    /// panels of <paramref name="panel"/> columns; <paramref name="upperMirrorsLower"/> says the strict upper triangle is the lower
    /// one's exact mirror, so that the square is filled by copying rows, or, where the order is a multiple of 16, not filled at
    /// all: <paramref name="a"/>'s upper triangle is then <c>U</c>, and what it holds afterwards (or after a failure, either
    /// triangle) is scratch. Given <paramref name="factor"/> (<c>n x n</c>), <c>L</c> and <c>D</c> go to its lower triangle instead, and
    /// <paramref name="a"/> is scratch afterwards (the factor's storage, written once: no copy of <paramref name="a"/>'s triangle
    /// there); on a failure <paramref name="factor"/> is not written.
    /// </summary>
    /// <returns>-1 on success, else the column where no acceptable pivot was found.</returns>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static int Factor(Span<double> a, int n, Span<int> pivots, Span<double> work, double tinyPivot, ref long flops,
        int vectorBits, int panel, bool upperMirrorsLower, Span<double> factor = default)
    {
        if (panel < 4)
        {
            // Its update's first tile of four rows may reach three rows above the panel's end: rows of this panel, not of one before.
            throw new ArgumentOutOfRangeException(nameof(panel), panel, "A panel needs at least four columns (the update's tiles of four rows).");
        }

        if (n < 0 || a.Length != n * n || pivots.Length != n || work.Length < WorkLength(n, panel))
        {
            throw new ArgumentException($"Bunch-Kaufman of order {n} needs {n * n} matrix values, {n} pivots and " +
                $"{WorkLength(n, panel)} of work; got {a.Length}, {pivots.Length} and {work.Length}.");
        }

        if (factor.IsEmpty)
        {
            factor = a;
        }
        else if (factor.Length != n * n)
        {
            throw new ArgumentException($"The factor of a Bunch-Kaufman of order {n} takes {n * n} values; got {factor.Length}.", nameof(factor));
        }

        VectorWidth.Validate(vectorBits);

        // A mirrored matrix whose rows are whole tiles (order 272 at width 16) is its own U: no copy into the square.
        bool inPlace = upperMirrorsLower && n % 16 == 0;
        int padded = RightLookingCholeskyKernel.Stride(n);
        int s = inPlace ? n : padded;
        Span<double> u = inPlace ? a : work[..(s * s)];
        Span<double> w = work.Slice(padded * padded, panel * s);
        Span<double> l = work.Slice((padded * padded) + (panel * s), panel * s);
        if (!inPlace && upperMirrorsLower)
        {
            RightLookingCholeskyKernel.FillFromRows(a, n, u, s);
        }
        else if (!inPlace)
        {
            RightLookingCholeskyKernel.FillSymmetric(a, n, u, s);
        }

        // The tiles read the panel's rows up to the padded end: finite values there, whatever the work held.
        w.Clear();
        l.Clear();
        int k = 0;
        while (k < n)
        {
            k += Panel(u, s, n, k, panel, pivots, w, l, tinyPivot, ref flops, vectorBits, out int failed);
            if (failed >= 0)
            {
                return failed;
            }
        }

        RightLookingCholeskyKernel.CopyTransposedLower(ref MemoryMarshal.GetReference(u), s, ref MemoryMarshal.GetReference(factor), n, vectorBits);
        return -1;
    }

    /// <summary>
    /// <c>dlasyf</c> on <c>U</c>: factors columns from <paramref name="k0"/> on, at most <c>nb - 1</c> (or <c>nb</c> when the last
    /// pivot is 2x2), then updates the trailing triangle and writes the panel's columns of <c>L</c> into their rows of <c>U</c>.
    /// Row <c>c</c> of <paramref name="w"/> and <paramref name="l"/> holds the panel's <c>c</c>-th column of <c>W = L D</c> and of
    /// <c>L</c>, indexed by row of <c>A</c>.
    /// </summary>
    /// <returns>The number of columns factored (0 when <paramref name="failed"/> is set).</returns>
    private static int Panel(Span<double> u, int s, int n, int k0, int nb, Span<int> pivots, Span<double> w, Span<double> l,
        double tinyPivot, ref long flops, int vectorBits, out int failed)
    {
        failed = -1;
        int k = k0;
        while (k < n && k - k0 < nb - 1)
        {
            int rel = k - k0;
            int length = n - k;

            // Column k of A (row k of U), brought up to date with the panel so far: W(k:n, k) -= L(k:n, panel) W(k, panel)^T.
            Span<double> wk = w.Slice(rel * s, s);
            u.Slice((k * s) + k, length).CopyTo(wk[k..]);
            UpdateColumn(wk, k, n, w, l, s, k, rel, vectorBits);

            flops += 2L * rel * length;
            double absakk = Math.Abs(wk[k]);
            (int imax, double colmax) = LargestMagnitude(wk, k + 1, n, k, vectorBits);

            if (!(Math.Max(absakk, colmax) > tinyPivot))
            {
                failed = k;
                return 0;
            }

            int kstep = 1;
            int kp = k;
            if (!BunchKaufmanKernel.DiagonalSuffices(absakk, colmax))
            {
                // Column imax, brought up to date, into the next row of W: above the diagonal it is U's column imax.
                Span<double> wk1 = w.Slice((rel + 1) * s, s);
                for (int j = k; j < imax; j++)
                {
                    wk1[j] = u[(j * s) + imax];
                }

                u.Slice((imax * s) + imax, n - imax).CopyTo(wk1[imax..]);
                UpdateColumn(wk1, k, n, w, l, s, imax, rel, vectorBits);

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
                // The not yet updated column kk moves to kp (column kk itself becomes L's); the rows of the panel's L and W so
                // far are interchanged too. In U: row kk's entries right of kp go to row kp, those between to column kp.
                u[(kp * s) + kp] = u[(kk * s) + kk];
                for (int j = kk + 1; j < kp; j++)
                {
                    u[(j * s) + kp] = u[(kk * s) + j];
                }

                u.Slice((kk * s) + kp + 1, n - kp - 1).CopyTo(u.Slice((kp * s) + kp + 1, n - kp - 1));
                BunchKaufmanKernel.SwapPanelRows(l, w, s, rel, k0, kk, kp);
            }

            Span<double> lk = l.Slice(rel * s, s);
            if (kstep == 1)
            {
                double pivot = wk[k];
                if (!(Math.Abs(pivot) > tinyPivot))
                {
                    failed = k;
                    return 0;
                }

                lk[k] = pivot;
                ScaleInto(wk, lk, k + 1, n, 1.0 / pivot, vectorBits);

                pivots[k] = kp;
            }
            else
            {
                Span<double> wk1 = w.Slice((rel + 1) * s, s);
                Span<double> lk1 = l.Slice((rel + 1) * s, s);
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

        int columns = k - k0;
        if (k < n)
        {
            UpdateTrailingTriangle(u, s, n, k, columns, w, l, vectorBits);
            flops += (long)(n - k) * (n - k + 1) * columns;
        }

        // dsytf2 applies an interchange to the trailing matrix only: the panel's L as the unblocked kernel stores it.
        BunchKaufmanKernel.UndoPanelInterchanges(l, s, k0, k, pivots);

        // The panel's columns of L (and D) into their rows of U, after the update, whose tiles ran over these rows too.
        for (int c = 0; c < columns; c++)
        {
            int target = k0 + c;
            l.Slice((c * s) + target, n - target).CopyTo(u.Slice((target * s) + target, n - target));
        }

        return columns;
    }

    /// <summary>
    /// The largest <c>|x[i]|</c> over whole vectors from <paramref name="i"/> on (left past them), each lane keeping its largest
    /// by comparisons (a NaN never replaces), then the lanes' largest: <see cref="LargestMagnitude"/>'s vector part at either width.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double LargestInVectors<TLanes, TVector>(ref double start, ref int i, int to)
        where TLanes : ILaneVector<TVector>
        where TVector : struct
    {
        TVector best = TLanes.Broadcast(0);
        for (; i + TLanes.Count <= to; i += TLanes.Count)
        {
            best = TLanes.WhereGreater(TLanes.Abs(TLanes.Load(ref Unsafe.Add(ref start, i))), best);
        }

        double largest = 0;
        for (int lane = 0; lane < TLanes.Count; lane++)
        {
            double value = TLanes.Element(best, lane);
            largest = value > largest ? value : largest;
        }

        return largest;
    }

    /// <summary>
    /// The first index in <paramref name="from"/> &lt;= i &lt; <paramref name="to"/> of the largest <c>|x[i]|</c> and that magnitude, as
    /// the scalar loop <c>if (|x[i]| &gt; largest) { largest = |x[i]|; index = i; }</c> from <c>(none, 0)</c> finds them (<c>idamax</c>;
    /// a NaN never compares greater, so it is passed over): the largest by comparisons in vectors, then the first entry equal to it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (int Index, double Largest) LargestMagnitude(ReadOnlySpan<double> x, int from, int to, int none, int vectorBits)
    {
        ref double start = ref MemoryMarshal.GetReference(x);
        double largest = 0;
        int i = from;
        if (vectorBits == 512 && to - from >= 2 * Lanes512.Count)
        {
            largest = LargestInVectors<Lanes512, Vector512<double>>(ref start, ref i, to);
        }
        else if (vectorBits == 256 && to - from >= 2 * Lanes256.Count)
        {
            largest = LargestInVectors<Lanes256, Vector256<double>>(ref start, ref i, to);
        }

        for (; i < to; i++)
        {
            double candidate = Math.Abs(Unsafe.Add(ref start, i));
            largest = candidate > largest ? candidate : largest;
        }

        if (!(largest > 0))
        {
            return (none, 0);
        }

        for (int j = from; ; j++)
        {
            if (Math.Abs(Unsafe.Add(ref start, j)) == largest)
            {
                return (j, largest);
            }
        }
    }

    /// <summary><c>target[i] = source[i] * factor</c> for <paramref name="from"/> &lt;= i &lt; <paramref name="to"/>, in vectors.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ScaleInto(ReadOnlySpan<double> source, Span<double> target, int from, int to, double factor, int vectorBits)
    {
        ref double sourceStart = ref MemoryMarshal.GetReference(source);
        ref double targetStart = ref MemoryMarshal.GetReference(target);
        int i = from;
        if (vectorBits == 512)
        {
            var scale = Vector512.Create(factor);
            for (; i + 8 <= to; i += 8)
            {
                (Vector512.LoadUnsafe(ref sourceStart, (nuint)i) * scale).StoreUnsafe(ref targetStart, (nuint)i);
            }
        }
        else if (vectorBits == 256)
        {
            var scale = Vector256.Create(factor);
            for (; i + 4 <= to; i += 4)
            {
                (Vector256.LoadUnsafe(ref sourceStart, (nuint)i) * scale).StoreUnsafe(ref targetStart, (nuint)i);
            }
        }

        for (; i < to; i++)
        {
            Unsafe.Add(ref targetStart, i) = Unsafe.Add(ref sourceStart, i) * factor;
        }
    }

    /// <summary>
    /// <c>column[i] -= sum_c W(row, c) L(i, c)</c> for <paramref name="from"/> &lt;= i &lt; <paramref name="to"/>, the panel's
    /// columns <c>c &lt; count</c> in order, each a fused multiply-add (without hardware FMA, where no vectors run, a product and a
    /// difference): one pass over the column with the terms in registers, where
    /// an <c>Axpy</c> per column loaded and stored it <paramref name="count"/> times (the panel's <c>dgemv</c>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void UpdateColumn(Span<double> column, int from, int to, ReadOnlySpan<double> w, ReadOnlySpan<double> l,
        int s, int row, int count, int vectorBits)
    {
        if (count == 0)
        {
            return;
        }

        ref double target = ref MemoryMarshal.GetReference(column);
        ref double lStart = ref MemoryMarshal.GetReference(l);
        ref double wRow = ref Unsafe.Add(ref MemoryMarshal.GetReference(w), row);
        int i = from;
        if (vectorBits == 512)
        {
            for (; i + 8 <= to; i += 8)
            {
                Vector512<double> sum = Vector512.LoadUnsafe(ref target, (nuint)i);
                for (int c = 0; c < count; c++)
                {
                    sum = Vector512.FusedMultiplyAdd(Vector512.Create(-Unsafe.Add(ref wRow, c * s)), Vector512.LoadUnsafe(ref lStart, (nuint)((c * s) + i)), sum);
                }

                sum.StoreUnsafe(ref target, (nuint)i);
            }
        }
        else if (vectorBits == 256)
        {
            for (; i + 4 <= to; i += 4)
            {
                Vector256<double> sum = Vector256.LoadUnsafe(ref target, (nuint)i);
                for (int c = 0; c < count; c++)
                {
                    sum = Vector256.FusedMultiplyAdd(Vector256.Create(-Unsafe.Add(ref wRow, c * s)), Vector256.LoadUnsafe(ref lStart, (nuint)((c * s) + i)), sum);
                }

                sum.StoreUnsafe(ref target, (nuint)i);
            }
        }

        // The rest (and the plain path) fused where the hardware fuses, as the vectors; else a product and a difference, since
        // Math.FusedMultiplyAdd without FMA is a software call per term (VectorWidth's rule, as in RightLookingCholeskyKernel).
        bool fused = VectorWidth.FusedVectorT;
        for (; i < to; i++)
        {
            double sum = Unsafe.Add(ref target, i);
            for (int c = 0; c < count; c++)
            {
                double weight = Unsafe.Add(ref wRow, c * s);
                double value = Unsafe.Add(ref lStart, (c * s) + i);
                sum = fused ? Math.FusedMultiplyAdd(-weight, value, sum) : sum - (weight * value);
            }

            Unsafe.Add(ref target, i) = sum;
        }
    }

    /// <summary>
    /// <c>U[i, j] -= sum_c W(i, c) L(j, c)</c> for <c>start &lt;= i &lt;= j &lt; n</c>: <c>dlasyf</c>'s <c>A22 -= L21 W21^T</c> on the
    /// trailing triangle, each row's coefficients from <c>W</c> and its vectors from <c>L</c>. A tile takes four rows from the
    /// multiple of four at or before <paramref name="start"/> (a panel has at least three columns before it) and the vector-aligned
    /// column at or before the first one's diagonal to the padded end, so it also updates entries left of a row's diagonal, the
    /// panel's own rows above <paramref name="start"/> (written over next) and the padding: none of them is kept, and each kept entry's update reads only its own row's coefficients and
    /// its own column.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void UpdateTrailingTriangle(Span<double> u, int s, int n, int start, int count, ReadOnlySpan<double> w, ReadOnlySpan<double> l,
        int vectorBits)
    {
        ref double uStart = ref MemoryMarshal.GetReference(u);
        ref double wStart = ref MemoryMarshal.GetReference(w);
        ref double lStart = ref MemoryMarshal.GetReference(l);
        if (vectorBits == 0)
        {
            for (int i = start; i < n; i++)
            {
                ref double rowI = ref Unsafe.Add(ref uStart, i * s);
                for (int c = 0; c < count; c++)
                {
                    double weight = Unsafe.Add(ref wStart, (c * s) + i);
                    ref double lc = ref Unsafe.Add(ref lStart, c * s);
                    for (int j = i; j < n; j++)
                    {
                        Unsafe.Add(ref rowI, j) -= weight * Unsafe.Add(ref lc, j);
                    }
                }
            }

            return;
        }

        int lanes = vectorBits / 64;
        for (int i = start & ~3; i < n; i += 4)
        {
            RightLookingCholeskyKernel.SubtractFourRowTiles(ref Unsafe.Add(ref uStart, i * s), ref lStart, ref Unsafe.Add(ref wStart, i),
                s, i & ~((2 * lanes) - 1), count, vectorBits);
        }
    }
}
