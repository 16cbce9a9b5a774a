using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace HessianCodegen.LinearAlgebra;

/// <summary>
/// Symmetric indefinite factorization <c>A = L D L^T</c> with Bunch-Kaufman diagonal pivoting
/// (<c>D</c> has 1x1 and 2x2 diagonal blocks, <c>L</c> is unit lower triangular times interchanges),
/// on a dense row-major <c>n x n</c> span whose lower triangle holds <c>A</c>. The storage of the factors
/// and of the pivots is LAPACK's (<c>uplo = 'L'</c>) with 0-based indices: <c>pivots[k] = kp >= 0</c> for a
/// 1x1 block that interchanged rows <c>k</c> and <c>kp</c>; <c>pivots[k] = pivots[k+1] = -(kp + 1)</c> for a 2x2
/// block at <c>k, k+1</c> that interchanged rows <c>k + 1</c> and <c>kp</c>.
/// </summary>
internal static class BunchKaufmanKernel
{
    /// <summary>Columns of the right-hand sides solved together: a tile of 128 columns of a pivot block's 600 rows is 600 KB.</summary>
    private const int ColumnTile = 128;

    /// <summary>Bunch and Kaufman's bound <c>(1 + sqrt(17)) / 8</c>, which minimizes the element growth.</summary>
    internal static readonly double Alpha = (1.0 + Math.Sqrt(17.0)) / 8.0;

    /// <summary>The scratch values <see cref="Factor"/> needs at order <paramref name="n"/>: two columns.</summary>
    public static int WorkLength(int n) => checked(2 * n);

    /// <summary>
    /// Overwrites the lower triangle of <paramref name="a"/> with <c>L</c> and <c>D</c>, like LAPACK
    /// <c>dsytf2</c> (<c>uplo = 'L'</c>). Where LAPACK stops only at an exact zero, a 1x1 pivot or the
    /// off-diagonal of a 2x2 pivot of magnitude at most <paramref name="tinyPivot"/> (or not a number)
    /// stops this one: the matrix is singular to working precision.
    /// </summary>
    /// The scratch <paramref name="work"/> holds at least <see cref="WorkLength"/> values.
    /// <returns>-1 on success, else the column where no acceptable pivot was found.</returns>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int Factor(Span<double> a, int n, Span<int> pivots, Span<double> work, double tinyPivot, ref long flops) =>
        FactorTrailing(a, n, 0, pivots, work, tinyPivot, ref flops);

    /// <summary>
    /// <see cref="Factor"/> of the trailing matrix from row and column <paramref name="start"/> on, the columns
    /// before it already factored (how <c>dsytrf</c> finishes with <c>dsytf2</c> after its last full panel).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int FactorTrailing(Span<double> a, int n, int start, Span<int> pivots, Span<double> work, double tinyPivot, ref long flops)
    {
        if (a.Length != n * n || pivots.Length != n || work.Length < WorkLength(n) || start < 0 || start > n)
        {
            throw new ArgumentException($"Bunch-Kaufman of order {n} from column {start} needs {n * n} matrix values, {n} pivots and {WorkLength(n)} of work; " +
                $"got {a.Length}, {pivots.Length} and {work.Length}.");
        }

        int k = start;
        while (k < n)
        {
            double absakk = Math.Abs(a[(k * n) + k]);
            int imax = k;
            double colmax = 0;
            for (int i = k + 1; i < n; i++)
            {
                double candidate = Math.Abs(a[(i * n) + k]);
                if (candidate > colmax)
                {
                    colmax = candidate;
                    imax = i;
                }
            }

            if (!(Math.Max(absakk, colmax) > tinyPivot))
            {
                return k;
            }

            int kstep = 1;
            int kp = k;
            if (!DiagonalSuffices(absakk, colmax))
            {
                // The largest off-diagonal magnitude in row (and column) imax of the trailing matrix.
                double rowmax = 0;
                for (int j = k; j < imax; j++)
                {
                    rowmax = Math.Max(rowmax, Math.Abs(a[(imax * n) + j]));
                }

                for (int i = imax + 1; i < n; i++)
                {
                    rowmax = Math.Max(rowmax, Math.Abs(a[(i * n) + imax]));
                }

                (kp, kstep) = ChoosePivot(k, imax, absakk, colmax, rowmax, Math.Abs(a[(imax * n) + imax]));
            }

            int kk = k + kstep - 1;
            if (kp != kk)
            {
                Interchange(a, n, k, kk, kp, kstep);
            }

            if (kstep == 1)
            {
                double pivot = a[(k * n) + k];
                if (!(Math.Abs(pivot) > tinyPivot))
                {
                    return k;
                }

                // A22 -= x x^T / d (lower triangle, row by row), then the column becomes L's: x / d.
                Span<double> x = work[..n];
                for (int i = k + 1; i < n; i++)
                {
                    x[i] = a[(i * n) + k];
                }

                double inverse = 1.0 / pivot;
                for (int i = k + 1; i < n; i++)
                {
                    VectorKernels.AxpyUnchecked(-x[i] * inverse, ref x[k + 1], ref a[(i * n) + k + 1], i - k);
                    a[(i * n) + k] = x[i] * inverse;
                }

                flops += (long)(n - k - 1) * (n - k);
            }
            else
            {
                double d21 = a[((k + 1) * n) + k];
                if (!(Math.Abs(d21) > tinyPivot))
                {
                    return k;
                }

                // dsytf2's 2x2 update: (wk, wkp1) = (columns k, k+1) D^-1, A22 -= [ck ck1] (wk wkp1)^T.
                (double d11, double d22, double scaled) = TwoByTwoInverse(a[(k * n) + k], d21, a[((k + 1) * n) + k + 1]);
                Span<double> wk = work[..n];
                Span<double> wkp1 = work[n..(2 * n)];
                for (int j = k + 2; j < n; j++)
                {
                    double ck = a[(j * n) + k];
                    double ck1 = a[(j * n) + k + 1];
                    wk[j] = scaled * ((d11 * ck) - ck1);
                    wkp1[j] = scaled * ((d22 * ck1) - ck);
                }

                for (int i = k + 2; i < n; i++)
                {
                    ref double row = ref a[(i * n) + k + 2];
                    VectorKernels.AxpyUnchecked(-a[(i * n) + k], ref wk[k + 2], ref row, i - k - 1);
                    VectorKernels.AxpyUnchecked(-a[(i * n) + k + 1], ref wkp1[k + 2], ref row, i - k - 1);
                }

                for (int j = k + 2; j < n; j++)
                {
                    a[(j * n) + k] = wk[j];
                    a[(j * n) + k + 1] = wkp1[j];
                }

                flops += 2L * (n - k - 2) * (n - k - 1);
            }

            if (kstep == 1)
            {
                pivots[k] = kp;
            }
            else
            {
                pivots[k] = -(kp + 1);
                pivots[k + 1] = -(kp + 1);
            }

            k += kstep;
        }

        return -1;
    }

    /// <summary>
    /// <c>dsytf2</c>'s first test, shared by the unblocked and the panel kernels: column <c>k</c>'s diagonal magnitude
    /// <paramref name="absakk"/> is pivot enough against its largest off-diagonal one <paramref name="colmax"/>; else
    /// <see cref="ChoosePivot"/> decides with row <c>imax</c>'s.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool DiagonalSuffices(double absakk, double colmax) => absakk >= Alpha * colmax;

    /// <summary>
    /// <c>dsytf2</c>'s pivot once the diagonal did not suffice (<see cref="DiagonalSuffices"/>): with <paramref name="rowmax"/>
    /// the largest off-diagonal magnitude of row <paramref name="imax"/> (the row of <paramref name="colmax"/>) in the trailing
    /// matrix and <paramref name="absImaxDiagonal"/> its diagonal magnitude, column <paramref name="k"/> after all, a 1x1 pivot
    /// on <paramref name="imax"/>, or a 2x2 one on <c>k, imax</c> (<c>Kstep</c> 2).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static (int Kp, int Kstep) ChoosePivot(int k, int imax, double absakk, double colmax, double rowmax, double absImaxDiagonal) =>
        absakk >= Alpha * colmax * (colmax / rowmax) ? (k, 1)
            : absImaxDiagonal >= Alpha * rowmax ? (imax, 1)
            : (imax, 2);

    /// <summary>
    /// The 2x2 pivot's <c>D^-1</c> as <c>dsytf2</c> and <c>dlasyf</c> write it to save flops, from <c>D</c>'s entries
    /// <paramref name="dkk"/>, <paramref name="d21"/> (off the diagonal, not zero) and <paramref name="dk1k1"/>: the columns
    /// <c>(x, y)</c> become <c>Scaled (D11 x - y, D22 y - x)</c>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static (double D11, double D22, double Scaled) TwoByTwoInverse(double dkk, double d21, double dk1k1)
    {
        double d11 = dk1k1 / d21;
        double d22 = dkk / d21;
        double t = 1.0 / ((d11 * d22) - 1.0);
        return (d11, d22, t / d21);
    }

    /// <summary>
    /// A panel kernel's interchange of rows <paramref name="kk"/> and <paramref name="kp"/> in the panel's columns so far (column
    /// <c>c</c> at <c>c * stride</c>, indexed by row): <paramref name="l"/>'s first <paramref name="rel"/> columns, and
    /// <paramref name="w"/>'s columns up to <c>kk - k0</c> (the current ones included).
    /// </summary>
    internal static void SwapPanelRows(Span<double> l, Span<double> w, int stride, int rel, int k0, int kk, int kp)
    {
        for (int c = 0; c < rel; c++)
        {
            (l[(c * stride) + kk], l[(c * stride) + kp]) = (l[(c * stride) + kp], l[(c * stride) + kk]);
        }

        for (int c = 0; c <= kk - k0; c++)
        {
            (w[(c * stride) + kk], w[(c * stride) + kp]) = (w[(c * stride) + kp], w[(c * stride) + kk]);
        }
    }

    /// <summary>
    /// <c>dlasyf</c>'s <c>rowmax</c> in a panel kernel: the largest magnitude of the updated column <paramref name="column"/>
    /// (indexed by row) over rows <paramref name="k"/> to <c>n - 1</c>, row <paramref name="imax"/> (its diagonal) left out.
    /// </summary>
    internal static double LargestOffDiagonal(ReadOnlySpan<double> column, int k, int n, int imax)
    {
        double rowmax = 0;
        for (int j = k; j < n; j++)
        {
            if (j != imax)
            {
                rowmax = Math.Max(rowmax, Math.Abs(column[j]));
            }
        }

        return rowmax;
    }

    /// <summary>
    /// A panel kernel's 2x2 pivot at columns <paramref name="k"/> and <c>k + 1</c> (<see cref="BlockedBunchKaufmanKernel"/>,
    /// <see cref="RightLookingBunchKaufmanKernel"/>): from the panel's updated columns <paramref name="wk"/> and <paramref name="wk1"/>
    /// (indexed by row), <c>(L(k) L(k+1)) = (W(k) W(k+1)) D^-1</c> below the pivot, written as <c>dlasyf</c> does to save flops,
    /// and <c>D</c> itself on and below the diagonal, into <paramref name="lk"/> and <paramref name="lk1"/>.
    /// </summary>
    /// <returns>False, writing nothing, where <c>|D21|</c> is not above <paramref name="tinyPivot"/>: the pivot is singular.</returns>
    internal static bool StoreTwoByTwoColumns(ReadOnlySpan<double> wk, ReadOnlySpan<double> wk1, Span<double> lk, Span<double> lk1, int k, int n, double tinyPivot)
    {
        double d21 = wk[k + 1];
        if (!(Math.Abs(d21) > tinyPivot))
        {
            return false;
        }

        (double d11, double d22, double scaled) = TwoByTwoInverse(wk[k], d21, wk1[k + 1]);
        for (int j = k + 2; j < n; j++)
        {
            lk[j] = scaled * ((d11 * wk[j]) - wk1[j]);
            lk1[j] = scaled * ((d22 * wk1[j]) - wk[j]);
        }

        lk[k] = wk[k];
        lk[k + 1] = d21;
        lk1[k + 1] = wk1[k + 1];
        return true;
    }

    /// <summary>
    /// <c>dsytf2</c> applies an interchange to the trailing matrix only: the panel kernels (<see cref="BlockedBunchKaufmanKernel"/>,
    /// <see cref="RightLookingBunchKaufmanKernel"/>) undo, in the panel's <c>L</c> (column <c>c</c> at <c>c * stride</c> in
    /// <paramref name="l"/>, indexed by row), the interchanges of the panel's later columns <paramref name="k0"/> to
    /// <c>k - 1</c>, so that their storage is this kernel's.
    /// </summary>
    internal static void UndoPanelInterchanges(Span<double> l, int stride, int k0, int k, ReadOnlySpan<int> pivots)
    {
        int column = k - 1;
        while (column > k0)
        {
            int jj = column;
            int jp = pivots[column];
            if (jp < 0)
            {
                jp = -jp - 1;
                column--;
            }

            column--;
            if (jp != jj && column >= k0)
            {
                for (int c = 0; c <= column - k0; c++)
                {
                    (l[(c * stride) + jj], l[(c * stride) + jp]) = (l[(c * stride) + jp], l[(c * stride) + jj]);
                }
            }
        }
    }

    /// <summary>
    /// Solves <c>A Z = B</c> in place for the <c>n</c> rows of <paramref name="rows"/>, each
    /// <paramref name="width"/> values wide, like LAPACK <c>dsytrs</c> (<c>uplo = 'L'</c>).
    /// </summary>
    public static void Solve(ReadOnlySpan<double> factor, int n, ReadOnlySpan<int> pivots, Span<double> rows, int width) =>
        SolveParts(factor, n, pivots, rows, width, lower: true, diagonal: true, upper: true);

    /// <summary>
    /// <c>B = L^-1 P^T B</c> in place (<c>A = P L D L^T P^T</c>): the interchanges and <c>L</c>'s columns of <see cref="Solve"/>'s
    /// first sweep, without <c>D</c>.
    /// </summary>
    public static void SolveLowerHalf(ReadOnlySpan<double> factor, int n, ReadOnlySpan<int> pivots, Span<double> rows, int width) =>
        SolveParts(factor, n, pivots, rows, width, lower: true, diagonal: false, upper: false);

    /// <summary><c>B = D^-1 B</c> in place, block by block of <c>D</c>, the 2x2 ones as <c>dsytrs</c> solves them.</summary>
    public static void SolveDiagonal(ReadOnlySpan<double> factor, int n, ReadOnlySpan<int> pivots, Span<double> rows, int width) =>
        SolveParts(factor, n, pivots, rows, width, lower: false, diagonal: true, upper: false);

    /// <summary><c>B = P L^-T B</c> in place: <see cref="Solve"/>'s second sweep, the transpose of <see cref="SolveLowerHalf"/>.</summary>
    public static void SolveUpperHalf(ReadOnlySpan<double> factor, int n, ReadOnlySpan<int> pivots, Span<double> rows, int width) =>
        SolveParts(factor, n, pivots, rows, width, lower: false, diagonal: false, upper: true);

    /// <summary>The parts of a solve, in order: <c>L^-1 P^T</c> (<paramref name="lower"/>), <c>D^-1</c>, <c>P L^-T</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SolveParts(ReadOnlySpan<double> factor, int n, ReadOnlySpan<int> pivots, Span<double> rows, int width,
        bool lower, bool diagonal, bool upper)
    {
        if (factor.Length != n * n || pivots.Length != n || rows.Length != n * width)
        {
            throw new ArgumentException($"A solve of order {n} needs {n * n} factor values, {n} pivots and {n} rows of {width}; " +
                $"got {factor.Length}, {pivots.Length} and {rows.Length}.");
        }

        // Order 0 (a layer without parameters): nothing to solve, and no row to take a tile of.
        if (n == 0)
        {
            return;
        }

        // Tile by tile of columns (each column is its own right-hand side), so that a tile of every row stays in
        // the L2 cache through both sweeps.
        for (int c0 = 0; c0 < width; c0 += ColumnTile)
        {
            int tileWidth = Math.Min(ColumnTile, width - c0);
            Span<double> tile = rows[c0..];
            if (lower)
            {
                SolveLowerTile(factor, n, pivots, tile, width, tileWidth);
            }

            if (diagonal)
            {
                SolveDiagonalTile(factor, n, pivots, tile, width, tileWidth);
            }

            if (upper)
            {
                SolveUpperTile(factor, n, pivots, tile, width, tileWidth);
            }
        }
    }

    /// <summary>
    /// <c>L Y = P^T B</c> for the columns of one tile, first block first: row <c>k</c> is <c>rows[k width ..]</c>,
    /// <paramref name="tileWidth"/> values.
    /// </summary>
    private static void SolveLowerTile(ReadOnlySpan<double> factor, int n, ReadOnlySpan<int> pivots, Span<double> rows, int width, int tileWidth)
    {
        int k = 0;
        while (k < n)
        {
            Span<double> bk = Row(rows, k, width, tileWidth);
            if (pivots[k] >= 0)
            {
                SwapRows(rows, width, tileWidth, k, pivots[k]);
                for (int i = k + 1; i < n; i++)
                {
                    // Axpy's arithmetic inlined (rows of one tile's width: the same bits), where a call and its checks per row of 8
                    // were about what the row's arithmetic cost (5 % of a width-8 batch-1 factorization, its whole layers' half solves).
                    VectorKernels.AxpyUnchecked(-factor[(i * n) + k], ref MemoryMarshal.GetReference(bk), ref MemoryMarshal.GetReference(Row(rows, i, width, tileWidth)), tileWidth);
                }

                k++;
            }
            else
            {
                SwapRows(rows, width, tileWidth, k + 1, -pivots[k] - 1);
                Span<double> bk1 = Row(rows, k + 1, width, tileWidth);
                for (int i = k + 2; i < n; i++)
                {
                    ref double target = ref MemoryMarshal.GetReference(Row(rows, i, width, tileWidth));
                    VectorKernels.AxpyUnchecked(-factor[(i * n) + k], ref MemoryMarshal.GetReference(bk), ref target, tileWidth);
                    VectorKernels.AxpyUnchecked(-factor[(i * n) + k + 1], ref MemoryMarshal.GetReference(bk1), ref target, tileWidth);
                }

                k += 2;
            }
        }
    }

    /// <summary><c>D Z = Y</c> for the columns of one tile.</summary>
    private static void SolveDiagonalTile(ReadOnlySpan<double> factor, int n, ReadOnlySpan<int> pivots, Span<double> rows, int width, int tileWidth)
    {
        int k = 0;
        while (k < n)
        {
            Span<double> bk = Row(rows, k, width, tileWidth);
            if (pivots[k] >= 0)
            {
                Scale(1.0 / factor[(k * n) + k], bk);
                k++;
            }
            else
            {
                SolveTwoByTwoPivot(factor, n, k, bk, Row(rows, k + 1, width, tileWidth));
                k += 2;
            }
        }
    }

    /// <summary><c>P^T Z = L^-T Y</c> for the columns of one tile, last block first.</summary>
    private static void SolveUpperTile(ReadOnlySpan<double> factor, int n, ReadOnlySpan<int> pivots, Span<double> rows, int width, int tileWidth)
    {
        int k = n - 1;
        while (k >= 0)
        {
            if (pivots[k] >= 0)
            {
                SubtractColumnProduct(factor, n, k, k + 1, rows, width, tileWidth);
                SwapRows(rows, width, tileWidth, k, pivots[k]);
                k--;
            }
            else
            {
                // The 2x2 block (k - 1, k): both rows take only the rows below it.
                SubtractColumnProduct(factor, n, k, k + 1, rows, width, tileWidth);
                SubtractColumnProduct(factor, n, k - 1, k + 1, rows, width, tileWidth);
                SwapRows(rows, width, tileWidth, k, -pivots[k] - 1);
                k -= 2;
            }
        }
    }

    /// <summary>
    /// The inertia and <c>log |det|</c> with its sign of the factorized matrix, read from <c>D</c>
    /// (Sylvester's law of inertia: <c>A</c> and <c>D</c> are congruent, and <c>det L = +-1</c> cancels in <c>L D L^T</c>).
    /// </summary>
    public static (int Positive, int Negative, double LogAbsoluteValue, int Sign) Inertia(ReadOnlySpan<double> factor, int n, ReadOnlySpan<int> pivots)
    {
        int positive = 0;
        int negative = 0;
        double log = 0;
        int sign = 1;
        int k = 0;
        while (k < n)
        {
            if (pivots[k] >= 0)
            {
                double d = factor[(k * n) + k];
                if (d > 0)
                {
                    positive++;
                }
                else
                {
                    negative++;
                    sign = -sign;
                }

                log += Math.Log(Math.Abs(d));
                k++;
            }
            else
            {
                // det [a b; b c] = b^2 (a c / b^2 - 1); when negative the block has one eigenvalue of each sign,
                // else both have the sign of its trace.
                double b = factor[((k + 1) * n) + k];
                double a = factor[(k * n) + k];
                double c = factor[((k + 1) * n) + k + 1];
                double reduced = ((a / b) * (c / b)) - 1.0;
                log += (2 * Math.Log(Math.Abs(b))) + Math.Log(Math.Abs(reduced));
                if (reduced < 0)
                {
                    positive++;
                    negative++;
                    sign = -sign;
                }
                else if (a + c > 0)
                {
                    positive += 2;
                }
                else
                {
                    negative += 2;
                }

                k += 2;
            }
        }

        return (positive, negative, log, sign);
    }

    /// <summary>Row <paramref name="k"/> of <c>Z</c> minus <c>sum_i L_ik Z_i</c> over the rows <c>i</c> from <paramref name="first"/> on.</summary>
    private static void SubtractColumnProduct(ReadOnlySpan<double> factor, int n, int k, int first, Span<double> rows, int width, int tileWidth)
    {
        ref double target = ref MemoryMarshal.GetReference(Row(rows, k, width, tileWidth));
        for (int i = first; i < n; i++)
        {
            VectorKernels.AxpyUnchecked(-factor[(i * n) + k], ref MemoryMarshal.GetReference(Row(rows, i, width, tileWidth)), ref target, tileWidth);
        }
    }

    /// <summary>Interchanges rows and columns <paramref name="kk"/> and <paramref name="kp"/> of the trailing lower triangle, as <c>dsytf2</c> does.</summary>
    private static void Interchange(Span<double> a, int n, int k, int kk, int kp, int kstep)
    {
        for (int i = kp + 1; i < n; i++)
        {
            (a[(i * n) + kk], a[(i * n) + kp]) = (a[(i * n) + kp], a[(i * n) + kk]);
        }

        for (int j = kk + 1; j < kp; j++)
        {
            (a[(j * n) + kk], a[(kp * n) + j]) = (a[(kp * n) + j], a[(j * n) + kk]);
        }

        (a[(kk * n) + kk], a[(kp * n) + kp]) = (a[(kp * n) + kp], a[(kk * n) + kk]);
        if (kstep == 2)
        {
            (a[((k + 1) * n) + k], a[(kp * n) + k]) = (a[(kp * n) + k], a[((k + 1) * n) + k]);
        }
    }

    private static Span<double> Row(Span<double> rows, int k, int width, int tileWidth) => rows.Slice(k * width, tileWidth);

    /// <summary>
    /// Solves with the 2x2 pivot block of <c>D</c> at rows <paramref name="k"/> and <c>k + 1</c> of the factor, in place
    /// on those two rows of right-hand sides, scaled by the off-diagonal entry as <c>dsytrs</c> does.
    /// </summary>
    internal static void SolveTwoByTwoPivot(ReadOnlySpan<double> factor, int n, int k, Span<double> bk, Span<double> bk1)
    {
        double d21 = factor[((k + 1) * n) + k];
        double d11 = factor[(k * n) + k] / d21;
        double d22 = factor[((k + 1) * n) + k + 1] / d21;
        double denominator = (d11 * d22) - 1.0;
        for (int c = 0; c < bk.Length; c++)
        {
            double first = bk[c] / d21;
            double second = bk1[c] / d21;
            bk[c] = ((d22 * first) - second) / denominator;
            bk1[c] = ((d11 * second) - first) / denominator;
        }
    }

    private static void SwapRows(Span<double> rows, int width, int tileWidth, int first, int second)
    {
        if (first != second)
        {
            VectorKernels.Swap(Row(rows, first, width, tileWidth), Row(rows, second, width, tileWidth));
        }
    }

    private static void Scale(double factor, Span<double> values)
    {
        for (int c = 0; c < values.Length; c++)
        {
            values[c] *= factor;
        }
    }
}
