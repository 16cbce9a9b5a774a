using System;
using HessianCodegen.LinearAlgebra;

namespace HessianCodegen;

/// <summary>
/// The factors of one pivot block <c>A_l</c> of the Riccati recursion (docs/algorithm.md section 12):
/// a Cholesky factor when <c>A_l</c> is positive definite, else a Bunch-Kaufman <c>L D L^T</c>. The one
/// storage format both sweeps of <see cref="RiccatiFactorization"/> read: <c>p x p</c> row-major, the
/// lower triangle holding the factors as LAPACK stores them.
/// </summary>
internal sealed class PivotBlockFactor : IPivotBlockFactor
{
    private readonly ReadOnlyMemory<double> factors;
    private readonly ReadOnlyMemory<int> pivots;
    private readonly bool positiveDefinite;

    /// <summary>The storage <see cref="Create"/> wrote this Bunch-Kaufman factor into, or null: <see cref="KeptIn"/> of it copies nothing.</summary>
    private readonly FactorStorage? factoredIn;

    private PivotBlockFactor(ReadOnlyMemory<double> factors, ReadOnlyMemory<int> pivots, bool positiveDefinite, int order, Inertia inertia, LogDeterminant logDeterminant,
        FactorStorage? factoredIn = null)
    {
        this.factors = factors;
        this.pivots = pivots;
        this.positiveDefinite = positiveDefinite;
        this.factoredIn = factoredIn;
        Order = order;
        Inertia = inertia;
        LogDeterminant = logDeterminant;
    }

    /// <summary><c>p</c>, the order of the block.</summary>
    public int Order { get; }

    /// <summary>The factors, <c>p x p</c> row-major, lower triangle (for <see cref="PackedCholeskyFactor"/>).</summary>
    internal ReadOnlySpan<double> Factors => factors.Span;

    /// <summary>Always <see cref="PivotBlockRoute.Whole"/>: the block was formed and factored as it is.</summary>
    public PivotBlockRoute Route => PivotBlockRoute.Whole;

    /// <summary>The square factor and its pivots.</summary>
    public void QueueStoredSpans(ref PrefetchQueue queue)
    {
        queue.Add(factors.Span);
        queue.Add(pivots.Span);
    }

    /// <summary>The square factor and its pivots.</summary>
    public long StoredBytes => ((long)factors.Length * sizeof(double)) + ((long)pivots.Length * sizeof(int));

    /// <summary>Whether the block is positive definite (it has a Cholesky factor).</summary>
    public bool IsPositiveDefinite => positiveDefinite;

    /// <summary>The counts of positive, negative and zero eigenvalues of the block.</summary>
    public Inertia Inertia { get; }

    /// <summary><c>log |det A_l|</c> and its sign.</summary>
    public LogDeterminant LogDeterminant { get; }

    /// <summary>
    /// Factors the symmetric matrix in <paramref name="block"/> (<c>p x p</c>, lower triangle read; the array
    /// becomes the factor's storage): Cholesky (<c>dpotrf</c>: right-looking up to <see cref="RightLookingLimit"/>, else blocked) first, and on failure Bunch-Kaufman
    /// (<c>dsytrf</c>: unblocked up to <see cref="UnblockedBunchKaufmanLimit"/>, right-looking up to <see cref="RightLookingLimit"/>, else blocked) of the matrix again.
    /// Cholesky writes the lower triangle only, so the strict
    /// upper triangle and a saved diagonal are the copy Bunch-Kaufman restarts from: no second <c>p x p</c>
    /// array (171 MB for the wide first layer of issue 7's network). <paramref name="work"/> holds
    /// <see cref="WorkLength"/> values. <paramref name="upperMirrorsLower"/>: the caller has already made the strict upper
    /// triangle the lower one's exact mirror. Given <paramref name="storage"/>, a Bunch-Kaufman factor is written there (its
    /// square's lower triangle and its pivots, as <see cref="KeptIn"/> keeps them, which then copies nothing) and
    /// <paramref name="block"/> is scratch afterwards; a Cholesky factor takes nothing from it. <paramref name="choleskyRuledOut"/>: the
    /// caller has tried Cholesky already (<see cref="CreateCholeskyInPlace"/>), so Bunch-Kaufman runs at once.
    /// </summary>
    /// <returns>The factor, or null when the block is singular to working precision.</returns>
    public static PivotBlockFactor? Create(double[] block, int order, Span<double> work, double tinyPivot, ref long flops,
        bool upperMirrorsLower = false, FactorStorage? storage = null, bool choleskyRuledOut = false)
    {
        // The kernels read the lower triangle; the upper one becomes its exact copy (A as formed is symmetric
        // only to round-off), so that Bunch-Kaufman restarts from the very matrix Cholesky was given. The low-rank route's core
        // comes mirrored (upperMirrorsLower).
        if (!upperMirrorsLower)
        {
            MatrixKernels.MirrorLower(block, order);
        }

        // The diagonal is saved only where a failed Cholesky attempt overwrites it (the blocked kernel, below).
        double[] diagonal = !choleskyRuledOut && CholeskyOverwritesOnFailure(order) ? new double[order] : [];
        bool positiveDiagonal = !choleskyRuledOut && PositiveDiagonal(block, order, tinyPivot, diagonal);
        if (positiveDiagonal && FactorCholesky(block, order, work, tinyPivot, ref flops, upperMirrorsLower: true) < 0)
        {
            return CholeskyFactor(block, order);
        }

        // Only the blocked Cholesky leaves a failed attempt's lower triangle written; the right-looking one leaves the matrix as it
        // was, and none ran where a diagonal entry ruled it out (the whole layers next to the loss at width 16: a mirror of 272 rows
        // saved per layer).
        if (positiveDiagonal && CholeskyOverwritesOnFailure(order))
        {
            MatrixKernels.MirrorUpper(block, order);
            for (int i = 0; i < order; i++)
            {
                block[(i * order) + i] = diagonal[i];
            }
        }

        // Into the storage, the factor is written once where the sweeps read it, not into the block and then copied (a pass over
        // 592 KB fewer per whole layer of order 272). Taken before the factorization and given back where the block is singular.
        FactorStorage.Position mark = storage?.Mark() ?? default;
        Memory<double> factors = storage is null ? block : storage.Take(order * order);
        Memory<int> pivots = storage is null ? new int[order] : storage.TakeIndices(order);
        if (FactorBunchKaufman(block, order, pivots.Span, work, tinyPivot, ref flops, upperMirrorsLower: true,
            factor: storage is null ? default : factors.Span) >= 0)
        {
            storage?.Rewind(mark);
            return null;
        }

        (int positive, int negative, double logAbsolute, int sign) = BunchKaufmanKernel.Inertia(factors.Span, order, pivots.Span);
        return new PivotBlockFactor(factors, pivots, positiveDefinite: false, order, new Inertia(positive, negative, 0), new LogDeterminant(logAbsolute, sign),
            storage);
    }

    /// <summary>
    /// Whether <see cref="CreateCholeskyInPlace"/> takes a block of order <paramref name="order"/>: the right-looking Cholesky's
    /// (<see cref="CholeskyOverwritesOnFailure"/> false) on rows of whole tiles (<see cref="RightLookingCholeskyKernel.FactorsInPlace"/>).
    /// </summary>
    internal static bool CholeskyFactorsInPlace(int order) => !CholeskyOverwritesOnFailure(order) && RightLookingCholeskyKernel.FactorsInPlace(order);

    /// <summary>
    /// The Cholesky factor of <paramref name="block"/> (<c>order x order</c>, the strict upper triangle the lower one's exact mirror;
    /// <see cref="CholeskyFactorsInPlace"/>) made in the block itself, its own square (<see cref="RightLookingCholeskyKernel.FactorMirroredInPlace(Span{double}, int, double, ref long)"/>):
    /// no copy into the kernel's square; the same factor, inertia and log-determinant as <see cref="Create"/>'s. <paramref name="overwritten"/>
    /// says the kernel ran: on success (true) the block holds the factor; null where a diagonal entry rules Cholesky out
    /// (<paramref name="overwritten"/> false: the block is as given) or a pivot fails (<paramref name="overwritten"/> true: the block is
    /// scratch). Either way the caller goes on with <see cref="Create"/> and <c>choleskyRuledOut</c>, after forming the block again where
    /// it was overwritten.
    /// </summary>
    internal static PivotBlockFactor? CreateCholeskyInPlace(double[] block, int order, double tinyPivot, ref long flops, out bool overwritten)
    {
        if (!CholeskyFactorsInPlace(order) || block.Length != order * order)
        {
            throw new ArgumentException($"A Cholesky factor in place takes a square of an order up to {RightLookingLimit} that is a multiple of 16; got order {order} and {block.Length} values.");
        }

        overwritten = false;
        if (!PositiveDiagonal(block, order, tinyPivot, []))
        {
            return null;
        }

        overwritten = true;
        return RightLookingCholeskyKernel.FactorMirroredInPlace(block, order, tinyPivot, ref flops) < 0 ? CholeskyFactor(block, order) : null;
    }

    /// <summary>
    /// Whether every diagonal entry exceeds <paramref name="tinyPivot"/>, saving them into <paramref name="diagonal"/> unless it is empty.
    /// Cholesky's pivot in row i is at most the diagonal entry, so a diagonal entry at most <paramref name="tinyPivot"/> means it would
    /// fail there: Bunch-Kaufman goes without the failed attempt (up to <c>p^3 / 3</c> flops).
    /// </summary>
    private static bool PositiveDiagonal(ReadOnlySpan<double> block, int order, double tinyPivot, Span<double> diagonal)
    {
        bool positive = true;
        for (int i = 0; i < order; i++)
        {
            double entry = block[(i * order) + i];
            if (!diagonal.IsEmpty)
            {
                diagonal[i] = entry;
            }

            positive &= entry > tinyPivot;
        }

        return positive;
    }

    /// <summary>The factor of a block Cholesky has overwritten: its inertia all positive, its log-determinant twice the diagonal's logarithms.</summary>
    private static PivotBlockFactor CholeskyFactor(double[] block, int order)
    {
        double log = 0;
        for (int i = 0; i < order; i++)
        {
            log += Math.Log(block[(i * order) + i]);
        }

        return new PivotBlockFactor(block, ReadOnlyMemory<int>.Empty, positiveDefinite: true, order, new Inertia(order, 0, 0), new LogDeterminant(2 * log, 1));
    }

    /// <summary>
    /// Whether <see cref="Create"/> wrote this Bunch-Kaufman factor into a storage (<see cref="KeptIn"/> of it copies nothing): for the
    /// tests, which assert that the recursion's whole indefinite layers are kept so.
    /// </summary>
    internal bool FactoredInStorage => factoredIn is not null;

    /// <summary>
    /// A Bunch-Kaufman factor kept in <paramref name="storage"/> (its square's lower triangle, all the solves and the inertia read, and its
    /// pivots), for the sweeps once the recursion is past the layer, so that the recursion keeps its square scratch for the next layer.
    /// A factor <see cref="Create"/> wrote into <paramref name="storage"/> (the recursion's whole layers) is kept as it is, nothing
    /// copied; any other (a low-rank route's core) is copied there. Given away instead, the next whole layer allocated a new
    /// <c>p x p</c> array: at width 16 (<c>p = 272</c>, 592 KB on the large-object heap) each indefinite layer's fresh pages were
    /// faulted in and zeroed by the kernel as <c>Xxx</c> was copied into them. A Cholesky factor is kept packed instead
    /// (<see cref="PackedCholeskyFactor"/>).
    /// </summary>
    /// <exception cref="InvalidOperationException">The factor is a Cholesky factor.</exception>
    internal PivotBlockFactor KeptIn(FactorStorage storage)
    {
        if (positiveDefinite)
        {
            throw new InvalidOperationException("A Cholesky factor is kept packed (PackedCholeskyFactor), not square.");
        }

        if (ReferenceEquals(factoredIn, storage))
        {
            return this;
        }

        Memory<double> keptFactors = storage.Take(factors.Length);
        CopyLowerTriangle(factors.Span, Order, keptFactors.Span);
        Memory<int> keptPivots = storage.TakeIndices(pivots.Length);
        pivots.CopyTo(keptPivots);
        return new PivotBlockFactor(keptFactors, keptPivots, positiveDefinite: false, Order, Inertia, LogDeterminant);
    }

    /// <summary>
    /// The lower triangle of <paramref name="source"/> (<c>order x order</c> row-major, or longer) into <paramref name="target"/>'s: the
    /// solves and the inertia read nothing else, and the upper one is the kernels' scratch.
    /// </summary>
    private static void CopyLowerTriangle(ReadOnlySpan<double> source, int order, Span<double> target)
    {
        for (int i = 0; i < order; i++)
        {
            source.Slice(i * order, i + 1).CopyTo(target.Slice(i * order, i + 1));
        }
    }

    /// <summary>
    /// The order up to which Cholesky runs right-looking (<see cref="RightLookingCholeskyKernel"/>) rather than blocked. Measured
    /// (scratch timing, load 15, best of 15) with the right-looking kernel before its register tiles (batch 8): 18 against 28 us at
    /// order 72, 81 against 107 at 128, 473 against 649 at 272. The tiles made it faster still (10 us at 72, 292 at 272 at 512
    /// bits), so the crossover is at 320 or above; it was not measured again. The same limit picks the right-looking Bunch-Kaufman
    /// kernel (<see cref="FactorBunchKaufman"/>, past <see cref="UnblockedBunchKaufmanLimit"/>) and decides whether a failed Cholesky
    /// attempt is mirrored back before it (<see cref="CholeskyOverwritesOnFailure"/>).
    /// </summary>
    internal const int RightLookingLimit = 320;

    /// <summary>
    /// The order up to which Bunch-Kaufman runs unblocked (<see cref="BunchKaufmanKernel"/>) rather than right-looking
    /// (<see cref="RightLookingBunchKaufmanKernel"/>). Measured (scratch loop on four random symmetric matrices per order with 2x2
    /// pivots and interchanges, medians of 301, load 10): 19.5 against 19.2 us at order 72 (a width-8 layer: a tie, so it stays
    /// unblocked), 41.8 against 32.5 at 96, 90.4 against 63.3 at 128 (the low-rank route's core at width 16, batch 8), 160.5
    /// against 104.5 at 160; on the width-16 chain's whole blocks of order 272, 655 against 292 (least of 61). Against the blocked
    /// kernel before it, the unblocked one had been ahead up to 128.
    /// </summary>
    internal const int UnblockedBunchKaufmanLimit = 80;

    /// <summary>The scratch values <see cref="Create"/> needs for a block of order <paramref name="order"/>: its Cholesky's or its Bunch-Kaufman's.</summary>
    public static int WorkLength(int order) => Math.Max(CholeskyWorkLength(order), BunchKaufmanWorkLength(order));

    /// <summary>The scratch values <see cref="FactorBunchKaufman"/> needs at order <paramref name="order"/>, by the kernel it takes there.</summary>
    internal static int BunchKaufmanWorkLength(int order) =>
        order <= UnblockedBunchKaufmanLimit ? BunchKaufmanKernel.WorkLength(order)
            : order <= RightLookingLimit ? RightLookingBunchKaufmanKernel.WorkLength(order)
            : BlockedBunchKaufmanKernel.WorkLength(order);

    /// <summary>The scratch values <see cref="FactorCholesky"/> needs at order <paramref name="order"/>.</summary>
    internal static int CholeskyWorkLength(int order) =>
        !CholeskyOverwritesOnFailure(order) ? RightLookingCholeskyKernel.WorkLength(order) : BlockedCholeskyKernel.WorkLength(order);

    /// <summary>
    /// Bunch-Kaufman of the lower triangle of <paramref name="block"/> in place, by the kernel faster at that order (unblocked up
    /// to <see cref="UnblockedBunchKaufmanLimit"/>, right-looking (<see cref="RightLookingBunchKaufmanKernel"/>) up to
    /// <see cref="RightLookingLimit"/>, else blocked; <see cref="WorkLength"/> is the larger of its work and Cholesky's); the column where
    /// no acceptable pivot was found, or -1. Where <paramref name="upperMirrorsLower"/> says the strict upper triangle is the lower
    /// one's mirror, the right-looking kernel copies rows, or at an order that is a multiple of 16 works in that triangle itself
    /// (it is scratch afterwards). Given <paramref name="factor"/> (<c>order x order</c>), the factor's lower triangle goes there
    /// (written by the right-looking kernel directly, by the others copied from <paramref name="block"/> after a success) and
    /// <paramref name="block"/> is scratch afterwards.
    /// Measured on the seven whole blocks of order 272 of the width-16 batch-1 chain (scratch loop, least of 41 at load 11): 299 us
    /// right-looking with panels of 16 against 517 blocked and 649 unblocked (OpenBLAS <c>dsytrf</c> on one thread: 458).
    /// </summary>
    internal static int FactorBunchKaufman(Span<double> block, int order, Span<int> pivots, Span<double> work, double tinyPivot, ref long flops,
        bool upperMirrorsLower = false, Span<double> factor = default)
    {
        if (order > UnblockedBunchKaufmanLimit && order <= RightLookingLimit)
        {
            return RightLookingBunchKaufmanKernel.Factor(block, order, pivots, work, tinyPivot, ref flops, VectorWidth.Hardware,
                RightLookingBunchKaufmanKernel.DefaultPanel, upperMirrorsLower, factor);
        }

        int failed = order <= UnblockedBunchKaufmanLimit
            ? BunchKaufmanKernel.Factor(block, order, pivots, work, tinyPivot, ref flops)
            : BlockedBunchKaufmanKernel.Factor(block, order, pivots, work, tinyPivot, ref flops);
        if (failed < 0 && !factor.IsEmpty)
        {
            CopyLowerTriangle(block, order, factor);
        }

        return failed;
    }

    /// <summary>
    /// Whether <see cref="FactorCholesky"/> takes the blocked kernel at order <paramref name="order"/> (past
    /// <see cref="RightLookingLimit"/>), which leaves a failed attempt's lower triangle written: the right-looking one works in its
    /// own square and leaves the matrix as it was. The dispatch and the restart after a failure ask this one predicate.
    /// </summary>
    internal static bool CholeskyOverwritesOnFailure(int order) => order > RightLookingLimit;

    /// <summary>
    /// Cholesky of the lower triangle of <paramref name="block"/> in place, by the kernel faster at that order (right-looking
    /// up to <see cref="RightLookingLimit"/>, else blocked: <see cref="CholeskyOverwritesOnFailure"/>); the index of a failed pivot, or -1. Where
    /// <paramref name="upperMirrorsLower"/> says the strict upper triangle is the lower one's mirror, the right-looking kernel
    /// copies it by rows rather than filling its square column by column.
    /// </summary>
    internal static int FactorCholesky(Span<double> block, int order, Span<double> work, double tinyPivot, ref long flops, bool upperMirrorsLower = false) =>
        !CholeskyOverwritesOnFailure(order)
            ? (upperMirrorsLower
                ? RightLookingCholeskyKernel.FactorMirrored(block, order, work, tinyPivot, ref flops)
                : RightLookingCholeskyKernel.Factor(block, order, work, tinyPivot, ref flops))
            : BlockedCholeskyKernel.Factor(block, order, work, tinyPivot, ref flops);

    /// <summary>Solves <c>A_l Z = B</c> in place for the <c>p</c> rows of <paramref name="rows"/>, <paramref name="width"/> values each.</summary>
    public void Solve(Span<double> rows, int width)
    {
        if (positiveDefinite)
        {
            CholeskyKernel.Solve(factors.Span, Order, rows, width);
        }
        else if (width >= BlockedBunchKaufmanSolve.MinimumWidth)
        {
            BlockedBunchKaufmanSolve.Solve(factors.Span, Order, pivots.Span, rows, width);
        }
        else
        {
            BunchKaufmanKernel.Solve(factors.Span, Order, pivots.Span, rows, width);
        }
    }

    /// <summary><c>B = L^-1 B</c> (Cholesky) or <c>B = L^-1 P^T B</c> (Bunch-Kaufman) in place.</summary>
    public void SolveLowerHalf(Span<double> rows, int width)
    {
        if (positiveDefinite)
        {
            StripTriangularSolve.SolveLower(factors.Span, Order, rows, width);
        }
        else if (width >= BlockedBunchKaufmanSolve.MinimumWidth)
        {
            BlockedBunchKaufmanSolve.SolveLowerHalf(factors.Span, Order, pivots.Span, rows, width);
        }
        else
        {
            BunchKaufmanKernel.SolveLowerHalf(factors.Span, Order, pivots.Span, rows, width);
        }
    }

    /// <summary>
    /// Whether <see cref="SolveLowerHalfRows"/> solves: a Cholesky factor whose strips have explicit vectors, where they are
    /// <see cref="SolveLowerHalf"/>'s (the same bits); not a Bunch-Kaufman factor, nor where <see cref="VectorWidth.Hardware"/> is 0.
    /// </summary>
    internal bool SolvesLowerHalfRows => positiveDefinite && VectorWidth.Hardware != 0;

    /// <summary>
    /// <see cref="SolveLowerHalf"/> on the rows <paramref name="rowIndices"/> of <paramref name="rows"/> (<paramref name="width"/> values
    /// each), where they lie among others (<see cref="StripTriangularSolve.SolveLowerRows(ReadOnlySpan{double}, int, Span{double}, int, ReadOnlySpan{int})"/>).
    /// Only where <see cref="SolvesLowerHalfRows"/>.
    /// </summary>
    internal void SolveLowerHalfRows(Span<double> rows, int width, ReadOnlySpan<int> rowIndices)
    {
        if (!SolvesLowerHalfRows)
        {
            throw new InvalidOperationException("Only a Cholesky factor with explicit vectors solves rows named by index; see SolvesLowerHalfRows.");
        }

        StripTriangularSolve.SolveLowerRows(factors.Span, Order, rows, width, rowIndices);
    }

    /// <summary><c>B = D^-1 B</c> in place for a Bunch-Kaufman factor; nothing for a Cholesky one (<c>M = I</c>).</summary>
    public void SolveMiddle(Span<double> rows, int width)
    {
        if (!positiveDefinite)
        {
            BunchKaufmanKernel.SolveDiagonal(factors.Span, Order, pivots.Span, rows, width);
        }
    }

    /// <summary><c>B = L^-T B</c> (Cholesky) or <c>B = P L^-T B</c> (Bunch-Kaufman) in place.</summary>
    public void SolveUpperHalf(Span<double> rows, int width)
    {
        if (positiveDefinite)
        {
            CholeskyKernel.SolveLowerTransposed(factors.Span, Order, rows, width);
        }
        else if (width >= BlockedBunchKaufmanSolve.MinimumWidth)
        {
            BlockedBunchKaufmanSolve.SolveUpperHalf(factors.Span, Order, pivots.Span, rows, width);
        }
        else
        {
            BunchKaufmanKernel.SolveUpperHalf(factors.Span, Order, pivots.Span, rows, width);
        }
    }

    /// <summary><c>p^2</c> per column: the substitution with <c>L</c> (the interchanges not counted).</summary>
    public long LowerHalfFlops(int width) => (long)Order * Order * width;

    /// <summary>At most 3 per row and column for <c>D</c>'s 1 x 1 and 2 x 2 blocks; 0 for a Cholesky factor.</summary>
    public long MiddleFlops(int width) => positiveDefinite ? 0 : 3L * Order * width;

    /// <summary>True for a Cholesky factor.</summary>
    public bool MiddleIsIdentity => positiveDefinite;
}
