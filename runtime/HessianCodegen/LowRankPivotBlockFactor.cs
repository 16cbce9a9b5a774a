using System;
using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using HessianCodegen.LinearAlgebra;

namespace HessianCodegen;

/// <summary>
/// A wide pivot block <c>A = X + Dx^T P Dx</c> (<c>X = Xxx + eps I</c>, <c>p</c> parameters, <c>m &lt; p</c> rows
/// of <c>Dx</c>) factored as a low-rank update of <c>X</c>, without forming <c>A</c> (docs/algorithm.md section 12).
/// </summary>
/// <remarks>
/// <para>
/// Over the <see cref="ParameterGroups"/>, <c>X</c> is block-diagonal and each non-zero row of <c>Dx</c> lies in
/// one group. Per group <c>g</c> (<c>q</c> parameters, <c>c</c> rows <c>Z_g</c> of <c>Dx</c>): Cholesky
/// <c>X_g = L_g L_g^T</c>, then Householder QR <c>L_g^-1 Z_g^T = Q_g [R_g; 0]</c>, <c>R_g</c> of
/// <c>k = min(q, c)</c> rows. With <c>L</c>, <c>Q</c> block-diagonal and <c>R</c> the <c>r x m</c> matrix of the
/// <c>R_g</c> (<c>r = sum k</c>), <c>L^-1 Dx^T P Dx L^-T = Q [R P R^T, 0; 0, 0] Q^T</c>, so
/// </para>
/// <para>
/// <c>A = (L Q) [T, 0; 0, I] (L Q)^T</c>, <c>T = I_r + R P R^T</c>:
/// <c>In(A) = In(T) + (p - r, 0, 0)</c>, <c>det A = det X det T</c>, and
/// <c>A^-1 = L^-T Q [T^-1, 0; 0, I] Q^T L^-1</c>.
/// </para>
/// <para>
/// The only dense factorization is of <c>T</c> (<c>r &lt;= m</c>): 1536 against 4632 in issue 7's network.
/// It is a congruence by <c>L Q</c>, so an error <c>dT</c> in <c>T</c> is an error <c>L dT L^T</c> in
/// <c>A</c>, up to <c>cond(X)</c> times what factoring <c>A</c> whole commits: the route is taken only for
/// <c>X</c> positive definite with a bound on its condition number of at most <see cref="ConditionLimit"/>
/// (with <c>Xxx = 0</c>, a ReLU layer, it is 1). An indefinite <c>X</c> (a tanh layer at small eps) goes whole.
/// </para>
/// </remarks>
internal sealed class LowRankPivotBlockFactor : IPivotBlockFactor
{
    /// <summary>The largest bound on <c>cond(X)</c> the route accepts: it multiplies the error of the core's factorization in <c>A</c>.</summary>
    internal const double ConditionLimit = 100;

    /// <summary>The groups, and where each group's values, parameters and core rows lie (<see cref="GroupFactor"/>, by offset: no object per group).</summary>
    private readonly ParameterGroups structure;
    private readonly ReadOnlyMemory<double> groupValues;
    private readonly ReadOnlyMemory<int> groupParameters;
    private readonly IPivotBlockFactor core;
    private readonly int largestGroup;

    /// <summary>Whether the groups came from <see cref="FactorOneRowGroups"/> (<see cref="TakesOneRowGroups"/>, the one rule), laid out for <see cref="OneRowGroupKernel"/>.</summary>
    private readonly bool oneRowGroups;

    /// <summary>
    /// The storage the groups' values were written to as they were factored (the one-row path given one), so that
    /// <see cref="KeptIn"/> of the same storage copies nothing; null where they lie in the workspace.
    /// </summary>
    private readonly FactorStorage? valuesStorage;

    /// <summary>Whether this factor took the one-row path (<see cref="FactorOneRowGroups"/>): for the tests, which assert the route a layer takes.</summary>
    internal bool TookOneRowGroups => oneRowGroups;

    /// <summary>
    /// Whether the one-row path's half solve takes two groups of one order with a row each in one loop
    /// (<see cref="OneRowGroupKernel.SolveLowerPair"/>, 512-bit vectors) where the width is a multiple of 8: where the machine runs
    /// 512 bits. The tests switch it off to compare with each group solved alone (the same bits); never true below 512 bits.
    /// </summary>
    internal bool PairsInTheHalfSolve = VectorWidth.Hardware == 512;

    /// <summary>
    /// Whether <see cref="KeptIn"/> made this factor without copying the groups' values, <c>Create</c> having factored them in that
    /// storage: for the tests, which assert that the recursion's one-row layers are kept so.
    /// </summary>
    internal bool KeptWithoutCopy { get; private init; }

    /// <summary>
    /// Whether <c>Create</c> formed the core <c>T</c> a second time, a Cholesky attempt in its own square having failed (for the tests,
    /// which assert that an indefinite core with a positive diagonal takes that way).
    /// </summary>
    internal bool CoreFormedAgain { get; private init; }

    private LowRankPivotBlockFactor(ParameterGroups structure, ReadOnlyMemory<double> groupValues, ReadOnlyMemory<int> groupParameters, IPivotBlockFactor core,
        int order, Inertia inertia, LogDeterminant logDeterminant, bool oneRowGroups)
    {
        this.structure = structure;
        this.groupValues = groupValues;
        this.groupParameters = groupParameters;
        this.core = core;
        Order = order;
        this.oneRowGroups = oneRowGroups;
        largestGroup = structure.LargestParameterCount;
        Inertia = inertia;
        LogDeterminant = logDeterminant;
    }

    private LowRankPivotBlockFactor(ParameterGroups structure, ReadOnlyMemory<double> groupValues, IPivotBlockFactor core, int order, double logDeterminantX,
        bool oneRowGroups, FactorStorage? valuesStorage)
        : this(structure, groupValues, ReadOnlyMemory<int>.Empty, core, order, core.Inertia + new Inertia(order - core.Order, 0, 0),
            core.LogDeterminant + new LogDeterminant(logDeterminantX, 1), oneRowGroups)
    {
        this.valuesStorage = valuesStorage;
    }

    public int Order { get; }

    public PivotBlockRoute Route => PivotBlockRoute.LowRankUpdate;

    /// <summary>With <c>X</c> positive definite, <c>A</c> is positive definite exactly when <c>T</c> is.</summary>
    public bool IsPositiveDefinite => core.IsPositiveDefinite;

    public Inertia Inertia { get; }

    public LogDeterminant LogDeterminant { get; }

    /// <summary>The order of the core <c>T</c>: the rank bound <c>r</c> of <c>Dx</c> the route works at.</summary>
    public int CoreOrder => core.Order;

    /// <summary>The bytes of the stored factors a solve reads, once kept (<see cref="KeptIn"/>): the groups' values (<c>L_g</c>, reflectors and <c>tau</c>), their parameters' indices (their rows are read only for their count) and the core's factor.</summary>
    public long StoredBytes => ((long)groupValues.Length * sizeof(double)) + ((long)groupParameters.Length * sizeof(int)) + core.StoredBytes;

    /// <summary>The groups' parameters, group after group: the storage's copy once kept (<see cref="KeptIn"/>), else the groups' own.</summary>
    private ReadOnlySpan<int> ParameterIndices => groupParameters.IsEmpty ? structure.AllParameters : groupParameters.Span;

    /// <summary>
    /// Factors <c>A = X + Dx^T P Dx</c> along this route, or returns null when the route does not apply: no
    /// block structure that makes it cheaper than <c>p^3 / 3</c>, <c>X</c> not positive definite or
    /// worse conditioned than <see cref="ConditionLimit"/>, or a pivot of <c>X</c> or (scaled by <c>X</c>'s
    /// smallest) of <c>T</c> no larger than the whole block's test, <c>p 2^-52</c> times <paramref name="scale"/> or
    /// the largest diagonal entry of <c>A</c>: then the whole block decides whether <c>A</c> is singular, so that
    /// the fallback does not depend on the route.
    /// </summary>
    /// <param name="xxx"><c>Xxx</c>, <c>p x p</c>, lower triangle read; empty where it is zero.</param>
    /// <param name="epsilon">The damping.</param>
    /// <param name="dx"><c>Dx</c>, <c>m x p</c>.</param>
    /// <param name="value"><c>P</c>, <c>m x m</c> symmetric.</param>
    /// <param name="p">Parameters.</param>
    /// <param name="m">Rows of <c>Dx</c>.</param>
    /// <param name="work">Scratch of at least <c>m^2</c> values.</param>
    /// <param name="scale">The derivatives' scale the whole block's singularity test uses.</param>
    /// <param name="flops">Incremented by the floating-point operations performed.</param>
    public static LowRankPivotBlockFactor? Create(ReadOnlySpan<double> xxx, double epsilon, ReadOnlySpan<double> dx,
        ReadOnlySpan<double> value, int p, int m, Span<double> work, double scale, ref long flops) =>
        Create(ParameterGroups.Find(xxx, dx, p, m), xxx, epsilon, dx, value, p, m, work, scale, ref flops);

    /// <summary>
    /// <see cref="Create(ReadOnlySpan{double}, double, ReadOnlySpan{double}, ReadOnlySpan{double}, int, int, Span{double}, double, ref long)"/>
    /// with the groups of <paramref name="xxx"/> and <paramref name="dx"/> found already: <see cref="CreateFromGroupBlocks"/> of
    /// the groups' blocks of <paramref name="xxx"/> (<see cref="CompactGroupBlocks"/>), gathered here where the route's flops do not
    /// decline the block at once: allocates a copy per call, for tests and one-off use (the recursion reads the blocks the
    /// derivatives keep, <see cref="HessianDerivatives.GroupBlocks"/>).
    /// </summary>
    public static LowRankPivotBlockFactor? Create(ParameterGroups structure, ReadOnlySpan<double> xxx, double epsilon, ReadOnlySpan<double> dx,
        ReadOnlySpan<double> value, int p, int m, Span<double> work, double scale, ref long flops, LowRankWorkspace? workspace = null,
        FactorStorage? storage = null) =>
        CheaperThanWhole(structure, p, m)
            ? CreateFromGroupBlocks(structure, CompactGroupBlocks.Gather(structure, xxx, p), epsilon, dx, value, p, m, work, scale, ref flops, workspace, storage)
            : null;

    /// <summary>
    /// <see cref="Create(ReadOnlySpan{double}, double, ReadOnlySpan{double}, ReadOnlySpan{double}, int, int, Span{double}, double, ref long)"/>
    /// with the groups found already and <c>Xxx</c> given as the groups' <c>q x q</c> blocks, one after the other (<see cref="CompactGroupBlocks"/>; empty
    /// where <c>Xxx</c> is zero): they depend on
    /// the derivatives alone, not on epsilon, so the derivatives find and copy them once for all their factorizations
    /// (<see cref="HessianDerivatives.GroupBlocks"/>), and each factorization's gather of <c>X_g</c> reads <c>q^2</c> consecutive
    /// values per group instead of a few lines per row of the dense <c>Xxx</c>. The factor's groups
    /// live in <paramref name="workspace"/> (a new one when null) until <see cref="KeptIn"/> copies them, unless they are
    /// factored in <paramref name="storage"/> (below): the recursion passes one workspace for all its layers, each layer's
    /// factor kept before the next layer's is made. Given <paramref name="storage"/>, where the groups go the one-row path
    /// (<see cref="FactorOneRowGroups"/>) their values are written there and factored in place, as <see cref="KeptIn"/> of the
    /// same storage then keeps them without a copy; where the route declines the block, the storage is rewound to where it was.
    /// </summary>
    public static LowRankPivotBlockFactor? CreateFromGroupBlocks(ParameterGroups structure, ReadOnlySpan<double> groupBlocks, double epsilon,
        ReadOnlySpan<double> dx, ReadOnlySpan<double> value, int p, int m, Span<double> work, double scale, ref long flops,
        LowRankWorkspace? workspace = null, FactorStorage? storage = null)
    {
        int count = structure.Parameters.Length;
        if (!groupBlocks.IsEmpty && groupBlocks.Length != CompactGroupBlocks.Length(structure))
        {
            throw new ArgumentException($"The groups' blocks of Xxx (groupBlocks) hold {groupBlocks.Length} values; expected {CompactGroupBlocks.Length(structure)}, "
                + "the sum of q^2 over the groups, or none where Xxx is not stored.", nameof(groupBlocks));
        }

        if (!CheaperThanWhole(structure, p, m))
        {
            return null;
        }

        // Each group's values where they are kept (the one-row path given the storage, below) or where KeptIn will copy them
        // from: X_g (lower triangle, strict upper zero) in the place of its Cholesky factor, Z_g^T in the place of its QR, then tau. One pass over the groups' blocks (consecutive) and Dx,
        // whose rows are mostly not in cache; X's diagonal goes aside for the whole block's test, which would otherwise read it from the blocks again.
        workspace ??= new LowRankWorkspace();
        int total = 0;
        int largestScratch = 0;
        for (int g = 0; g < count; g++)
        {
            int q = structure.Parameters[g].Length;
            int c = structure.Rows[g].Length;
            total += GroupValueCount(q, c);
            // The scratch holds the row sums of X_g, then the work of the Cholesky kernel it takes (FactorGroupCholesky),
            // then the QR's work row.
            largestScratch = Math.Max(largestScratch, Math.Max(Math.Max(GroupCholeskyWorkLength(q), q), c));
        }

        // The one-row path writes the groups where they are kept, given the storage (a copy of them into the storage was 2 % of
        // a width-8 batch-1 factorization at depth 128, and its stores missed the cache at depth 512); else in the workspace.
        bool oneRow = TakesOneRowGroups(structure) && !workspace.GeneralGroupsOnly;
        bool inStorage = oneRow && storage is not null;
        FactorStorage.Position mark = inStorage ? storage!.Mark() : default;
        Memory<double> values = inStorage ? storage!.Take(total) : LowRankWorkspace.Grow(ref workspace.GroupValues, total).AsMemory(0, total);
        Span<double> valueSpan = values.Span;
        double[] diagonal = LowRankWorkspace.Grow(ref workspace.Diagonal, p);
        int offset = 0;
        int diagonalOffset = 0;
        int blockOffset = 0;
        for (int g = 0; g < count; g++)
        {
            int[] parameters = structure.Parameters[g];
            int[] rows = structure.Rows[g];
            int q = parameters.Length;
            int c = rows.Length;
            (Range choleskyRange, Range reflectorRange, _) = GroupLayout(offset, q, c);
            Span<double> matrix = valueSpan[choleskyRange];
            // X_g: the group's block as copied (its strict upper triangle zero), eps added on the diagonal.
            if (groupBlocks.IsEmpty)
            {
                matrix.Clear();
            }
            else
            {
                groupBlocks.Slice(blockOffset, q * q).CopyTo(matrix);
            }

            for (int i = 0; i < q; i++)
            {
                matrix[(i * q) + i] += epsilon;
                diagonal[diagonalOffset + i] = matrix[(i * q) + i];
            }

            blockOffset += q * q;
            Span<double> reflectors = valueSpan[reflectorRange];
            for (int i = 0; i < q; i++)
            {
                for (int k = 0; k < c; k++)
                {
                    reflectors[(i * c) + k] = dx[(rows[k] * p) + parameters[i]];
                }
            }

            offset += GroupValueCount(q, c);
            diagonalOffset += q;
        }

        double tinyPivot = p * Math.ScaleB(1.0, -52) * Math.Max(scale, LargestDiagonal(structure, diagonal, dx, value, p, m));
        double[] scratch = LowRankWorkspace.Grow(ref workspace.Scratch, largestScratch);
        if (!oneRow)
        {
            return FactorGroups(structure, values, dx, value, p, m, work, tinyPivot, scratch, workspace, ref flops);
        }

        LowRankPivotBlockFactor? factor = FactorOneRowGroups(structure, values, value, p, m, work, tinyPivot, workspace, inStorage ? storage : null, ref flops);
        if (factor is null && inStorage)
        {
            storage!.Rewind(mark);
        }

        return factor;
    }

    /// <summary>
    /// The general path, over <paramref name="values"/> in the workspace: every group's norm and Cholesky factor, then per group its
    /// condition bound, log-determinant, <c>L_g^-1 Z_g^T</c> and its QR; then the core. Groups of at most one row take
    /// <see cref="FactorOneRowGroups"/> instead, unless <see cref="LowRankWorkspace.GeneralGroupsOnly"/>.
    /// </summary>
    private static LowRankPivotBlockFactor? FactorGroups(ParameterGroups structure, Memory<double> values, ReadOnlySpan<double> dx,
        ReadOnlySpan<double> value, int p, int m, Span<double> work, double tinyPivot, double[] scratch, LowRankWorkspace workspace, ref long flops)
    {
        int count = structure.Parameters.Length;
        int coreOrder = 0;

        // ||X_g||_inf of every group, then their Cholesky factors, two at a time where their orders agree (SmallCholeskyKernel.FactorPair).
        Span<double> norms = count <= StackScratch.MaxRows ? stackalloc double[count] : new double[count];
        if (!FactorAllGroupsCholesky(structure, values.Span, norms, scratch, tinyPivot, ref flops))
        {
            return null;
        }

        double logDeterminantX = 0;
        double smallestPivotX = double.PositiveInfinity;
        Span<double> valueSpan = values.Span;
        for (int g = 0; g < count; g++)
        {
            int q = structure.Parameters[g].Length;
            int c = structure.Rows[g].Length;
            int rank = Math.Min(q, c);
            (Range choleskyRange, Range reflectorRange, Range tauRange) = GroupLayout(structure.FactorValueStarts[g], q, c);
            Span<double> matrix = valueSpan[choleskyRange];
            Span<double> reflectors = valueSpan[reflectorRange];
            if (!(norms[g] * TriangularKernel.InverseNormBound(matrix, q) <= ConditionLimit))
            {
                return null;
            }

            for (int i = 0; i < q; i++)
            {
                logDeterminantX += 2 * Math.Log(matrix[(i * q) + i]);
                smallestPivotX = Math.Min(smallestPivotX, matrix[(i * q) + i] * matrix[(i * q) + i]);
            }

            TriangularKernel.SolveLower(matrix, q, reflectors, c);
            flops += ((long)q * q * c) + HouseholderKernel.Factor(reflectors, q, c, valueSpan[tauRange], scratch.AsSpan(0, c));
            coreOrder += rank;
        }

        return FactorCore(structure, values, value, p, m, work, tinyPivot, coreOrder, logDeterminantX, smallestPivotX, oneRowGroups: false, workspace,
            valuesStorage: null, ref flops);
    }

    /// <summary>
    /// Whether the groups go through <see cref="FactorOneRowGroups"/>: every group has at most one row of <c>Dx</c> (a dense layer at
    /// batch 1, some of its weights perhaps without a row: a zero input) and at most <see cref="SmallCholeskyKernel.Limit"/> parameters
    /// (larger ones keep the whole block's Cholesky kernels).
    /// </summary>
    private static bool TakesOneRowGroups(ParameterGroups structure) =>
        structure.AtMostOneRowPerGroup && structure.LargestParameterCount <= SmallCholeskyKernel.Limit;

    /// <summary>
    /// <see cref="FactorGroups"/> where every group has at most one row: each group with a row has its norm, Cholesky factor, condition
    /// bound, <c>L_g^-1 z_g</c> and reflector in one pass over its values (<see cref="OneRowGroupKernel.Factor(Span{double}, int, double, out double, out double, ref double, ref double, ref long)"/>;
    /// two of one order with a row each at once, runs of three to eight in lanes, <see cref="FactorOneRowLanes"/>), a group without one its Cholesky factor, condition bound and log-determinant only
    /// (<see cref="FactorRowlessGroup"/>: no reflector, no row of the core); then the core as there, over the groups with a row.
    /// </summary>
    private static LowRankPivotBlockFactor? FactorOneRowGroups(ParameterGroups structure, Memory<double> values, ReadOnlySpan<double> value,
        int p, int m, Span<double> work, double tinyPivot, LowRankWorkspace workspace, FactorStorage? valuesStorage, ref long flops)
    {
        Span<double> valueSpan = values.Span;
        int count = structure.Parameters.Length;
        double logDeterminantX = 0;
        double smallestPivotX = double.PositiveInfinity;
        int offset = 0;
        int coreOrder = 0;
        int laneCount = OneRowGroupKernel.LaneCount(workspace.OneRowLaneBits);
        for (int g = 0; g < count; g++)
        {
            int q = structure.Parameters[g].Length;
            int c = structure.Rows[g].Length;
            int length = GroupValueCount(q, c);
            if (c == 0)
            {
                if (!FactorRowlessGroup(valueSpan.Slice(offset, length), q, tinyPivot, ref logDeterminantX, ref smallestPivotX, ref flops))
                {
                    return null;
                }

                offset += length;
                continue;
            }

            // A run of groups of one order with a row each, one per lane of a vector, where it has more than a pair.
            int run = 1;
            while (run < laneCount && g + run < count && structure.Parameters[g + run].Length == q && structure.Rows[g + run].Length == 1)
            {
                run++;
            }

            if (run >= LaneRunMinimum)
            {
                if (!FactorOneRowLanes(valueSpan.Slice(offset, run * length), q, run, laneCount, tinyPivot, workspace, ref logDeterminantX, ref smallestPivotX, ref flops))
                {
                    return null;
                }

                coreOrder += run;
                offset += run * length;
                g += run - 1;
                continue;
            }

            // Only two groups with a row each pair up: the pair kernel reflects both (q is within its limit: this path takes no larger group).
            if (g + 1 < count && structure.Parameters[g + 1].Length == q && structure.Rows[g + 1].Length == 1)
            {
                // Two groups of one order side by side: their chains of square roots and divisions overlap.
                if (!OneRowGroupKernel.FactorPair(valueSpan.Slice(offset, length), valueSpan.Slice(offset + length, length), q, tinyPivot,
                        out (double First, double Second) norms, out (double First, double Second) bounds, ref logDeterminantX, ref smallestPivotX, ref flops)
                    || !(norms.First * bounds.First <= ConditionLimit)
                    || !(norms.Second * bounds.Second <= ConditionLimit))
                {
                    return null;
                }

                coreOrder += 2;
                offset += 2 * length;
                g++;
                continue;
            }

            if (!OneRowGroupKernel.Factor(valueSpan.Slice(offset, length), q, tinyPivot, out double norm, out double inverseNormBound,
                    ref logDeterminantX, ref smallestPivotX, ref flops)
                || !(norm * inverseNormBound <= ConditionLimit))
            {
                return null;
            }

            coreOrder++;
            offset += length;
        }

        return FactorCore(structure, values, value, p, m, work, tinyPivot, coreOrder, logDeterminantX, smallestPivotX, oneRowGroups: true, workspace,
            valuesStorage, ref flops);
    }

    /// <summary>
    /// The fewest groups of one order (with a row each) <see cref="FactorOneRowLanes"/> takes: a pair goes to
    /// <see cref="OneRowGroupKernel.FactorPair"/>, whose two lanes need no copy in and out.
    /// </summary>
    private const int LaneRunMinimum = 3;

    /// <summary>
    /// <paramref name="run"/> consecutive groups of <paramref name="q"/> parameters and one row each, their values in
    /// <paramref name="groups"/> as the gather laid them out, factored as <see cref="OneRowGroupKernel.Factor(Span{double}, int, double, out double, out double, ref double, ref double, ref long)"/>
    /// factors each (the same bits), one per lane of <see cref="LowRankWorkspace.OneRowLaneBits"/> (<paramref name="laneCount"/> lanes,
    /// <see cref="OneRowGroupKernel.FactorLanes"/>): copied into the workspace interleaved, factored, copied back; counted in
    /// <see cref="LowRankWorkspace.LaneRuns"/>. False at a failed pivot or past <see cref="ConditionLimit"/>.
    /// </summary>
    private static bool FactorOneRowLanes(Span<double> groups, int q, int run, int laneCount, double tinyPivot, LowRankWorkspace workspace,
        ref double logDeterminantX, ref double smallestPivotX, ref long flops)
    {
        workspace.LaneRuns++;
        int length = GroupValueCount(q, 1);
        int interleavedLength = OneRowGroupKernel.LaneValueCount(q, laneCount);
        Span<double> interleaved = LowRankWorkspace.Grow(ref workspace.LaneValues, interleavedLength).AsSpan(0, interleavedLength);

        // The groups' values in, the strict upper triangles' zeros with them (block transposes: element by element the copies took as long as the factor).
        LaneTranspose.Interleave(groups, length, run, interleaved, workspace.OneRowLaneBits);
        Span<double> norms = stackalloc double[laneCount];
        Span<double> bounds = stackalloc double[laneCount];
        if (!OneRowGroupKernel.FactorLanes(interleaved, q, run, tinyPivot, norms, bounds, ref logDeterminantX, ref smallestPivotX, ref flops, workspace.OneRowLaneBits))
        {
            return false;
        }

        for (int r = 0; r < run; r++)
        {
            if (!(norms[r] * bounds[r] <= ConditionLimit))
            {
                return false;
            }
        }

        // L_g (the zeros above it as they came in), the reflected z_g and tau back where the half solve and the core read them.
        LaneTranspose.Deinterleave(interleaved, length, run, groups, workspace.OneRowLaneBits);
        return true;
    }

    /// <summary>
    /// A group without a row of <c>Dx</c> (<paramref name="matrix"/>, <c>X_g</c>, <paramref name="q"/> x <paramref name="q"/>): its
    /// Cholesky factor in place, condition check and log-determinant, as <see cref="FactorGroups"/> takes it (the same norm, kernel and bound).
    /// False at a failed pivot or past <see cref="ConditionLimit"/>.
    /// </summary>
    private static bool FactorRowlessGroup(Span<double> matrix, int q, double tinyPivot, ref double logDeterminantX, ref double smallestPivotX, ref long flops)
    {
        Span<double> rowSums = stackalloc double[q];
        double norm = LowerTriangleNorm(matrix, q, rowSums);
        if (SmallCholeskyKernel.Factor(matrix, q, tinyPivot, ref flops) >= 0
            || !(norm * TriangularKernel.InverseNormBound(matrix, q) <= ConditionLimit))
        {
            return false;
        }

        for (int i = 0; i < q; i++)
        {
            logDeterminantX += 2 * Math.Log(matrix[(i * q) + i]);
            smallestPivotX = Math.Min(smallestPivotX, matrix[(i * q) + i] * matrix[(i * q) + i]);
        }

        return true;
    }

    /// <summary>
    /// Forms the core <c>T</c> from the groups' factors and factors it: the route's factor, or null where <c>T</c>'s pivot fails;
    /// <paramref name="oneRowGroups"/> where the groups came from <see cref="FactorOneRowGroups"/> (the half solve then takes them in place);
    /// <paramref name="valuesStorage"/> the storage <paramref name="values"/> (all the groups' values) lie in, if they do.
    /// </summary>
    private static LowRankPivotBlockFactor? FactorCore(ParameterGroups structure, ReadOnlyMemory<double> values, ReadOnlySpan<double> value,
        int p, int m, Span<double> work, double tinyPivot, int coreOrder, double logDeterminantX, double smallestPivotX, bool oneRowGroups, LowRankWorkspace workspace,
        FactorStorage? valuesStorage, ref long flops)
    {
        double[] t = FormMirroredCore(structure, values.Span, value, m, coreOrder, work, workspace, ref flops);
        // A pivot d of T stands for about d times a pivot of X in A (cond(X) <= 100).
        double tinyCorePivot = Math.Max(coreOrder * Math.ScaleB(1.0, -52) * Math.Max(1.0, VectorKernels.MaxAbs(t)), tinyPivot / smallestPivotX);
        // A core whose rows are whole tiles (order 128 at width 16, batch 8) is its own Cholesky square: no copy of 128 KB into the
        // kernel's. A failed attempt leaves T scratch; it is formed again (the same bits; its flops not counted twice) for
        // Bunch-Kaufman, which an indefinite core takes (a few layers in a hundred).
        bool inPlace = PivotBlockFactor.CholeskyFactorsInPlace(coreOrder);
        bool overwritten = false;
        bool formedAgain = false;
        PivotBlockFactor? core = inPlace ? PivotBlockFactor.CreateCholeskyInPlace(t, coreOrder, tinyCorePivot, ref flops, out overwritten) : null;
        if (core is null)
        {
            if (overwritten)
            {
                long flopsAgain = 0;
                t = FormMirroredCore(structure, values.Span, value, m, coreOrder, work, workspace, ref flopsAgain);
                formedAgain = true;
            }

            double[] coreWork = LowRankWorkspace.Grow(ref workspace.CoreWork, PivotBlockFactor.WorkLength(coreOrder));
            core = PivotBlockFactor.Create(t, coreOrder, coreWork.AsSpan(0, PivotBlockFactor.WorkLength(coreOrder)), tinyCorePivot, ref flops,
                upperMirrorsLower: true, choleskyRuledOut: inPlace);
        }

        return core is null ? null : new LowRankPivotBlockFactor(structure, values, core, p, logDeterminantX, oneRowGroups, valuesStorage)
        {
            CoreFormedAgain = formedAgain,
        };

        // T formed, its upper triangle made the lower one's exact mirror before the largest-entry scan reads all of it (FormCore
        // leaves it as the layer before did); PivotBlockFactor.Create is told so and does not mirror it again.
        static double[] FormMirroredCore(ParameterGroups structure, ReadOnlySpan<double> values, ReadOnlySpan<double> value, int m, int order, Span<double> work,
            LowRankWorkspace workspace, ref long flops)
        {
            double[] t = FormCore(structure, values, value, m, order, work, workspace, ref flops);
            MatrixKernels.MirrorLower(t, order);
            return t;
        }
    }

    /// <summary>
    /// Each group's <c>||X_g||_inf</c> into <paramref name="norms"/> (from the lower triangle, <c>X_g</c> being symmetric), then
    /// its Cholesky factor in place (<see cref="FactorGroupCholesky"/>; two groups of one order up to
    /// <see cref="SmallCholeskyKernel.PairLimit"/> at once). False at the first failed pivot.
    /// </summary>
    private static bool FactorAllGroupsCholesky(ParameterGroups structure, Span<double> values, Span<double> norms, double[] scratch, double tinyPivot, ref long flops)
    {
        int count = structure.Parameters.Length;
        int offset = 0;
        for (int g = 0; g < count; g++)
        {
            int q = structure.Parameters[g].Length;
            Span<double> matrix = values.Slice(offset, q * q);
            norms[g] = LowerTriangleNorm(matrix, q, scratch.AsSpan(0, q));
            offset += GroupValueCount(q, structure.Rows[g].Length);
        }

        offset = 0;
        for (int g = 0; g < count; g++)
        {
            int q = structure.Parameters[g].Length;
            Span<double> matrix = values.Slice(offset, q * q);
            offset += GroupValueCount(q, structure.Rows[g].Length);
            if (g + 1 < count && structure.Parameters[g + 1].Length == q && q <= SmallCholeskyKernel.PairLimit)
            {
                Span<double> next = values.Slice(offset, q * q);
                offset += GroupValueCount(q, structure.Rows[g + 1].Length);
                g++;
                if (SmallCholeskyKernel.FactorPair(matrix, next, q, tinyPivot, ref flops) >= 0)
                {
                    return false;
                }
            }
            else if (FactorGroupCholesky(matrix, q, scratch, tinyPivot, ref flops) >= 0)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary><c>||X_g||_inf</c> from the lower triangle of <paramref name="matrix"/> (<c>X_g</c> is symmetric), <paramref name="rowSums"/> (<paramref name="q"/> values) its scratch.</summary>
    private static double LowerTriangleNorm(ReadOnlySpan<double> matrix, int q, Span<double> rowSums)
    {
        rowSums.Clear();
        for (int i = 0; i < q; i++)
        {
            for (int j = 0; j <= i; j++)
            {
                double magnitude = Math.Abs(matrix[(i * q) + j]);
                rowSums[i] += magnitude;
                rowSums[j] += j < i ? magnitude : 0;
            }
        }

        double norm = 0;
        foreach (double sum in rowSums)
        {
            norm = Math.Max(norm, sum);
        }

        return norm;
    }

    /// <summary>
    /// Cholesky of a group's <c>X_g</c> (lower triangle, <paramref name="q"/> x <paramref name="q"/>) in place: a small group
    /// (<see cref="SmallCholeskyKernel.Limit"/> parameters or fewer: a dense layer's unit of up to 31 inputs) by
    /// <see cref="SmallCholeskyKernel"/>, which needs no scratch, a larger one by the whole block's choice
    /// (<see cref="PivotBlockFactor.FactorCholesky"/>). The index of a failed pivot, or -1.
    /// </summary>
    private static int FactorGroupCholesky(Span<double> matrix, int q, Span<double> scratch, double tinyPivot, ref long flops) =>
        q <= SmallCholeskyKernel.Limit
            ? SmallCholeskyKernel.Factor(matrix, q, tinyPivot, ref flops)
            : PivotBlockFactor.FactorCholesky(matrix, q, scratch, tinyPivot, ref flops);

    /// <summary>The scratch values <see cref="FactorGroupCholesky"/> needs for a group of <paramref name="q"/> parameters.</summary>
    private static int GroupCholeskyWorkLength(int q) => q <= SmallCholeskyKernel.Limit ? 0 : PivotBlockFactor.CholeskyWorkLength(q);

    /// <summary>
    /// The same factors in <paramref name="storage"/>, for the sweeps once the recursion is past the layer: the groups'
    /// <c>L_g</c>, QR and <c>tau</c> contiguous, group after group as a solve reads them, their parameters' indices
    /// contiguous in the storage's indices, and the core: a Cholesky core packed (<see cref="PackedCholeskyFactor"/>), a
    /// Bunch-Kaufman one square with its pivots (<see cref="PivotBlockFactor.KeptIn"/>). Kept as arrays of their own they were a few small objects per group and layer
    /// that lived to the end of a deep factorization, which every collection promoted; the storage is reused from the pool
    /// and never copied. <c>Create</c> lays the groups' values out in its workspace as they are kept here, so they go over in one copy;
    /// on the one-row path, given this storage, it wrote them here already and they are not copied.
    /// </summary>
    internal LowRankPivotBlockFactor KeptIn(FactorStorage storage)
    {
        IPivotBlockFactor keptCore = core switch
        {
            PivotBlockFactor { IsPositiveDefinite: true } cholesky => new PackedCholeskyFactor(cholesky, storage),
            PivotBlockFactor bunchKaufman => bunchKaufman.KeptIn(storage),
            _ => throw new InvalidOperationException($"The core ({core.GetType().Name}) is kept already."),
        };
        // Written there as they were factored (Create given this storage), or copied now from the workspace.
        ReadOnlyMemory<double> kept = groupValues;
        bool inStorage = ReferenceEquals(storage, valuesStorage);
        if (!inStorage)
        {
            Memory<double> copy = storage.Take(groupValues.Length);
            groupValues.CopyTo(copy);
            kept = copy;
        }

        // The groups' parameters' indices beside them in the storage's indices, one copy for all groups: the sweeps gather and scatter
        // by them (the rows are read only for their count), and as the derivatives' arrays of each group they were a scattered small
        // object per group to fetch. The groups themselves are views by offset (GroupFactor), nothing kept per group.
        Memory<int> keptParameters = storage.TakeIndices(structure.AllParameters.Length);
        structure.AllParameters.CopyTo(keptParameters);
        return new LowRankPivotBlockFactor(structure, kept, keptParameters, keptCore, Order, Inertia, LogDeterminant, oneRowGroups)
        {
            KeptWithoutCopy = inStorage,
        };
    }

    /// <summary>
    /// The groups' values (<c>L_g</c>, QR and <c>tau</c>, contiguous), their parameters' indices and the core's factor, once
    /// kept (<see cref="KeptIn"/>), as the factors a solve reads are.
    /// </summary>
    public void QueueStoredSpans(ref PrefetchQueue queue)
    {
        queue.Add(groupValues.Span);
        queue.Add(groupParameters.Span);
        core.QueueStoredSpans(ref queue);
    }

    /// <summary>
    /// The values <see cref="KeptIn"/> takes for a block with the groups <paramref name="structure"/>, its core taken as a
    /// Cholesky factor (packed): what the recursion expects to store for a layer this route may take.
    /// </summary>
    internal static long KeptValues(ParameterGroups structure)
    {
        int groups = structure.Parameters.Length;
        return structure.FactorValueStarts[groups] + PackedCholeskyKernel.PackedLength(structure.CoreStarts[groups]);
    }

    /// <summary>The values a group of <paramref name="q"/> parameters and <paramref name="c"/> rows keeps: <c>L_g</c>, the QR and <c>tau</c>.</summary>
    internal static int GroupValueCount(int q, int c) => (q * q) + (q * c) + Math.Min(q, c);

    /// <summary>
    /// Where a group's values lie from <paramref name="offset"/>, in the workspace as in the storage: <c>L_g</c>
    /// (<c>q x q</c>), then the QR of <c>L_g^-1 Z_g^T</c> (<c>q x c</c>), then <c>tau</c> (<c>min(q, c)</c>);
    /// <see cref="GroupValueCount"/> in all.
    /// </summary>
    private static (Range Cholesky, Range Reflectors, Range Tau) GroupLayout(int offset, int q, int c)
    {
        int reflectors = offset + (q * q);
        int tau = reflectors + (q * c);
        return (offset..reflectors, reflectors..tau, tau..(tau + Math.Min(q, c)));
    }

    /// <summary>
    /// <c>A^-1 B = L^-T Q [T^-1, 0; 0, I] Q^T L^-1 B</c>: per group <c>Q_g^T L_g^-1</c>, whose first <c>k</c> rows
    /// go to <c>T</c> (which couples the groups) and the rest stay; then back through <c>Q_g</c> and <c>L_g^-T</c>.
    /// </summary>
    public void Solve(Span<double> rows, int width)
    {
        if (rows.Length != Order * width)
        {
            throw new ArgumentException($"rows has {rows.Length} values; expected {Order} rows of {width}.", nameof(rows));
        }

        // Scratch from the shared pool: a solve with one right-hand side runs this once per layer, and three
        // small arrays per call were most of what a batch-1 solve allocated.
        double[] block = ArrayPool<double>.Shared.Rent(largestGroup * width);
        double[] workArray = ArrayPool<double>.Shared.Rent(width);
        double[] coreArray = ArrayPool<double>.Shared.Rent(core.Order * width);
        try
        {
            SolveWith(rows, width, block, workArray.AsSpan(0, width), coreArray.AsSpan(0, core.Order * width));
        }
        finally
        {
            ArrayPool<double>.Shared.Return(block);
            ArrayPool<double>.Shared.Return(workArray);
            ArrayPool<double>.Shared.Return(coreArray);
        }
    }

    private void SolveWith(Span<double> rows, int width, Span<double> block, Span<double> work, Span<double> coreRows)
    {
        SolveGroupsLower(rows, width, block, work, coreRows);
        core.Solve(coreRows, width);
        SolveGroupsUpper(rows, width, block, work, coreRows);
    }

    /// <summary>
    /// Per group <c>Q_g^T L_g^-1</c> on its rows, the first <c>k</c> of each copied to <paramref name="coreRows"/>; as one product
    /// where <see cref="SolvesGroupExplicitly"/> says so (the rows that go to the core are then left in <paramref name="rows"/> as
    /// they were).
    /// </summary>
    private void SolveGroupsLower(Span<double> rows, int width, Span<double> block, Span<double> work, Span<double> coreRows)
    {
        if (oneRowGroups)
        {
            // At most one row per group: each group's rows solved (and, with a row, reflected) in place, no gather or scatter (OneRowGroupKernel).
            // Two groups of one order with a row each in one loop where the rows are whole vectors, so that their chains overlap.
            bool pairs = PairsInTheHalfSolve && width % 8 == 0;
            GroupList groups = Groups;
            for (int k = 0; k < groups.Length; k++)
            {
                GroupFactor g = groups[k];
                if (pairs && k + 1 < groups.Length && g.Tau.Length == 1 && groups[k + 1].Tau.Length == 1 && groups[k + 1].Parameters.Length == g.Parameters.Length)
                {
                    GroupFactor h = groups[k + 1];
                    OneRowGroupKernel.SolveLowerPair(g.Values, g.Parameters, coreRows.Slice(g.CoreOffset * width, width),
                        h.Values, h.Parameters, coreRows.Slice(h.CoreOffset * width, width), rows, width);
                    k++;
                    continue;
                }

                OneRowGroupKernel.SolveLower(g.Values, g.Parameters, rows, width, coreRows.Slice(g.CoreOffset * width, g.Tau.Length * width), VectorWidth.Hardware);
            }

            return;
        }

        double[]? inverse = null;
        double[]? coefficients = null;
        try
        {
            foreach (GroupFactor g in Groups)
            {
                if (SolvesGroupExplicitly(g.Parameters.Length, g.Tau.Length, width))
                {
                    inverse ??= ArrayPool<double>.Shared.Rent(largestGroup * largestGroup);
                    coefficients ??= ArrayPool<double>.Shared.Rent(4 * largestGroup);
                    int q = g.Parameters.Length;
                    SolveGroupLowerExplicitly(g, rows, width, block, inverse.AsSpan(0, q * q), coefficients, work, coreRows);
                    continue;
                }

                SolveGroupLowerByReflectors(g, rows, width, block, work, coreRows);
            }
        }
        finally
        {
            if (inverse is not null)
            {
                ArrayPool<double>.Shared.Return(inverse);
            }

            if (coefficients is not null)
            {
                ArrayPool<double>.Shared.Return(coefficients);
            }
        }
    }

    /// <summary><c>Q_g^T L_g^-1</c> on the group's rows, by a triangular solve and the reflectors one by one; the first <c>k</c> rows copied to <paramref name="coreRows"/>.</summary>
    private static void SolveGroupLowerByReflectors(GroupFactor g, Span<double> rows, int width, Span<double> block, Span<double> work, Span<double> coreRows)
    {
        Span<double> z = Gather(g, rows, width, block);
        TriangularKernel.SolveLower(g.Cholesky, g.Parameters.Length, z, width);
        HouseholderKernel.ApplyTranspose(g.Reflectors, g.Parameters.Length, g.Rows.Length, g.Tau, z, width, work);
        z[..(g.Tau.Length * width)].CopyTo(coreRows[(g.CoreOffset * width)..]);
        Scatter(g, z, rows, width);
    }

    /// <summary>Per group, its first <c>k</c> rows from <paramref name="coreRows"/>, then <c>L_g^-T Q_g</c> on its rows.</summary>
    private void SolveGroupsUpper(Span<double> rows, int width, Span<double> block, Span<double> work, Span<double> coreRows)
    {
        foreach (GroupFactor g in Groups)
        {
            Span<double> z = Gather(g, rows, width, block);
            coreRows.Slice(g.CoreOffset * width, g.Tau.Length * width).CopyTo(z);
            HouseholderKernel.Apply(g.Reflectors, g.Parameters.Length, g.Rows.Length, g.Tau, z, width, work);
            TriangularKernel.SolveLowerTransposed(g.Cholesky, g.Parameters.Length, z, width);
            Scatter(g, z, rows, width);
        }
    }

    /// <summary>
    /// <c>B = W^-1 B</c>, <c>W = L Q [W_T, 0; 0, I]</c>: the first half of <see cref="Solve"/>, per group <c>Q_g^T L_g^-1</c>, then
    /// the core's lower half on the rows that go to <c>T</c> (each group's first <c>k</c>, in its parameters' order).
    /// </summary>
    public void SolveLowerHalf(Span<double> rows, int width) => SolveHalf(rows, width, lower: true);

    /// <summary><c>B = M^-1 B</c>, <c>M = [M_T, 0; 0, I]</c>: the core's middle on the rows that go to <c>T</c>, the rest kept.</summary>
    public void SolveMiddle(Span<double> rows, int width)
    {
        if (core.MiddleIsIdentity)
        {
            RequireRows(rows, width);
            return;
        }

        double[] coreArray = ArrayPool<double>.Shared.Rent(core.Order * width);
        try
        {
            Span<double> coreRows = coreArray.AsSpan(0, core.Order * width);
            MoveCoreRows(rows, coreRows, width, toCore: true);
            core.SolveMiddle(coreRows, width);
            MoveCoreRows(rows, coreRows, width, toCore: false);
        }
        finally
        {
            ArrayPool<double>.Shared.Return(coreArray);
        }
    }

    /// <summary><c>B = W^-T B</c>: the core's upper half on the rows of <c>T</c>, then per group <c>L_g^-T Q_g</c>.</summary>
    public void SolveUpperHalf(Span<double> rows, int width) => SolveHalf(rows, width, lower: false);

    /// <summary>
    /// Per column and group, <c>q^2</c> for <c>L_g^-1</c> and <c>4 q k - 2 k^2</c> for <c>Q_g^T</c> (<c>k</c> reflectors, the <c>j</c>-th
    /// <c>q - j</c> long); for a group solved explicitly at this width (<see cref="SolvesGroupExplicitly"/>) that on the identity's
    /// <c>q</c> columns to form <c>Q_g^T L_g^-1</c>, then <c>2 q^2</c> per column for the product; then the core's lower half.
    /// </summary>
    public long LowerHalfFlops(int width)
    {
        // From the groups' offsets (q parameters, k = min(q, c) reflectors, as each group's tau holds), not their views: the count
        // is asked a few times per layer.
        ReadOnlySpan<int> parameterStarts = structure.ParameterStarts;
        ReadOnlySpan<int> coreStarts = structure.CoreStarts;
        long flops = 0;
        for (int g = 0; g + 1 < coreStarts.Length; g++)
        {
            int q = parameterStarts[g + 1] - parameterStarts[g];
            int k = coreStarts[g + 1] - coreStarts[g];
            flops += SolvesGroupExplicitly(q, k, width) ? ExplicitFlops(q, k, 0, width, formsInverse: true) : ReflectorFlops(q, k) * width;
        }

        return flops + core.LowerHalfFlops(width);
    }

    /// <summary>A column's flops of <c>L_g^-1</c> (<c>q^2</c>) and then <c>Q_g^T</c> (<c>4 q k - 2 k^2</c>: <c>k</c> reflectors, the <c>j</c>-th <c>q - j</c> long).</summary>
    private static long ReflectorFlops(long q, long k) => (q * q) + (4 * q * k) - (2 * k * k);

    /// <summary>
    /// A group's explicit half solve on <paramref name="width"/> columns, counted as the reflectors' way is, by the factors' structural
    /// non-zeros: with <paramref name="formsInverse"/>, <c>G = Q_g^T L_g^-1</c> formed (the reflectors' count on the identity's
    /// <c>q</c> columns) and applied (<c>2 q^2</c> per column; <c>q (q + 1)</c> for <c>G = L_g^-1</c>, lower triangular, where
    /// <c>k = 0</c>); and <c>R_g</c>'s rows on <paramref name="triangleColumns"/> rows of <c>-(P Dz)</c> (row <c>i</c> of
    /// <c>R_g</c> has <c>c - i</c> terms), twice per column.
    /// </summary>
    private static long ExplicitFlops(long q, long k, long triangleColumns, long width, bool formsInverse)
    {
        long triangle = triangleColumns == 0 ? 0 : 2 * ((k * triangleColumns) - (k * (k - 1) / 2)) * width;
        long product = k == 0 ? q * (q + 1) : 2 * q * q;
        return formsInverse ? (ReflectorFlops(q, k) * q) + (product * width) + triangle : triangle;
    }

    /// <summary>
    /// Whether the lower half solve of a group (<paramref name="q"/> parameters, <paramref name="k"/> reflectors) on
    /// <paramref name="width"/> columns forms <c>Q_g^T L_g^-1</c> (<c>q x q</c>) and multiplies by it (<see cref="SolveGroupLowerExplicitly"/>)
    /// rather than solving with <c>L_g</c> and applying the reflectors one by one: for groups of at least
    /// <see cref="ExplicitGroupParameters"/> parameters and <see cref="ExplicitGroupReflectors"/> reflectors on at least <c>2 q</c>
    /// columns (the recursion's <c>Y = W^-1 C</c>, not a sweep's one column). The flops do not decide it (the product costs
    /// <c>2 q^2</c> a column against <c>q^2 + 4 q k - 2 k^2</c>, and forming <c>G</c> more): the reflectors' passes, each a
    /// dependent chain over the group's rows, run far below a register-tiled product's rate. Measured on tanh chains of depth 32
    /// (a dense unit's group: <c>q = width + 1</c>, <c>k = batch</c>), both ways alternating in one process, cpu medians of 9 to 15
    /// pairs, explicit over reflectors: width 8 (<c>q = 9</c>) 1.04, 1.04, 1.02, 1.02, 0.99 to 1.02 at batches 3, 4, 5, 6, 8; width
    /// 16 (<c>q = 17</c>) 1.01, 0.98, 0.94, 0.98, 0.92 to 0.95; width 32 (<c>q = 33</c>) at batches 3, 4, 5, 8 0.99, 1.00, 0.93, 0.94.
    /// </summary>
    internal static bool SolvesGroupExplicitly(int q, int k, int width) =>
        q >= ExplicitGroupParameters && k >= ExplicitGroupReflectors && width >= 2 * q;

    /// <summary>The fewest parameters of a group solved explicitly: between 9 (never paid) and 17 (paid from four reflectors on).</summary>
    internal const int ExplicitGroupParameters = 16;

    /// <summary>The fewest reflectors of a group solved explicitly: at three (batch 3) it was 1 % slower at width 16.</summary>
    internal const int ExplicitGroupReflectors = 4;

    /// <summary>
    /// Whether <see cref="SolveCouplingLowerHalf"/> takes <c>Y = W^-1 C</c> at this width: every group with rows of <c>Dx</c> is
    /// solved explicitly there (<see cref="SolvesGroupExplicitly"/>; a group without rows has <c>G = L_g^-1</c>).
    /// </summary>
    internal bool SolvesCouplingDirectly(int width)
    {
        foreach (GroupFactor g in Groups)
        {
            if (g.Rows.Length > 0 && !SolvesGroupExplicitly(g.Parameters.Length, g.Tau.Length, width))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// <c>Y = W^-1 C</c> for the coupling <c>C = Xzx + Dx^T (P Dz)</c> without forming <c>C</c>: with <c>G_g = Q_g^T L_g^-1</c>,
    /// <c>G_g Z_g^T = [R_g; 0]</c> (the group's QR), so <c>Y_g = G_g Xzx_g + [R_g; 0] (P Dz)[rows_g, :]</c>, <c>Xzx_g</c>'s rows
    /// gathered from its example blocks while the group's factors are in L1; then the core's lower half on the rows that go to
    /// <c>T</c> (a Cholesky core's where the products left them, in <paramref name="y"/>, not on a copy moved back). Where <see cref="SolvesCouplingDirectly"/>: forming <c>C</c> (a copy of <c>Xzx</c> into the storage and
    /// <c>Dx^T (P Dz)</c> group by group) and solving it took a pass over <c>C</c> more and the product with <c>Z_g^T</c>.
    /// </summary>
    /// <param name="xzx"><c>Xzx</c>'s example blocks, <paramref name="count"/> of <c>p x inputs</c>; empty where it is zero.</param>
    /// <param name="count">Examples: <paramref name="width"/> is <paramref name="count"/> x <paramref name="inputs"/>.</param>
    /// <param name="inputs">The layer's inputs per example.</param>
    /// <param name="negativeValueDz"><c>-(P Dz)</c>, <c>m x width</c>.</param>
    /// <param name="width">Columns of <c>C</c>: the input state's order.</param>
    /// <param name="y"><c>Y</c>, <c>p x width</c>, written whole.</param>
    /// <returns>The floating-point operations performed.</returns>
    internal long SolveCouplingLowerHalf(ReadOnlySpan<double> xzx, int count, int inputs, ReadOnlySpan<double> negativeValueDz, int width, Span<double> y)
    {
        RequireRows(y, width);
        if (width != count * inputs || (!xzx.IsEmpty && xzx.Length != count * Order * inputs))
        {
            throw new ArgumentException($"Xzx has {xzx.Length} values and the coupling {width} columns; expected {count} blocks of {Order} x {inputs}.", nameof(xzx));
        }

        int largestRows = 0;
        foreach (GroupFactor g in Groups)
        {
            largestRows = Math.Max(largestRows, g.Rows.Length);
        }

        double[] block = ArrayPool<double>.Shared.Rent((largestGroup + largestRows) * width);
        double[] inverse = ArrayPool<double>.Shared.Rent(largestGroup * largestGroup);
        double[] coefficients = ArrayPool<double>.Shared.Rent(4 * (largestGroup + largestRows));
        double[] workArray = ArrayPool<double>.Shared.Rent(largestGroup);
        // A Cholesky core solves T's rows where the products leave them, each group's first k rows of Y (the same strips as on a
        // copy, so the same bits); a Bunch-Kaufman core, or one without explicit vectors, on a copy that is then moved back.
        PivotBlockFactor? choleskyCore = core is PivotBlockFactor { SolvesLowerHalfRows: true } rowSolver ? rowSolver : null;
        double[] coreArray = ArrayPool<double>.Shared.Rent(choleskyCore is null ? core.Order * width : 0);
        int[] coreRowArray = ArrayPool<int>.Shared.Rent(choleskyCore is null ? 0 : core.Order);
        try
        {
            Span<double> coreRows = choleskyCore is null ? coreArray.AsSpan(0, core.Order * width) : [];
            long flops = 0;
            foreach (GroupFactor g in Groups)
            {
                ReadOnlySpan<int> parameters = g.Parameters;
                ReadOnlySpan<int> rows = g.Rows;
                int q = parameters.Length;
                int c = rows.Length;
                int k = g.Tau.Length;
                // Without Xzx, G_g multiplies zero rows: neither formed nor applied (a group without rows of Dx then gives zero rows).
                int xzxRows = xzx.IsEmpty ? 0 : q;
                for (int i = 0; i < xzxRows; i++)
                {
                    for (int n = 0; n < count; n++)
                    {
                        xzx.Slice((((n * Order) + parameters[i]) * inputs), inputs).CopyTo(block.AsSpan((i * width) + (n * inputs), inputs));
                    }
                }

                // Below Xzx_g, the group's rows of -(P Dz): the rows bound for T take R_g's terms from them, -R_g (-(P Dz))[rows_g, :].
                for (int j = 0; j < c; j++)
                {
                    negativeValueDz.Slice(rows[j] * width, width).CopyTo(block.AsSpan((xzxRows + j) * width, width));
                }

                Span<double> groupInverse = inverse.AsSpan(0, xzxRows * xzxRows);
                if (xzxRows > 0)
                {
                    FormGroupInverse(g, groupInverse, workArray);
                }

                MultiplyGroupRows(g, groupInverse, block.AsSpan(0, (xzxRows + c) * width), y, width, coefficients, coreRows, triangleColumns: c,
                    coreRowsInPlace: choleskyCore is not null);
                flops += ExplicitFlops(q, k, c, width, formsInverse: xzxRows > 0);
            }

            if (choleskyCore is not null)
            {
                Span<int> coreRowIndices = coreRowArray.AsSpan(0, core.Order);
                foreach (GroupFactor g in Groups)
                {
                    g.Parameters[..g.Tau.Length].CopyTo(coreRowIndices[g.CoreOffset..]);
                }

                choleskyCore.SolveLowerHalfRows(y, width, coreRowIndices);
            }
            else
            {
                core.SolveLowerHalf(coreRows, width);
                MoveCoreRows(y, coreRows, width, toCore: false);
            }

            return flops + core.LowerHalfFlops(width);
        }
        finally
        {
            ArrayPool<double>.Shared.Return(block);
            ArrayPool<double>.Shared.Return(inverse);
            ArrayPool<double>.Shared.Return(coefficients);
            ArrayPool<double>.Shared.Return(workArray);
            ArrayPool<double>.Shared.Return(coreArray);
            ArrayPool<int>.Shared.Return(coreRowArray);
        }
    }

    /// <summary>
    /// <c>Q_g^T L_g^-1</c> on the group's rows of <paramref name="rows"/> as one product: <c>G = Q_g^T L_g^-1</c> formed from the
    /// identity (<paramref name="inverse"/>, <c>q x q</c>), the rows gathered into <paramref name="block"/>, then four rows of
    /// <c>G Z</c> at a time in register tiles (<see cref="FourRowCombination"/>): the first <c>k</c> rows, which go to <c>T</c>,
    /// straight into <paramref name="coreRows"/>, the rest back into the group's rows.
    /// </summary>
    private static void SolveGroupLowerExplicitly(GroupFactor g, Span<double> rows, int width, Span<double> block, Span<double> inverse,
        Span<double> coefficients, Span<double> work, Span<double> coreRows)
    {
        FormGroupInverse(g, inverse, work);
        MultiplyGroupRows(g, inverse, Gather(g, rows, width, block), rows, width, coefficients, coreRows, triangleColumns: 0, coreRowsInPlace: false);
    }

    /// <summary><c>G = Q_g^T L_g^-1</c> (<c>q x q</c>) into <paramref name="inverse"/>: the triangular solve and the reflectors on the identity's <c>q</c> columns (<see cref="GroupInverseKernel"/>).</summary>
    private static void FormGroupInverse(GroupFactor g, Span<double> inverse, Span<double> work) =>
        GroupInverseKernel.Form(g.Cholesky, g.Parameters.Length, g.Reflectors, g.Rows.Length, g.Tau, inverse, work);

    /// <summary>
    /// <c>G z</c> for the group's <c>q x q</c> <paramref name="inverse"/> and the first <c>q</c> rows of <paramref name="z"/> (apart
    /// from <paramref name="rows"/>): its first <c>k</c> rows into <paramref name="coreRows"/> (from the group's core offset), the rest
    /// into the group's rows of <paramref name="rows"/>, four at a time in register tiles. An empty <paramref name="inverse"/> stands
    /// for rows of <paramref name="z"/> that are zero (none in it). Below them <paramref name="z"/> has <paramref name="triangleColumns"/>
    /// rows more (0, or the group's <c>c</c>), and the rows bound for <c>T</c> subtract <c>R_g</c>'s row times them too. With
    /// <paramref name="coreRowsInPlace"/> the rows bound for <c>T</c> go to the group's rows of <paramref name="rows"/> too, where the core
    /// solves them (<see cref="PivotBlockFactor.SolveLowerHalfRows"/>).
    /// </summary>
    private static void MultiplyGroupRows(GroupFactor g, ReadOnlySpan<double> inverse, ReadOnlySpan<double> z, Span<double> rows, int width,
        Span<double> coefficients, Span<double> coreRows, int triangleColumns, bool coreRowsInPlace)
    {
        ReadOnlySpan<int> parameters = g.Parameters;
        ReadOnlySpan<double> r = g.Reflectors;
        int q = parameters.Length;
        int c = g.Rows.Length;
        int k = g.Tau.Length;
        int vectorBits = VectorWidth.Hardware;
        int inverseTerms = inverse.IsEmpty ? 0 : q;
        int row = 0;
        while (row < q)
        {
            // A row bound for T takes R_g's row too where asked: its c terms after G's (zero below R_g's diagonal, skipped).
            int terms = inverseTerms + (row < k ? triangleColumns : 0);

            // Four rows at once where all four go to T or all to the group's own rows; one at a time where they would straddle k, and at the end.
            if (row + 4 <= q && (row + 4 <= k || row >= k))
            {
                bool toCore = row < k && !coreRowsInPlace;
                Span<double> target = toCore ? coreRows : rows;
                int r0 = toCore ? g.CoreOffset + row : parameters[row];
                int r1 = toCore ? r0 + 1 : parameters[row + 1];
                int r2 = toCore ? r0 + 2 : parameters[row + 2];
                int r3 = toCore ? r0 + 3 : parameters[row + 3];
                target.Slice(r0 * width, width).Clear();
                target.Slice(r1 * width, width).Clear();
                target.Slice(r2 * width, width).Clear();
                target.Slice(r3 * width, width).Clear();
                for (int i = 0; i < 4; i++)
                {
                    for (int term = 0; term < inverseTerms; term++)
                    {
                        coefficients[(4 * term) + i] = -inverse[((row + i) * q) + term];
                    }

                    for (int j = 0; j < terms - inverseTerms; j++)
                    {
                        coefficients[(4 * (inverseTerms + j)) + i] = j >= row + i ? r[((row + i) * c) + j] : 0;
                    }
                }

                if (terms > 0)
                {
                    _ = FourRowCombination.Subtract(target, width, r0, r1, r2, r3, coefficients[..(4 * terms)], z, width, vectorBits, [], 0);
                }

                row += 4;
                continue;
            }

            Span<double> single = row < k && !coreRowsInPlace ? coreRows.Slice((g.CoreOffset + row) * width, width) : rows.Slice(parameters[row] * width, width);
            single.Clear();
            for (int term = 0; term < inverseTerms; term++)
            {
                coefficients[term] = -inverse[(row * q) + term];
            }

            for (int j = 0; j < terms - inverseTerms; j++)
            {
                coefficients[inverseTerms + j] = j >= row ? r[(row * c) + j] : 0;
            }

            _ = RankUpdate.SubtractCombination(single, coefficients[..terms], z, width);
            row++;
        }
    }

    /// <summary>Whether the core's middle is the identity (a Cholesky factor of <c>T</c>).</summary>
    public bool MiddleIsIdentity => core.MiddleIsIdentity;

    /// <summary>The core's: the rest of <c>M</c> is the identity.</summary>
    public long MiddleFlops(int width) => core.MiddleFlops(width);

    /// <summary>
    /// The half solves' scratch (a group's rows, a work row and the core's rows) that goes on the stack: at batch 1 (width 8, the
    /// recursion's 8 columns) 144 values, where three arrays rented from the shared pool and given back, per layer, cost more than the solve's copies.
    /// </summary>
    private const int StackScratchValues = 2 * StackScratch.MaxRows;

    [SkipLocalsInit]
    private void SolveHalf(Span<double> rows, int width, bool lower)
    {
        RequireRows(rows, width);
        int blockLength = checked(largestGroup * width);
        int coreLength = checked(core.Order * width);
        int scratchLength = checked(blockLength + width + coreLength); // checked before the stack test: an overflow must not pass it
        double[]? rented = scratchLength <= StackScratchValues ? null : ArrayPool<double>.Shared.Rent(scratchLength);
        Span<double> scratch = rented is null ? stackalloc double[scratchLength] : rented.AsSpan(0, scratchLength);
        try
        {
            Span<double> block = scratch[..blockLength];
            Span<double> work = scratch.Slice(blockLength, width);
            Span<double> coreRows = scratch.Slice(blockLength + width, coreLength);
            if (lower)
            {
                SolveGroupsLower(rows, width, block, work, coreRows);
                core.SolveLowerHalf(coreRows, width);
                MoveCoreRows(rows, coreRows, width, toCore: false);
                return;
            }

            MoveCoreRows(rows, coreRows, width, toCore: true);
            core.SolveUpperHalf(coreRows, width);
            SolveGroupsUpper(rows, width, block, work, coreRows);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<double>.Shared.Return(rented);
            }
        }
    }

    /// <summary>The rows that go to <c>T</c> (group <c>g</c>'s parameters <c>0 .. k - 1</c>) between <paramref name="rows"/> and <paramref name="coreRows"/>.</summary>
    private void MoveCoreRows(Span<double> rows, Span<double> coreRows, int width, bool toCore)
    {
        foreach (GroupFactor g in Groups)
        {
            ReadOnlySpan<int> parameters = g.Parameters;
            for (int i = 0; i < g.Tau.Length; i++)
            {
                Span<double> row = rows.Slice(parameters[i] * width, width);
                Span<double> coreRow = coreRows.Slice((g.CoreOffset + i) * width, width);
                if (toCore)
                {
                    row.CopyTo(coreRow);
                }
                else
                {
                    coreRow.CopyTo(row);
                }
            }
        }
    }

    private void RequireRows(Span<double> rows, int width)
    {
        if (rows.Length != Order * width)
        {
            throw new ArgumentException($"rows has {rows.Length} values; expected {Order} rows of {width}.", nameof(rows));
        }
    }

    /// <summary>
    /// <c>T = I + R P R^T</c>, lower triangle, through <c>Y = P R^T</c> (<c>m x r</c>, in <paramref name="work"/>):
    /// each <c>R_g</c> touches only its group's rows of <c>P</c>, so both products are per group.
    /// </summary>
    private static double[] FormCore(ParameterGroups structure, ReadOnlySpan<double> values, ReadOnlySpan<double> value, int m, int order, Span<double> work,
        LowRankWorkspace workspace, ref long flops)
    {
        if (work.Length < m * order)
        {
            throw new ArgumentException($"work has {work.Length} values; expected at least {m} x {order}.", nameof(work));
        }

        var factors = new GroupList(structure, values, structure.AllParameters);
        int largestRows = structure.LargestRowCount;
        if (largestRows == 1 && !workspace.GeneralGroupsOnly)
        {
            flops += FormOneRowCore(factors, value, m, order, workspace);
            return workspace.Core;
        }

        Span<double> y = work[..(m * order)];
        double[] gathered = LowRankWorkspace.Grow(ref workspace.Gathered, largestRows * Math.Max(m, order));
        double[] triangle = LowRankWorkspace.Grow(ref workspace.Triangle, largestRows * largestRows);
        foreach (GroupFactor g in factors)
        {
            int c = g.Rows.Length;
            int k = g.Tau.Length;
            if (k == 0)
            {
                continue;
            }

            // A group of a few rows (one per example at batch 1) in plain loops: there a Gemm call per group cost more than its product.
            if (c <= DirectCoreRowLimit)
            {
                flops += FormDirectCoreColumns(g, value, m, y, order);
                continue;
            }

            // Y[:, g] = P[:, rows_g] R_g^T = (P[rows_g, :])^T R_g^T, P being symmetric.
            for (int i = 0; i < c; i++)
            {
                value.Slice(g.Rows[i] * m, m).CopyTo(gathered.AsSpan(i * m, m));
            }

            Span<double> r = UpperTriangle(g, triangle);
            Gemm.Multiply(true, true, m, k, c, 1.0, gathered, m, r, c, 0.0, y[g.CoreOffset..], order);
            flops += 2L * m * k * c;
        }

        // T's square, kept in the workspace (the factor's core until KeptIn copies it) rather than allocated per layer. Not cleared:
        // the products below write every row up to its group's diagonal block, so the whole lower triangle, and FactorCore
        // mirrors it over the upper one before anything reads that (a clear of 128 KB a layer at width 16, batch 8).
        if (workspace.Core.Length != order * order)
        {
            workspace.Core = new double[order * order];
        }

        double[] t = workspace.Core;
        foreach (GroupFactor g in factors)
        {
            int c = g.Rows.Length;
            int k = g.Tau.Length;
            if (k == 0)
            {
                continue;
            }

            // T[g, :g] = R_g Y[rows_g, :g], the columns up to the group's own: the lower triangle.
            int columns = g.CoreOffset + k;
            if (c <= DirectCoreRowLimit)
            {
                flops += FormDirectCoreRows(g, y, order, columns, t);
                continue;
            }

            for (int i = 0; i < c; i++)
            {
                y.Slice(g.Rows[i] * order, columns).CopyTo(gathered.AsSpan(i * columns, columns));
            }

            Gemm.Multiply(false, false, k, columns, c, 1.0, UpperTriangle(g, triangle), c, gathered, columns, 0.0,
                t.AsSpan(g.CoreOffset * order), order);
            flops += 2L * k * columns * c;
        }

        for (int i = 0; i < order; i++)
        {
            t[(i * order) + i] += 1.0;
        }

        return t;
    }

    /// <summary>
    /// <see cref="FormCore"/> where every group has at most one row <c>r_g</c> of <c>Dx</c> and <c>R_g</c> is a scalar (batch 1; a group
    /// without a row has no row of <c>T</c> and is skipped, the others in the order of their <c>CoreOffset</c>): then
    /// <c>T_gh = delta_gh + R_g P[r_h, r_g] R_h</c>, formed entry by entry in its lower triangle into <see cref="LowRankWorkspace.Core"/>
    /// (every entry of it written; the upper triangle is left as it was, for <see cref="FactorCore"/> mirrors the lower one over it), each entry the product <see cref="FormDirectCoreColumns"/> and <see cref="FormDirectCoreRows"/> form,
    /// <c>R_g (P[r_h, r_g] R_h)</c>, without the <c>m x r</c> product <c>P R^T</c> of which only the groups' rows are read.
    /// </summary>
    /// <returns>The floating-point operations performed: two multiplications per entry of the lower triangle.</returns>
    private static long FormOneRowCore(GroupList factors, ReadOnlySpan<double> value, int m, int order, LowRankWorkspace workspace)
    {
        if (workspace.Core.Length != order * order)
        {
            workspace.Core = new double[order * order];
        }

        // Each group's row and R_g read once (as spans), not once per entry; a group without a row has no row of T.
        Span<int> rows = order <= StackScratch.MaxRows ? stackalloc int[order] : new int[order];
        Span<double> weights = order <= StackScratch.MaxRows ? stackalloc double[order] : new double[order];
        foreach (GroupFactor factor in factors)
        {
            if (factor.Tau.Length == 1)
            {
                rows[factor.CoreOffset] = factor.Rows[0];
                weights[factor.CoreOffset] = factor.Reflectors[0];
            }
        }

        Span<double> t = workspace.Core;
        for (int g = 0; g < order; g++)
        {
            int row = rows[g];
            double weight = weights[g];
            Span<double> target = t.Slice(g * order, g + 1);
            for (int h = 0; h <= g; h++)
            {
                target[h] = weight * (value[(rows[h] * m) + row] * weights[h]);
            }

            target[g] += 1.0;
        }

        return (long)order * (order + 1);
    }

    /// <summary>
    /// The rows of Dx a group may have for <see cref="FormCore"/> to form its part of <c>T</c> in plain loops rather than
    /// two Gemm calls: at batch 1 (one row per group, 8 and 16 groups a layer at widths 8 and 16) the calls, the gathers
    /// and the copies of <c>R_g</c> they need were most of <c>T</c>'s time for products of a few dozen flops.
    /// </summary>
    internal const int DirectCoreRowLimit = 4;

    /// <summary>
    /// <c>Y[:, g] = P[:, rows_g] R_g^T</c> (the group's <c>k</c> columns of <c>Y</c>, <c>m x order</c>), reading <c>P</c>'s
    /// rows (it is symmetric) and <c>R_g</c> where the QR left it, on and above the diagonal.
    /// </summary>
    /// <returns>The floating-point operations performed.</returns>
    private static long FormDirectCoreColumns(GroupFactor g, ReadOnlySpan<double> value, int m, Span<double> y, int order)
    {
        ReadOnlySpan<int> rows = g.Rows;
        ReadOnlySpan<double> r = g.Reflectors;
        int c = rows.Length;
        int k = g.Tau.Length;
        for (int reflector = 0; reflector < k; reflector++)
        {
            Span<double> column = y[(g.CoreOffset + reflector)..];
            ReadOnlySpan<double> first = value.Slice(rows[reflector] * m, m);
            double weight = r[(reflector * c) + reflector];
            for (int i = 0; i < m; i++)
            {
                column[i * order] = first[i] * weight;
            }

            for (int j = reflector + 1; j < c; j++)
            {
                ReadOnlySpan<double> row = value.Slice(rows[j] * m, m);
                weight = r[(reflector * c) + j];
                for (int i = 0; i < m; i++)
                {
                    column[i * order] += row[i] * weight;
                }
            }
        }

        return m * ((2L * UpperTerms(k, c)) - k);
    }

    /// <summary><c>T[g, :columns] = R_g Y[rows_g, :columns]</c>, <c>R_g</c> read where the QR left it.</summary>
    /// <returns>The floating-point operations performed.</returns>
    private static long FormDirectCoreRows(GroupFactor g, ReadOnlySpan<double> y, int order, int columns, Span<double> t)
    {
        ReadOnlySpan<int> rows = g.Rows;
        ReadOnlySpan<double> r = g.Reflectors;
        int c = rows.Length;
        int k = g.Tau.Length;
        for (int reflector = 0; reflector < k; reflector++)
        {
            Span<double> target = t.Slice((g.CoreOffset + reflector) * order, columns);
            double weight = r[(reflector * c) + reflector];
            ReadOnlySpan<double> first = y.Slice(rows[reflector] * order, columns);
            for (int j = 0; j < columns; j++)
            {
                target[j] = first[j] * weight;
            }

            for (int i = reflector + 1; i < c; i++)
            {
                VectorKernels.Axpy(r[(reflector * c) + i], y.Slice(rows[i] * order, columns), target);
            }
        }

        return columns * ((2L * UpperTerms(k, c)) - k);
    }

    /// <summary>
    /// The entries on and above the diagonal of <c>R_g</c>, <c>k x c</c> with <c>k &lt;= c</c>: the terms of each output of the
    /// direct products, a multiply-add each but the first of each of the <c>k</c> rows, a plain multiply.
    /// </summary>
    private static int UpperTerms(int k, int c) => (k * c) - (k * (k - 1) / 2);

    /// <summary>
    /// <c>max |A_jj|</c>, <c>A_jj = X_jj + z_j^T P_gg z_j</c> with <c>z_j</c> column <c>j</c> of <c>Z_g</c>: the whole
    /// block's test reads its largest entry, which without forming <c>A</c> its diagonal stands for (<c>O(q c^2)</c> per group).
    /// <c>P_gg</c> is gathered once per group, so the <c>q</c> quadratic forms read it contiguously; <c>X_jj</c> is read
    /// from <paramref name="diagonal"/>, <c>X</c>'s diagonal group after group (each group's parameters in order).
    /// </summary>
    internal static double LargestDiagonal(ParameterGroups structure, ReadOnlySpan<double> diagonal,
        ReadOnlySpan<double> dx, ReadOnlySpan<double> value, int p, int m)
    {
        int diagonalOffset = 0;
        // Rented at the first group of more than one row: at batch 1 none has (a rent and return per layer for nothing).
        double[]? scratch = null;
        try
        {
            double largest = 0;
            for (int g = 0; g < structure.Parameters.Length; g++)
            {
                int[] rows = structure.Rows[g];
                int c = rows.Length;
                if (c == 1)
                {
                    // One row (batch 1): z_j^T P_gg z_j is z_j P_rr z_j, without the gather and a dot product of one term per parameter.
                    largest = Math.Max(largest, LargestDiagonalOfOneRow(structure.Parameters[g], diagonal[diagonalOffset..], dx, value, p, m, rows[0]));
                    diagonalOffset += structure.Parameters[g].Length;
                    continue;
                }

                int largestRows = structure.LargestRowCount;
                scratch ??= ArrayPool<double>.Shared.Rent((largestRows * largestRows) + (largestRows * structure.LargestParameterCount));
                int[] parameters = structure.Parameters[g];
                int q = parameters.Length;
                Span<double> block = scratch.AsSpan(0, c * c);
                Span<double> z = scratch.AsSpan(c * c, c * q);
                for (int a = 0; a < c; a++)
                {
                    for (int b = 0; b < c; b++)
                    {
                        block[(a * c) + b] = value[(rows[a] * m) + rows[b]];
                    }

                    // Z_g^T by rows (one row of Dx, the group's parameters), so that the quadratic forms go a vector of parameters at a time.
                    ReadOnlySpan<double> dxRow = dx.Slice(rows[a] * p, p);
                    Span<double> zRow = z.Slice(a * q, q);
                    for (int i = 0; i < q; i++)
                    {
                        zRow[i] = dxRow[parameters[i]];
                    }
                }

                largest = Math.Max(largest, LargestOfGroup(block, c, z, q, diagonal.Slice(diagonalOffset, q)));
                diagonalOffset += q;
            }

            return largest;
        }
        finally
        {
            if (scratch is not null)
            {
                ArrayPool<double>.Shared.Return(scratch);
            }
        }
    }

    /// <summary>
    /// <c>max_i |X_ii + z_i^T P_gg z_i|</c> over a group's parameters, <c>z_i</c> column <c>i</c> of <paramref name="z"/>
    /// (<c>c x q</c>, row-major): a vector of parameters at a time, each <c>P_gg z</c> summed in registers (the profile at
    /// width 16, batch 8 had a dot product call of 8 terms per parameter and row at 2.7 %).
    /// </summary>
    private static double LargestOfGroup(ReadOnlySpan<double> block, int c, ReadOnlySpan<double> z, int q, ReadOnlySpan<double> diagonal)
    {
        double largest = 0;
        int i = 0;
        for (; i + Vector<double>.Count <= q; i += Vector<double>.Count)
        {
            Vector<double> quadratic = Vector<double>.Zero;
            for (int a = 0; a < c; a++)
            {
                Vector<double> product = Vector<double>.Zero;
                for (int b = 0; b < c; b++)
                {
                    product += block[(a * c) + b] * new Vector<double>(z.Slice((b * q) + i, Vector<double>.Count));
                }

                quadratic += new Vector<double>(z.Slice((a * q) + i, Vector<double>.Count)) * product;
            }

            Vector<double> entries = System.Numerics.Vector.Abs(new Vector<double>(diagonal.Slice(i, Vector<double>.Count)) + quadratic);
            for (int t = 0; t < Vector<double>.Count; t++)
            {
                largest = Math.Max(largest, entries[t]);
            }
        }

        for (; i < q; i++)
        {
            double quadratic = 0;
            for (int a = 0; a < c; a++)
            {
                double product = 0;
                for (int b = 0; b < c; b++)
                {
                    product += block[(a * c) + b] * z[(b * q) + i];
                }

                quadratic += z[(a * q) + i] * product;
            }

            largest = Math.Max(largest, Math.Abs(diagonal[i] + quadratic));
        }

        return largest;
    }

    private static double LargestDiagonalOfOneRow(int[] parameters, ReadOnlySpan<double> diagonal, ReadOnlySpan<double> dx, ReadOnlySpan<double> value,
        int p, int m, int row)
    {
        double entry = value[(row * m) + row];
        ReadOnlySpan<double> dxRow = dx.Slice(row * p, p);
        double largest = 0;
        for (int i = 0; i < parameters.Length; i++)
        {
            double z = dxRow[parameters[i]];
            largest = Math.Max(largest, Math.Abs(diagonal[i] + (z * (entry * z))));
        }

        return largest;
    }

    /// <summary><c>R_g</c> (<c>k x c</c>) with the zeros below its diagonal, where the reflectors are stored.</summary>
    private static Span<double> UpperTriangle(GroupFactor g, double[] buffer)
    {
        int c = g.Rows.Length;
        int k = g.Tau.Length;
        Span<double> r = buffer.AsSpan(0, k * c);
        for (int i = 0; i < k; i++)
        {
            r.Slice(i * c, i).Clear();
            g.Reflectors.Slice((i * c) + i, c - i).CopyTo(r.Slice((i * c) + i));
        }

        return r;
    }

    /// <summary>
    /// Whether the route's <see cref="EstimatedFlops"/> (as the groups keep them) are fewer than a whole block's Cholesky factor, <c>p^3 / 3</c>: where
    /// not, <see cref="CreateFromGroupBlocks"/>
    /// declines at once (the factorization's prefetch asks it too, to know which of a layer's derivatives will be read).
    /// </summary>
    internal static bool CheaperThanWhole(ParameterGroups structure, int p, int m) => structure.LowRankFlops(m) < (double)p * p * p / 3;

    /// <summary>
    /// Flops of the route: per group Cholesky, triangular solve and QR, the two products that form <c>T</c>,
    /// and <c>T</c>'s factorization; the groups keep them for the last <paramref name="m"/> (<see cref="ParameterGroups.LowRankFlops"/>).
    /// </summary>
    internal static double EstimatedFlops(ParameterGroups structure, int m)
    {
        double flops = 0;
        double order = 0;
        for (int g = 0; g < structure.Parameters.Length; g++)
        {
            double q = structure.Parameters[g].Length;
            double c = structure.Rows[g].Length;
            double k = Math.Min(q, c);
            flops += (q * q * q / 3) + (q * q * c) + (2 * q * c * k) + (2 * m * k * c) + (k * c * (order + k));
            order += k;
        }

        return flops + (order * order * order / 3);
    }

    private static Span<double> Gather(GroupFactor g, ReadOnlySpan<double> rows, int width, Span<double> block)
    {
        ReadOnlySpan<int> parameters = g.Parameters;
        Span<double> z = block[..(parameters.Length * width)];
        for (int i = 0; i < parameters.Length; i++)
        {
            rows.Slice(parameters[i] * width, width).CopyTo(z.Slice(i * width, width));
        }

        return z;
    }

    private static void Scatter(GroupFactor g, ReadOnlySpan<double> z, Span<double> rows, int width)
    {
        ReadOnlySpan<int> parameters = g.Parameters;
        for (int i = 0; i < parameters.Length; i++)
        {
            z.Slice(i * width, width).CopyTo(rows.Slice(parameters[i] * width, width));
        }
    }

    /// <summary>
    /// One group's factors, the storage both sweeps of <see cref="Solve"/> read: its parameters and rows of
    /// <c>Dx</c>, <c>L_g</c> (<c>q x q</c>, lower triangle), the QR of <c>L_g^-1 Z_g^T</c> (<c>q x c</c>, <c>R_g</c> on
    /// and above the diagonal, reflectors below, as <c>dgeqr2</c> leaves them) with its <c>tau</c>, all three contiguous in
    /// <c>Values</c> (which <see cref="OneRowGroupKernel"/> reads whole), and where its <c>k</c> rows start in <c>T</c>. A view,
    /// made where it is read from the offsets the groups keep (<see cref="ParameterGroups.FactorValueStarts"/>): a factor keeps no
    /// object or array per group (two arrays of these per layer, with six references each, were half of what a batch-1
    /// factorization allocated, and their copies took write barriers).
    /// </summary>
    private readonly ref struct GroupFactor
    {
        public GroupFactor(ParameterGroups structure, int g, ReadOnlySpan<double> values, ReadOnlySpan<int> parameters)
        {
            Parameters = parameters[structure.ParameterStarts[g]..structure.ParameterStarts[g + 1]];
            Rows = structure.Rows[g];
            Values = values[structure.FactorValueStarts[g]..structure.FactorValueStarts[g + 1]];
            CoreOffset = structure.CoreStarts[g];
        }

        public ReadOnlySpan<int> Parameters { get; }

        public ReadOnlySpan<int> Rows { get; }

        public ReadOnlySpan<double> Values { get; }

        public int CoreOffset { get; }

        public ReadOnlySpan<double> Cholesky => Values[..(Parameters.Length * Parameters.Length)];

        public ReadOnlySpan<double> Reflectors => Values.Slice(Parameters.Length * Parameters.Length, Parameters.Length * Rows.Length);

        public ReadOnlySpan<double> Tau => Values[(Parameters.Length * (Parameters.Length + Rows.Length))..];
    }

    /// <summary>The groups of <c>structure</c> as <see cref="GroupFactor"/> views of all their values and all their parameters (group after group).</summary>
    private readonly ref struct GroupList
    {
        private readonly ParameterGroups structure;
        private readonly ReadOnlySpan<double> values;
        private readonly ReadOnlySpan<int> parameters;

        public GroupList(ParameterGroups structure, ReadOnlySpan<double> values, ReadOnlySpan<int> parameters)
        {
            this.structure = structure;
            this.values = values;
            this.parameters = parameters;
        }

        public int Length => structure.Parameters.Length;

        public GroupFactor this[int g] => new(structure, g, values, parameters);

        public Enumerator GetEnumerator() => new(this);

        public ref struct Enumerator
        {
            private readonly GroupList list;
            private int index;

            public Enumerator(GroupList list)
            {
                this.list = list;
                index = -1;
            }

            public readonly GroupFactor Current => list[index];

            public bool MoveNext() => ++index < list.Length;
        }
    }

    /// <summary>This factor's groups: its values, and its parameters from the storage once kept, else from the groups.</summary>
    private GroupList Groups => new(structure, groupValues.Span, ParameterIndices);
}
