using System;
using System.Threading;
using System.Collections.Generic;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using HessianCodegen.LinearAlgebra;

namespace HessianCodegen;

/// <summary>
/// The Riccati recursion of docs/algorithm.md section 12: block Gaussian elimination of <c>H + eps I</c>
/// itself, last layer first, with pivot blocks <c>A_l</c> of the size of a layer's parameters.
/// <see cref="Create"/> runs the recursion; the object keeps, per layer, the factors of <c>A_l = W_l M_l W_l^T</c>
/// (<see cref="IPivotBlockFactor"/>) and the coupling half solved, <c>Y_l = W_l^-1 C_l</c> (the feedback gain is
/// <c>K_l = -W_l^-T M_l^-1 Y_l</c>), which is all a solve reads besides the layer's Jacobians. Both live in one <see cref="FactorStorage"/> (a Cholesky factor as its
/// packed triangle), rented from the derivatives' <see cref="FactorStoragePool"/> and given back by <see cref="Release"/>.
/// </summary>
/// <remarks>
/// <para>
/// With <c>P_(l+1)</c> the value matrix of the state leaving layer <c>l</c> (<c>m = B a</c> square, 0 after the
/// loss layer): <c>A_l = Xxx_l + eps I + Dx_l^T P Dx_l</c>, <c>C_l = Xzx_l + Dx_l^T P Dz_l</c>,
/// <c>E_l = Xzz_l + Dz_l^T P Dz_l</c> and <c>P_l = E_l - C_l^T A_l^-1 C_l</c>. Products use the batch
/// structure: <c>Dz</c> and <c>Xzz</c> are block-diagonal per example, so <c>Dz^T P Dz</c> costs <c>O(m^2 a_in)</c>,
/// formed tile by tile over the upper block triangle of <c>P</c> (<see cref="BlockDiagonalCongruence"/>), and
/// <c>C</c> reuses the <c>Dx^T P</c> formed for <c>A</c>: <c>(Dx^T P) Dz</c> costs <c>O(p m a_in)</c>; <c>Dx</c> has one output row per parameter of a dense layer, and the products with it
/// skip its zeros (group by group from <c>Dx</c>: <see cref="GroupedJacobianProduct"/>, <see cref="GroupedValueProduct"/>; or through
/// the runs of <c>Dx^T</c>'s rows: <see cref="MatrixKernels.SubtractProduct"/>), so <c>Dx^T P</c> costs <c>O(nnz(Dx) m)</c> rather than
/// <c>O(p m^2)</c>. The cost per layer is <c>O(p^3 + p^2 m + p m^2)</c>; the dominant term at a large batch,
/// <c>C^T A^-1 C = Y^T M^-1 Y</c> with <c>A = W M W^T</c> and <c>Y = W^-1 C</c> (a forward substitution per column, <c>p^2 m_in</c>
/// flops, where <c>A^-1 C</c> took twice that), is formed only in its upper triangle.
/// </para>
/// <para>
/// When <c>p > m</c> (a wide layer: 192 inputs and 24 outputs give <c>p = 4632 > m = 1536</c> at batch 64), <c>A_l</c> is a rank-<c>m</c> update of
/// <c>X = Xxx + eps I</c>. Where <c>X</c> is positive definite and well conditioned and its block structure makes
/// it cheaper, <see cref="LowRankPivotBlockFactor"/> factors it without forming it, at the cost of a dense factor
/// of order at most <c>m</c>; otherwise it is formed, <c>(Dx^T)(P Dx)</c> in <c>O(nnz(Dx) p)</c>, and factored
/// whole in <c>O(p^3)</c>. <see cref="Routes"/> says which ran per layer.
/// </para>
/// </remarks>
internal sealed class RiccatiFactorization
{
    /// <summary>
    /// The state order (<c>m</c> or <c>m_in</c>, the larger) from which a layer's large products run on two cores. Measured
    /// (Benchmarks, DOTNET_PROCESSOR_COUNT=1 against 2, same build, docs/algorithm.md section 12): at order 128 (width 16,
    /// batch 8) two cores lost 6 to 21 % of the wall time, at 512 (issue 7's depth-16 batch-64 chain) they tied in wall time
    /// at 1.5 times the cpu time, at 1536 (issue 7's batch-64 ReLU network) they won. Below it the two-core kernels are not called.
    /// Re-measured at 512 after the packed update, the congruence's tile kernel and E formed beside -(Dx^T P) (Benchmarks
    /// --riccati-phases, the whole chain's factorization, 40 runs, DOTNET_PROCESSOR_COUNT=1 against 2, same build, load 2.5): two
    /// cores took 17.9-18.0 ms wall (least) against 24.5-25.1, medians 24.0-24.7 against 30.6-31.1, at 1.25-1.3 times the cpu
    /// time; --batch-scale then had the chain's factorization + solve at 18.9 ms against OpenBLAS's 18.5 (its kernel-rate "mix",
    /// by cpu time, fell from 0.44 to 0.30). At a load of 15 the second core was never free and two cores only cost cpu time.
    /// Kept at 512 after GroupedValueProduct, the AVX-512 congruence and the shared columns of -(Dx^T P) (--riccati-phases, same
    /// build, load about 5 to 7 from other jobs): at the one moment the second core was mostly free, two cores took 19.9 ms wall
    /// (median; least 16.6) at 33.6 ms cpu against 23.5 (least 22.0) on one; at a load of 6 to 7 the second core's share
    /// never started (least wall equal to the cpu time, 23.7 to 24.6 ms against 21.9 to 22.8 on one), as the shared columns allow.
    /// </summary>
    internal const int TwoCoreStateOrder = 512;

    /// <summary>
    /// The state order <c>m</c> below which a whole block's <c>Dx^T P</c> and <c>(Dx^T P) Dx</c> go group by group from
    /// <c>Dx</c> in place (<see cref="GroupedJacobianProduct"/>); from it on, <c>-(Dx^T P)</c> goes through register tiles per
    /// group (<see cref="GroupedValueProduct"/>) and <c>(Dx^T P) Dx</c> through the runs of <c>Dx^T</c>'s rows
    /// (<see cref="MatrixKernels.SubtractProduct"/>), which needs <c>Dx^T</c> formed and scans its zeros. Measured at
    /// <c>m = 64</c> (width 8, batch 8).
    /// </summary>
    internal const int GroupedProductStateOrder = 256;

    /// <summary>
    /// The rows of <c>Y</c> a sweep multiplies between two steps of the next layer's prefetch (<see cref="PrefetchQueue"/>),
    /// three more steps going between the sweep's other pieces of a layer. A multiple of
    /// <see cref="MatrixVectorKernels.RowsPerPass"/>: the kernels group a chunk's rows in passes as they group the whole
    /// <c>Y</c>'s, so the sums are formed in the same order and the result is the same to the bit (a count not a multiple,
    /// 2 or 6, would change which rows go in a pass, and so the rounding). Measured at width 8, batch 8 (<c>Y</c> 72 x 64;
    /// Benchmarks --depth-scaling, runs alternating in one process, load 5 to 9): at depth 512, least 8.8 to 10.3 us per layer
    /// with 8 rows against 11.7 to 12.3 without prefetch and 11.7 with the same lines issued at once at the layer's start;
    /// 4 rows did no better, 16 and 24 worse.
    /// </summary>
    internal const int PrefetchRows = 2 * MatrixVectorKernels.RowsPerPass;

    /// <summary>
    /// The bytes a whole <see cref="Solve(ReadOnlySpan{double}, Span{double})"/> reads (<see cref="SolveBytesPerLayer"/>, summed) from which its sweeps prefetch
    /// the next layer: 20 MiB. Below it the factors stay in this machine's 32 MB L3 cache from one solve to the next, and
    /// the prefetch only costs its instructions: measured (least of runs alternating in one process, load 9), at width 8 and
    /// batch 8, depth 128 (17.2 MiB) 7.15 us per layer without against 7.91 with, depth 256 (35 MiB) 8.02 against 7.55,
    /// depth 512 11.9 against 9.8; at batch 1, depth 128 (3.4 MiB) 5.34 against 5.58, depth 512 (12.6 MiB) 5.24 against 5.23,
    /// depth 1024 (24.5 MiB) 7.72 against 5.93.
    /// </summary>
    internal const long PrefetchSolveBytes = 20L << 20;

    /// <summary>
    /// The most bytes of a layer a sweep prefetches while it works on the one before (a quarter of this machine's 1 MB L2
    /// cache, which holds both): the long arrays of a wider layer the hardware prefetchers follow, and the next layer's lines
    /// pushed out the current one's. Measured (cpu time, runs alternating with the build before the prefetch, load 6 to 9):
    /// width 8 batch 8 (68 KB per layer and sweep) and width 16 batch 1 (105 KB) gained, 8 to 16 % at depth 512; width 16
    /// batch 8 (460 KB) lost 5 to 10 % at depths 128 and 512.
    /// </summary>
    internal const long PrefetchLayerBytes = 256L << 10;

    /// <summary>
    /// The bytes of the derivatives from which <see cref="Create"/> prefetches the next layer's (<see cref="FactorPrefetch"/>)
    /// while it factors the current one: 8 MiB. Measured at width 8 batch 1 (51.7 KB of derivatives per layer, 15 KiB of them
    /// read; a scratch driver alternating off and on in one process, cpu time, medians of 15 to 21 pairs of five-run medians,
    /// with the groups' blocks of <see cref="HessianDerivatives.GroupBlocks"/>): depth 128 (6.3 MiB) 1 and 4 % slower with it,
    /// depth 256 (12.6 MiB) 1 % faster, depth 384 6.5 % and depth 512 1 to 8 % faster (three of four runs 7 to 8 %: 0.928, 0.987, 0.919, 0.930).
    /// </summary>
    internal const long PrefetchFactorBytes = 8L << 20;

    /// <summary>
    /// The most bytes of a layer <see cref="Create"/> prefetches while it factors the one after (<see cref="FactorPrefetch"/>'s
    /// spans: <c>Dx</c>, <c>Dz</c>, <c>Xzx</c>, <c>Xzz</c> and the groups' blocks): 32 KiB, a judgement between
    /// 25 KiB (4 % faster) and 45 KiB (1 % slower), not a measured crossover; a larger layer is not prefetched (why it does not pay is a
    /// hypothesis: its arrays are long enough for the hardware prefetchers, and its arithmetic hides its reads). Measured (scratch driver as for
    /// <see cref="PrefetchFactorBytes"/>, on against off, depth 512 unless said): it paid at width 8, batch 1 (15 KiB a layer,
    /// 7 % faster in three of four runs) and batch 2 (25 KiB, 4 %); width 12, batch 1 (47 KiB) 1.6 % faster; width 8, batch 4 (45 KiB) 1 % slower;
    /// batch 8 (85 KiB) even at depths 128 and 512; width 16, batch 1 (108 KiB) even to 2.5 % faster at depth 512 (1.005, 1.001,
    /// 0.986, 0.990, 0.997, 0.987, 0.975, 0.989) and -1 to +5 % at depth 128, median about 1.016 (1.048, 1.025, 1.022, 0.988, 1.011, 1.001); width 16, batch 8 (state 128,
    /// 612 KiB) 1 to 2 % slower. It replaces a rule by the state's order (below 128), which let width 16, batch 1 and width 8,
    /// batch 8 prefetch.
    /// </summary>
    internal const long PrefetchFactorLayerBytes = 32L << 10;

    /// <summary>
    /// The steps of a layer's work in <see cref="Create"/> over which the next layer's prefetch is spread, one at each of four
    /// points: the layer's start, after the low-rank route's factor (or its offer declined), after <c>C</c> and <c>E</c>, and
    /// before the half solve (then <see cref="FactorPrefetch.Finish"/>). For a low-rank layer nothing runs between the third
    /// and the fourth (its block is factored already), so two of the steps meet there: half the lines are issued at that point.
    /// </summary>
    private const int FactorPrefetchSteps = 4;

    private readonly HessianDerivatives derivatives;
    private readonly IPivotBlockFactor[] blocks;
    private readonly ReadOnlyMemory<double>[] solvedCouplings;
    private readonly CompressedJacobian[] jacobians;
    private readonly int largestState;
    private readonly int largestParameterCount;
    private readonly bool solveLeavesCache;
    private FactorStorage? storage;

    private RiccatiFactorization(HessianDerivatives derivatives, IPivotBlockFactor[] blocks, ReadOnlyMemory<double>[] solvedCouplings,
        CompressedJacobian[] jacobians, FactorStorage storage, int largestState, int largestParameterCount, long flopCount)
    {
        this.jacobians = jacobians;
        this.derivatives = derivatives;
        this.storage = storage;
        this.blocks = blocks;
        this.solvedCouplings = solvedCouplings;
        this.largestState = largestState;
        this.largestParameterCount = largestParameterCount;
        long solveBytes = 0;
        for (int l = 0; l < blocks.Length; l++)
        {
            solveBytes += SolveBytes(l);
        }

        solveLeavesCache = solveBytes >= PrefetchSolveBytes;
        FlopCount = flopCount;
        Inertia inertia = default;
        LogDeterminant logDeterminant = new(0, 1);
        bool positiveDefinite = true;
        var routes = new PivotBlockRoute[blocks.Length];
        for (int l = 0; l < blocks.Length; l++)
        {
            IPivotBlockFactor block = blocks[l];
            routes[l] = block.Route;
            inertia += block.Inertia;
            logDeterminant += block.LogDeterminant;
            positiveDefinite &= block.IsPositiveDefinite;
        }

        Inertia = inertia;
        LogDeterminant = logDeterminant;
        IsPositiveDefinite = positiveDefinite;
        Routes = routes;
    }

    /// <summary>How each layer's pivot block was factored, first layer first.</summary>
    public IReadOnlyList<PivotBlockRoute> Routes { get; }

    /// <summary>Whether layer <paramref name="layer"/>'s pivot block took the low-rank route's one-row path (for the tests, which assert it).</summary>
    internal bool TookOneRowGroups(int layer) => blocks[layer] is LowRankPivotBlockFactor { TookOneRowGroups: true };

    /// <summary>
    /// Whether layer <paramref name="layer"/>'s pivot block took the one-row path and its groups were factored in the storage, kept
    /// there without a copy (for the tests: the recursion passes the route its storage).
    /// </summary>
    internal bool KeptOneRowGroupsWithoutCopy(int layer) => blocks[layer] is LowRankPivotBlockFactor { TookOneRowGroups: true, KeptWithoutCopy: true };

    /// <summary>Whether layer <paramref name="layer"/>'s pivot block was factored whole by Bunch-Kaufman (for the tests).</summary>
    internal bool TookWholeBunchKaufman(int layer) => blocks[layer] is PivotBlockFactor { IsPositiveDefinite: false };

    /// <summary>
    /// Whether layer <paramref name="layer"/>'s pivot block was factored whole by Bunch-Kaufman straight into the storage, kept there
    /// without a copy (for the tests: the recursion passes <see cref="PivotBlockFactor.Create"/> its storage).
    /// </summary>
    internal bool KeptWholeBunchKaufmanWithoutCopy(int layer) => blocks[layer] is PivotBlockFactor { FactoredInStorage: true };

    /// <summary>The inertia of <c>H + eps I</c>: the sum of the pivot blocks' (Haynsworth).</summary>
    public Inertia Inertia { get; }

    /// <summary><c>log |det(H + eps I)|</c> and its sign: the sum of the pivot blocks'.</summary>
    public LogDeterminant LogDeterminant { get; }

    /// <summary>Whether every pivot block, and so <c>H + eps I</c>, is positive definite.</summary>
    public bool IsPositiveDefinite { get; }

    /// <summary>Floating-point operations the recursion performed.</summary>
    public long FlopCount { get; }

    /// <summary>The layers whose derivatives <see cref="Create"/> prefetched while it factored the layer after (for tests).</summary>
    internal int PrefetchedLayers { get; private init; }

    /// <summary>
    /// Runs the recursion. A pivot block that is singular to working precision (its Cholesky and its
    /// Bunch-Kaufman factorization both meet a pivot no larger than <c>p 2^-52</c> times the block's
    /// largest entry or the derivatives' scale) stops it.
    /// </summary>
    /// <param name="derivatives">The derivative blocks.</param>
    /// <param name="epsilon">The damping.</param>
    /// <param name="singularLayer">The layer whose block was singular, or -1.</param>
    /// <param name="allowLowRank">False to factor every pivot block whole (to compare the routes).</param>
    /// <param name="prefetchNext">Whether to prefetch the next layer's derivatives (<see cref="FactorPrefetch"/>): null, where
    /// they are <see cref="PrefetchFactorBytes"/> or more, each layer of at most <see cref="PrefetchFactorLayerBytes"/>; true
    /// (every layer whose block goes the low-rank route) or false for tests, which compare both.</param>
    /// <param name="allowTwoCores">False to run every layer on this thread (for tests, which compare the bits with the two-core
    /// layers').</param>
    /// <returns>The factorization, or null with <paramref name="singularLayer"/> naming the layer whose block was singular.</returns>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static RiccatiFactorization? Create(HessianDerivatives derivatives, double epsilon, out int singularLayer, bool allowLowRank = true,
        bool? prefetchNext = null, bool allowTwoCores = true)
    {
        Network network = derivatives.Point.Network;
        int depth = network.Depth;
        int count = derivatives.Point.Batch.Count;
        int largestState = 0;
        int largestP = 0;
        long expectedValues = 0;
        long derivativeBytes = 0;
        for (int l = 0; l < depth; l++)
        {
            derivativeBytes += (long)derivatives.Layer(l).All.Length * sizeof(double);
            IHessianLayer layer = network.Layers[l];
            int m = StateCount(network, l, count);
            int mIn = l > 0 ? count * layer.InputSize : 0;
            int p = layer.ParameterCount;
            long triangle = (long)p * (p + 1) / 2;
            // A wide layer's (p > m) triangle is not expected: the low-rank route may take it (at batch 1 most tanh layers
            // go there), and what that route keeps is expected instead. If it goes whole, its triangle goes to an added array;
            // so does the square of a Bunch-Kaufman factor (a layer's or a low-rank core's), a triangle being expected.
            long wide = OffersLowRank(allowLowRank, p, m) ? LowRankPivotBlockFactor.KeptValues(derivatives.ParameterGroups(l)) : 0;
            expectedValues += ((long)p * mIn) + (p > m ? wide : triangle);
            largestState = Math.Max(largestState, m);
            largestP = Math.Max(largestP, layer.ParameterCount);
        }

        // Work arrays, allocated once per factorization (small ones kept across factorizations, below): the value matrices of the state leaving and entering the layer,
        // Dx^T, -(Dx^T P) and its transpose, -(P Dz), Y^T (transposed or packed) and M^-1 Y, the pivot-block kernels' scratch, a copy of Dz (an array, which
        // the two-core congruence can share between threads; only a layer at TwoCoreStateOrder or more whose E is not formed
        // beside -(Dx^T P) needs it). C itself is formed where Y = W^-1 C is kept, in the storage.
        // Every entry of these is written before it is read, so they need not be zeroed. The p x m ones
        // grow on first need: a wide layer on the low-rank route needs none (171 MB in issue 7's network); so does
        // -(P Dz), which only that route needs (a fresh 2 MB per factorization of issue 7's depth-16 chain otherwise), and
        // M^-1 Y, which only a block with a Bunch-Kaufman factor (or core) needs.
        // Small ones (batch 1) are the derivatives' from their last factorization, and go back to them at the end (RiccatiScratch).
        bool keepScratch = RiccatiScratch.Fits(largestState, largestP);
        RiccatiScratch scratch = keepScratch ? derivatives.TakeRiccatiScratch() : new RiccatiScratch();
        Grow(ref scratch.Value, checked(largestState * largestState));
        Grow(ref scratch.NextValue, checked(largestState * largestState));
        double[] value = scratch.Value;
        double[] nextValue = scratch.NextValue;
        double[] dxT = scratch.DxT;
        double[] weighted = scratch.Weighted;
        double[] weightedT = scratch.WeightedT;
        double[] stateProduct = scratch.StateProduct;
        double[] middleSolved = scratch.MiddleSolved;
        double[] couplingT = scratch.CouplingT;
        double[] packedCouplingT = scratch.PackedCouplingT;
        double[] work = scratch.Work;
        double[] jacobianZ = scratch.JacobianZ;

        // A pivot block is formed and factored in one square scratch array, kept from layer to layer: only the
        // packed triangle of a Cholesky factor (a Bunch-Kaufman factor's square and pivots) and Y = W^-1 C are stored, in one
        // storage (a reused one when the caller disposed an earlier factorization of these derivatives).
        double[] block = [];
        // The low-rank route's scratch, kept from layer to layer: each layer's factor is kept in the storage before the next is made.
        LowRankWorkspace? lowRankWorkspace = scratch.LowRank;
        FactorStorage storage = derivatives.FactorStoragePool.Rent(checked((int)expectedValues));
        var blocks = new IPivotBlockFactor[depth];
        var solvedCouplings = new ReadOnlyMemory<double>[depth];
        var jacobians = new CompressedJacobian[depth];
        double scale = derivatives.LargestEntry + epsilon;
        long flops = 0;
        int valueSize = 0;

        // A layer at TwoCoreStateOrder or more forks a few times (twice on the grouped path where TwoCoreCouplingUpdate takes the
        // step to P); its second halves go to one thread rented for this factorization and kept for the next (a fork through
        // the thread pool often found no worker awake and ran both halves on this thread; a thread started per factorization cost
        // 0.13 ms of cpu time).
        using TwoCoreWorker.Rental rental = TwoCoreWorker.Keeper.Shared.Rent(allowTwoCores && Environment.ProcessorCount > 1 && largestState >= TwoCoreStateOrder);
        TwoCoreWorker? worker = rental.Worker;

        // Deep chains of small layers prefetch the next layer's derivatives (the loop runs backwards: l - 1) while they
        // factor the current one; a larger layer's reads the hardware prefetchers and its arithmetic cover.
        bool prefetchNextLayer = prefetchNext ?? derivativeBytes >= PrefetchFactorBytes;
        long prefetchLayerLimit = prefetchNext is true ? long.MaxValue : PrefetchFactorLayerBytes;
        int prefetchedLayers = 0;
        singularLayer = -1;
        for (int l = depth - 1; l >= 0; l--)
        {
            LayerDerivatives d = derivatives.Layer(l);
            int p = d.ParameterCount;
            int a = d.OutputSize;
            int aIn = d.InputSize;
            int m = StateCount(network, l, count);
            int mIn = l > 0 ? count * aIn : 0;
            FactorPrefetch prefetch = prefetchNextLayer && l > 0 ? NextLayerPrefetch(derivatives, l - 1, count, allowLowRank, prefetchLayerLimit) : default;
            prefetchedLayers += prefetch.QueuedBytes > 0 ? 1 : 0;
            prefetch.Step(); // step 1 of FactorPrefetchSteps: the layer's start
            bool twoCores = worker is not null && Math.Max(m, mIn) >= TwoCoreStateOrder; // every m and mIn is at most largestState
            ReadOnlySpan<double> valueMatrix = value.AsSpan(0, m * m);
            if (valueSize != m)
            {
                throw new InvalidOperationException($"The value matrix has order {valueSize}; expected {m}.");
            }

            // The first layer's input is data: the buffers of Y^T, M^-1 Y and P Dz are dead from here on. Released, a
            // collection during the first layer's factorization may reclaim them (50 MB in issue 7's network).
            if (mIn == 0 && !keepScratch)
            {
                (stateProduct, middleSolved, couplingT, packedCouplingT) = ([], [], [], []);
            }

            // A wide block (p > m) is first offered to the low-rank route, which does not form it; E is not
            // formed yet, so the route's scratch is E's buffer.
            // The groups' blocks are copied only where the route's flops take the block (PredictsLowRank): a p > m layer it
            // declines at once goes whole and never reads them.
            IPivotBlockFactor? factor = PredictsLowRank(derivatives, l, count, allowLowRank)
                ? LowRankPivotBlockFactor.CreateFromGroupBlocks(derivatives.ParameterGroups(l), derivatives.GroupBlocks(l), epsilon, d.Dx, valueMatrix, p, m,
                    nextValue, scale, ref flops, lowRankWorkspace ??= new LowRankWorkspace(), storage)
                : null;
            prefetch.Step(); // step 2: after the low-rank route's factor
            bool grouped = m < GroupedProductStateOrder;
            bool productsFormed = false; // A's product with -(Dx^T P) and C formed in the two-core fork, C's storage taken for it
            Memory<double> coupling = Memory<double>.Empty; // C, then Y: taken from the storage before the two-core fork, or below

            // Else A = Xxx + eps I + Dx^T P Dx, through -(Dx^T P) = -(P Dx)^T; both products skip Dx's zeros.
            if (factor is null)
            {
                if (block.Length != p * p)
                {
                    block = [];
                    block = scratch.BlockOf(p * p, keepSpare: keepScratch);
                }

                if (d.Has(SecondDerivativeBlocks.Xxx))
                {
                    d.Xxx.CopyTo(block);
                }
                else
                {
                    block.AsSpan().Clear();
                }

                for (int i = 0; i < p; i++)
                {
                    block[(i * p) + i] += epsilon;
                }
            }

            bool valueFormed = false;
            bool lowerOnly = false; // A formed in its lower triangle only (its upper one is not A's)
            if (factor is null && m > 0)
            {
                Grow(ref weighted, p * m);
                Grow(ref weightedT, p * m);
                Span<double> negativeWeighted = weighted.AsSpan(0, p * m);
                if (grouped)
                {
                    // A small state: both products group by group from Dx in place, no Dx^T (GroupedJacobianProduct); the first
                    // writes -(Dx^T P) in both layouts, the second reads the transposed one.
                    negativeWeighted.Clear();
                    ParameterGroups groups = derivatives.ParameterGroups(l);
                    Span<double> negativeWeightedT = weightedT.AsSpan(0, m * p);
                    flops += GroupedJacobianProduct.SubtractTransposeProduct(groups, d.Dx, p, m, valueMatrix, m, negativeWeighted, negativeWeightedT,
                        VectorWidth.Hardware);
                    // A's lower triangle alone: the factor reads it (and mirrors it), so the columns past each row's diagonal are skipped.
                    flops += GroupedJacobianProduct.SubtractTransposeProduct(groups, d.Dx, p, m, negativeWeightedT, p, block, [], VectorWidth.Hardware,
                        lowerTriangle: true);
                    lowerOnly = true;
                }
                else
                {
                    ParameterGroups groups = derivatives.ParameterGroups(l);
                    Span<double> negativeWeightedT = weightedT.AsSpan(0, m * p);

                    // A large state: -(Dx^T P) and its transpose at once, in register tiles per group (GroupedValueProduct).
                    int vectorBits = VectorWidth.Hardware;
                    Grow(ref dxT, p * m);
                    if (twoCores)
                    {
                        // C is formed in the fork too, into the storage, so it is taken here (before Dx's compressed copy, as below).
                        coupling = mIn > 0 ? storage.Take(p * mIn) : Memory<double>.Empty;
                        flops += FormProductsOnTwoCores(worker!, d, groups, count, p, m, mIn, value, nextValue, weighted, weightedT, dxT, block, coupling,
                            vectorBits);
                        if (mIn > 0)
                        {
                            AddXzzBlocks(d, nextValue.AsSpan(0, mIn * mIn), mIn, count);
                        }

                        valueFormed = mIn > 0;
                        productsFormed = true;
                    }
                    else
                    {
                        flops += GroupedValueProduct.Form(groups, d.Dx, p, m, valueMatrix, negativeWeighted, negativeWeightedT, 0, m, vectorBits);

                        // A += Dx^T (P Dx) = -(Dx^T W^T), through the runs of Dx^T's rows. Group by group from Dx in place (as
                        // GroupedJacobianProduct or GroupedValueProduct sum), the solves' backward error at width 16, batch 64 went from
                        // 8.5e-14 to 1.2e-13 or 1.4e-13, past TwoCoreRecursionTests' bound.
                        MatrixKernels.Transpose(d.Dx, m, p, dxT.AsSpan(0, p * m));
                        flops += MatrixKernels.SubtractProduct(block, p, dxT.AsSpan(0, p * m), m, negativeWeightedT, p, p, m, p);
                    }
                }
            }

            // C = Xzx + Dx^T P Dz and E = Xzz + Dz^T P Dz (unless formed beside -(Dx^T P) above), per example block of Dz
            // (a block not stored is zero); the first layer's input is data, so it needs neither. C is formed in the storage,
            // where the half solve turns it into the Y the sweeps read; on the direct coupling below, Y is written there without C.
            if (!productsFormed)
            {
                coupling = mIn > 0 ? storage.Take(p * mIn) : Memory<double>.Empty;
            }

            // What the solve reads of Dx: its non-zeros, where it is mostly zero; kept by the derivatives from their first factorization
            // where small (HessianDerivatives.KeptJacobian), else read at its groups' parameters alone (every layer with a state has
            // found them above, for its products with Dx or the low-rank route) into the storage. Taken from the storage after C and
            // before a whole block's Bunch-Kaufman factor, which is written there, so that the storage hands out the same sizes in the
            // same order as when that factor was copied after it; compressed here, before the worker's early wakes below, so that
            // nothing but C's and E's products and A's factor comes between a wake and the half solve's fork.
            jacobians[l] = derivatives.KeptJacobian(l) ?? (m > 0
                ? CompressedJacobian.Compress(d.Dx, m, p, derivatives.ParameterGroups(l), storage)
                : CompressedJacobian.Compress(d.Dx, m, p, storage));

            // A low-rank factor whose groups all solve explicitly at this width takes Y straight from Xzx and -(P Dz) (one core).
            LowRankPivotBlockFactor? directLowRank = factor as LowRankPivotBlockFactor;
            bool directCoupling = directLowRank is not null && mIn > 0 && m > 0 && p > 0 && !twoCores && directLowRank.SolvesCouplingDirectly(mIn);
            Span<double> c = coupling.Span;
            Span<double> e = nextValue.AsSpan(0, mIn * mIn);
            if (mIn > 0)
            {
                // Where E was formed beside -(Dx^T P) (and C and A's product with it), the next fork is the half solve's, after A's
                // factor (some microseconds): the worker, which spun after that fork and may have blocked since, is woken to spin for it, if the half solve forks at all.
                if (twoCores && valueFormed && HalfSolveForks(factor, p, mIn))
                {
                    worker!.WakeAhead();
                }

                // Xzx's example blocks fill every column of C; a layer without Xzx starts C at zero. Where -(Dx^T P) was formed,
                // its product with Dz starts C from them itself (a copy per example and parameter took as long as the product);
                // on the direct coupling the half solve reads them; elsewhere they are copied first.
                if (m > 0 && p > 0 && factor is null)
                {
                    // C = Xzx + (Dx^T P) Dz, per example block of Dz: -(Dx^T P) is at hand from A, and Dz's blocks make this
                    // O(p m aIn), where Dx^T (P Dz) would cost O(nnz(Dx) mIn) after O(m^2 aIn) for P Dz. The two-core fork formed it
                    // beside A's product.
                    if (!productsFormed)
                    {
                        flops += BlockDiagonalRightProduct.SetInitialMinusProduct(d.Has(SecondDerivativeBlocks.Xzx) ? d.Xzx : [], weighted.AsSpan(0, p * m), m,
                            d.Dz, count, a, aIn, c, mIn, p, VectorWidth.Hardware);
                    }
                }
                else if (directCoupling)
                {
                    // The low-rank route solves Y = W^-1 C from Xzx and -(P Dz) below without forming C (SolveCouplingLowerHalf).
                    flops += FormNegativeValueDz(ref stateProduct, valueMatrix, d, count, m, a, aIn, mIn);
                }
                else
                {
                    if (d.Has(SecondDerivativeBlocks.Xzx) && count == 1)
                    {
                        // One example: C's rows are Xzx's block as it lies (mIn = aIn), one copy instead of one per parameter.
                        d.XzxBlock(0).CopyTo(c);
                    }
                    else if (d.Has(SecondDerivativeBlocks.Xzx))
                    {
                        for (int n = 0; n < count; n++)
                        {
                            ReadOnlySpan<double> xzx = d.XzxBlock(n);
                            for (int j = 0; j < p; j++)
                            {
                                xzx.Slice(j * aIn, aIn).CopyTo(c.Slice((j * mIn) + (n * aIn), aIn));
                            }
                        }
                    }
                    else
                    {
                        c.Clear();
                    }

                    if (m > 0 && p > 0)
                    {
                        // The low-rank route did not form Dx^T P: C -= Dx^T (-(P Dz)), group by group of Dx's non-zeros.
                        flops += FormNegativeValueDz(ref stateProduct, valueMatrix, d, count, m, a, aIn, mIn);
                        flops += GroupedJacobianProduct.SubtractTransposeProduct(derivatives.ParameterGroups(l), d.Dx, p, m, stateProduct.AsSpan(0, m * mIn), mIn, c);
                    }
                }

                // E, unless formed beside -(Dx^T P) above.
                if (!valueFormed)
                {
                    flops += FormValueBlock(d, value, m, nextValue, mIn, count, twoCores ? worker : null, ref jacobianZ);
                }
            }

            prefetch.Step(); // step 3: after C and E

            // Where E was formed just above (its own fork, or none), the half solve's fork, if any, comes after A's factor alone.
            if (twoCores && mIn > 0 && !valueFormed && HalfSolveForks(factor, p, mIn))
            {
                worker!.WakeAhead();
            }

            // Factor A (its upper triangle is the copy Bunch-Kaufman restarts from if Cholesky fails). A Bunch-Kaufman factor is
            // written straight into the storage the sweeps read (a Cholesky factor is packed there below).
            if (factor is null)
            {
                double largest = lowerOnly ? MatrixKernels.MaxAbsLower(block, p) : VectorKernels.MaxAbs(block);
                double tinyPivot = p * Math.ScaleB(1.0, -52) * Math.Max(scale, largest);
                Grow(ref work, PivotBlockFactor.WorkLength(p));
                factor = double.IsFinite(largest)
                    ? PivotBlockFactor.Create(block, p, work, tinyPivot, ref flops, storage: storage)
                    : null;
            }

            if (factor is null)
            {
                singularLayer = l;
                break;
            }

            // P_l = E - C^T A^-1 C = E - Y^T M^-1 Y with A = W M W^T and Y = W^-1 C: one triangular solve per column where
            // A^-1 C took two (upper triangle, then mirrored: exactly symmetric). Y is what the sweeps keep of the layer.
            prefetch.Step(); // step 4: before the half solve (right after step 3 for a low-rank layer, factored already)
            long wholeSolveFlops = mIn > 0 && !directCoupling ? factor.LowerHalfFlops(mIn) : 0;
            int firstHalfColumns = twoCores && mIn > 0 && !directCoupling ? ColumnSplitSolve.FirstHalfColumns(mIn, wholeSolveFlops) : 0;
            if (mIn > 0 && TwoCoreCouplingUpdate.Takes(p, mIn, firstHalfColumns))
            {
                // Two cores: the half solve, M^-1 Y, the update and the mirror in one fork (TwoCoreCouplingUpdate).
                Grow(ref packedCouplingT, PackedUpperUpdate.PackedLength(mIn, p));
                if (!factor.MiddleIsIdentity)
                {
                    Grow(ref middleSolved, p * mIn);
                    flops += factor.MiddleFlops(mIn);
                }

                TwoCoreCouplingUpdate.Run(factor.SolveLowerHalf, factor.MiddleIsIdentity ? null : factor.SolveMiddle, p, coupling,
                    factor.MiddleIsIdentity ? Memory<double>.Empty : middleSolved.AsMemory(0, p * mIn), mIn, firstHalfColumns, packedCouplingT,
                    nextValue.AsMemory(0, mIn * mIn), worker!);
                flops += factor.LowerHalfFlops(firstHalfColumns) + factor.LowerHalfFlops(mIn - firstHalfColumns) + ((long)mIn * (mIn + 1) * p);
            }
            else if (mIn > 0)
            {
                long halfSolveFlops = wholeSolveFlops; // p^2 mIn for a whole block: a forward substitution per column
                if (directCoupling)
                {
                    halfSolveFlops = directLowRank!.SolveCouplingLowerHalf(d.Has(SecondDerivativeBlocks.Xzx) ? d.Xzx : [], count, aIn,
                        stateProduct.AsSpan(0, m * mIn), mIn, c);
                }
                else if (twoCores)
                {
                    // Each half of the columns is solved on its own and may take another way (SolvesGroupExplicitly's width): counted per half.
                    int firstHalf = ColumnSplitSolve.FirstHalfColumns(mIn, halfSolveFlops);
                    ColumnSplitSolve.Solve(factor.SolveLowerHalf, p, coupling, mIn, halfSolveFlops, worker);
                    halfSolveFlops = firstHalf == 0 ? halfSolveFlops : factor.LowerHalfFlops(firstHalf) + factor.LowerHalfFlops(mIn - firstHalf);
                }
                else
                {
                    factor.SolveLowerHalf(c, mIn);
                }

                flops += halfSolveFlops;

                // Y^T for the update: packed in the micro-kernel's panels where the packed update takes the product (one
                // pass, no transposed copy), else transposed. M^-1 Y is Y itself for a Cholesky factor, else a copy solved
                // with D's 1x1 and 2x2 blocks (O(p mIn)).
                // A state of up to SmallUpperUpdate.Limit (per vector width) on one core takes Y as it lies (SmallUpperUpdate).
                bool smallUpdate = mIn <= SmallUpperUpdate.Limit(VectorWidth.Hardware) && !twoCores;
                bool packedUpdate = !smallUpdate && PackedUpperUpdate.Supports(p);
                Grow(ref couplingT, packedUpdate || smallUpdate ? 0 : mIn * p);
                Span<double> yT = couplingT.AsSpan(0, packedUpdate || smallUpdate ? 0 : mIn * p);
                if (packedUpdate)
                {
                    Grow(ref packedCouplingT, PackedUpperUpdate.PackedLength(mIn, p));
                    PackedUpperUpdate.PackLeft(c, mIn, mIn, p, packedCouplingT);
                }
                else if (!smallUpdate)
                {
                    MatrixKernels.Transpose(c, p, mIn, yT);
                }

                Memory<double> right = coupling;
                if (!factor.MiddleIsIdentity)
                {
                    Grow(ref middleSolved, p * mIn);
                    right = middleSolved.AsMemory(0, p * mIn);
                    c.CopyTo(right.Span);
                    factor.SolveMiddle(right.Span, mIn);
                    flops += factor.MiddleFlops(mIn);
                }

                // E -= Y^T (M^-1 Y) in its upper triangle: the symmetric half of the product, the largest of the step, on two cores.
                if (twoCores)
                {
                    if (packedUpdate)
                    {
                        // Each core mirrors its own band of rows in the update's fork.
                        PackedUpperUpdate.AddUpperOnTwoCores(mIn, p, -1, packedCouplingT, right, mIn, nextValue.AsMemory(0, mIn * mIn), mIn, worker, mirror: true);
                    }
                    else
                    {
                        ParallelTriangularGemm.Multiply(true, false, false, mIn, p, -1, couplingT.AsMemory(0, mIn * p), p, right, mIn, 1,
                            nextValue.AsMemory(0, mIn * mIn), mIn, worker);
                        ParallelMirror.MirrorUpper(nextValue.AsMemory(0, mIn * mIn), mIn, worker);
                    }
                }
                else
                {
                    if (smallUpdate)
                    {
                        SmallUpperUpdate.AddUpper(mIn, p, -1, c, mIn, right.Span, mIn, e, mIn);
                    }
                    else if (packedUpdate)
                    {
                        PackedUpperUpdate.AddUpper(mIn, p, -1, packedCouplingT, right.Span, mIn, e, mIn, 0, mIn);
                    }
                    else
                    {
                        TriangularGemm.Multiply(true, false, false, mIn, p, -1, yT, p, right.Span, mIn, 1, e, mIn);
                    }

                    MatrixKernels.MirrorUpper(e, mIn);
                }

                flops += (long)mIn * (mIn + 1) * p;
            }

            prefetch.Finish();
            solvedCouplings[l] = coupling;

            // The recursion is done with the square factor: a Cholesky factor is kept packed and the square reused; a whole
            // block's Bunch-Kaufman factor is in the storage already (KeptIn copies nothing), so that the square scratch stays for the
            // next layer; a low-rank factor's groups and its core (packed, or square with its pivots) go to the storage too.
            blocks[l] = factor switch
            {
                PivotBlockFactor { IsPositiveDefinite: true } cholesky => new PackedCholeskyFactor(cholesky, storage),
                PivotBlockFactor bunchKaufman => bunchKaufman.KeptIn(storage),
                LowRankPivotBlockFactor lowRank => lowRank.KeptIn(storage),
                _ => throw new UnreachableException(),
            };

            (value, nextValue) = (nextValue, value);
            valueSize = mIn;
        }

        // After the last layer, or a singular block's: the work arrays go back to the derivatives for their next factorization.
        KeepScratch(derivatives, keepScratch ? scratch : null, [value, nextValue, dxT, weighted, weightedT, stateProduct, middleSolved, couplingT, packedCouplingT, work, jacobianZ],
            lowRankWorkspace);
        if (singularLayer >= 0)
        {
            derivatives.FactorStoragePool.Return(storage);
            return null;
        }

        return new RiccatiFactorization(derivatives, blocks, solvedCouplings, jacobians, storage, largestState, largestP, flops)
        {
            PrefetchedLayers = prefetchedLayers,
        };
    }

    // The counters of FormProductsOnTwoCores' fork (SharedFork): E's block rows, -(Dx^T P)'s columns, the products that read it.
    private const int CongruencePieces = 0, ProductColumns = 1, ProductTasks = 2, ProductCounters = 3;

    /// <summary>
    /// A large layer's products on two cores, in one fork: both form <c>E = Dz^T P Dz</c> (none for the first layer) into
    /// <paramref name="nextValue"/>, then <c>-(Dx^T P)</c> and its transpose into <paramref name="weighted"/> and
    /// <paramref name="weightedT"/>, taking pieces from one counter per product (block rows of <c>E</c>, columns of <c>W</c>), so they
    /// finish within a piece of each other (halves formed side by side left a core idle, and <c>E</c> taken whole by one core left the
    /// other idle 60 us per layer at issue 7's order once <c>-(Dx^T P)</c> was faster). This thread takes the pieces from the front,
    /// the worker from the end (<see cref="SharedFork"/>): where both take their half, <c>E</c>'s first block rows are this core's, as
    /// the update's first band of rows (<see cref="TwoCoreCouplingUpdate"/>) and the mirror of <c>P</c>'s rows it writes; the pieces of
    /// a late core go to the other. Then <c>A += Dx^T (P Dx)</c> into <paramref name="block"/> (through <c>Dx^T</c>, formed first into
    /// <paramref name="dxT"/>) and <c>C = Xzx + (Dx^T P) Dz</c> into <paramref name="coupling"/>, one side each (a side finds both
    /// where the other has not come): both read all of <c>-(Dx^T P)</c>, so a side first waits for its columns still being formed (at
    /// most one piece, the other side's). Formed on this thread after the fork, they were most of a one-core stretch between the
    /// layer's two forks through which the worker spun, then blocked, and from which the half solve's fork had to wake it. A static
    /// method, so that its lambdas capture its parameters, not the recursion's locals.
    /// </summary>
    /// <returns>The floating-point operations performed.</returns>
    private static long FormProductsOnTwoCores(TwoCoreWorker worker, LayerDerivatives d, ParameterGroups groups, int count, int p, int m, int mIn,
        double[] value, double[] nextValue, double[] weighted, double[] weightedT, double[] dxT, double[] block, Memory<double> coupling, int vectorBits)
    {
        var fork = new SharedFork(ProductCounters);
        void Share(bool fromEnd)
        {
            // Each piece's flops go into the fork as it ends (SharedFork.Flops): a side's total added after its last piece could be
            // read before a late worker added it, since the fork waits for pieces done, not for the worker.
            if (mIn > 0)
            {
                BlockDiagonalCongruence.AddUpperShared(value.AsSpan(0, m * m), m, d.Dz, count, d.OutputSize, d.InputSize,
                    nextValue.AsSpan(0, mIn * mIn), mIn, overwrite: true, fork, CongruencePieces, fromEnd);
            }

            GroupedValueProduct.FormShared(groups, d.Dx, p, m, value.AsSpan(0, m * m), weighted.AsSpan(0, p * m),
                weightedT.AsSpan(0, m * p), vectorBits, fork, ProductColumns, fromEnd);
            if (!fork.WaitForPieces(ProductColumns, 1))
            {
                return; // a piece failed: its exception is what the fork throws
            }

            int task;
            while ((task = fork.Take(ProductTasks, mIn > 0 && p > 0 ? 2 : 1, fromEnd)) >= 0)
            {
                long taskFlops;
                if (task == 0)
                {
                    MatrixKernels.Transpose(d.Dx, m, p, dxT.AsSpan(0, p * m));
                    taskFlops = MatrixKernels.SubtractProduct(block, p, dxT.AsSpan(0, p * m), m, weightedT.AsSpan(0, m * p), p, p, m, p);
                }
                else
                {
                    taskFlops = BlockDiagonalRightProduct.SetInitialMinusProduct(d.Has(SecondDerivativeBlocks.Xzx) ? d.Xzx : [],
                        weighted.AsSpan(0, p * m), m, d.Dz, count, d.OutputSize, d.InputSize, coupling.Span, mIn, p, VectorWidth.Hardware);
                }

                fork.Done(ProductTasks, fromEnd, taskFlops);
            }
        }

        fork.Run(worker, Share);
        return fork.Flops;
    }

    /// <summary>
    /// The work arrays as <see cref="Create"/> left them (grown, the value matrices swapped), in <see cref="RiccatiScratch"/>'s order
    /// (<c>Value</c> to <c>JacobianZ</c>), back into <paramref name="scratch"/> and to the derivatives for their next factorization;
    /// nothing where <paramref name="scratch"/> is null (large: not kept). A static function of its arguments, so that the recursion's
    /// arrays stay plain locals (a local function capturing them would hold them in a struct whose address is taken).
    /// </summary>
    private static void KeepScratch(HessianDerivatives derivatives, RiccatiScratch? scratch, ReadOnlySpan<double[]> arrays, LowRankWorkspace? lowRank)
    {
        if (scratch is null)
        {
            return;
        }

        (scratch.Value, scratch.NextValue, scratch.DxT, scratch.Weighted, scratch.WeightedT, scratch.StateProduct) = (arrays[0], arrays[1], arrays[2], arrays[3], arrays[4], arrays[5]);
        (scratch.MiddleSolved, scratch.CouplingT, scratch.PackedCouplingT, scratch.Work, scratch.JacobianZ) = (arrays[6], arrays[7], arrays[8], arrays[9], arrays[10]);
        scratch.LowRank = lowRank;
        derivatives.KeepRiccatiScratch(scratch);
    }

    /// <summary>
    /// Gives the storage of the factors back to the derivatives' pool, for their next factorization; a
    /// <see cref="Solve(ReadOnlySpan{double}, Span{double})"/> after it throws. Idempotent. The inertia, log-determinant and routes stay readable.
    /// </summary>
    public void Release()
    {
        // Exchanged, so that two threads disposing at once give the storage back once.
        FactorStorage? released = Interlocked.Exchange(ref storage, null);
        if (released is not null)
        {
            derivatives.FactorStoragePool.Return(released);
        }
    }

    /// <summary>
    /// Solves <c>(H + eps I) x = rhs</c> into <paramref name="result"/> (lengths checked by the caller), with
    /// <c>A_l = W_l M_l W_l^T</c> and <c>Y_l = W_l^-1 C_l</c>: backwards, the affine part of the value, from
    /// <c>r_l = Dx_l^T v_(l+1) - g_l</c>, <c>t_l = W_l^-1 r_l</c> and <c>v_l = Dz_l^T v_(l+1) - Y_l^T M_l^-1 t_l</c>; forwards,
    /// <c>x_l = -W_l^-T M_l^-1 (t_l + Y_l y_(l-1))</c> and <c>y_l = Dz_l y_(l-1) + Dx_l x_l</c>. The two halves of a solve
    /// with <c>A_l</c> per right-hand side, one in each sweep, where <c>k_l = -A_l^-1 r_l</c> took both in the first.
    /// </summary>
    public void Solve(ReadOnlySpan<double> rhs, Span<double> result) => Solve(rhs, result, prefetchLayers: solveLeavesCache);

    /// <summary>
    /// <see cref="Solve(ReadOnlySpan{double}, Span{double})"/>, prefetching the next layer in each sweep or not: the same
    /// operations in the same order either way, so the same result to the bit (tests compare the two on small networks, which
    /// do not prefetch on their own: <see cref="PrefetchSolveBytes"/>).
    /// </summary>
    /// <returns>The layers queued for prefetch, over both sweeps (for tests: 0 when not prefetching).</returns>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal int Solve(ReadOnlySpan<double> rhs, Span<double> result, bool prefetchLayers)
    {
        ObjectDisposedException.ThrowIf(storage is null, this);
        Network network = derivatives.Point.Network;
        int depth = network.Depth;
        int count = derivatives.Point.Batch.Count;
        var value = new double[largestState];
        var nextValue = new double[largestState];
        var negativeLinear = new double[largestParameterCount];
        int queuedLayers = 0;

        // Backward: result_l holds t_l.
        for (int l = depth - 1; l >= 0; l--)
        {
            LayerDerivatives d = derivatives.Layer(l);
            int p = d.ParameterCount;
            int a = d.OutputSize;
            int aIn = d.InputSize;
            int m = StateCount(network, l, count);
            int mIn = l > 0 ? count * aIn : 0;
            Span<double> v = value.AsSpan(0, m);

            // The next layer's factors and derivatives toward L2 where they are not in cache, a step between each piece of this layer's work.
            var prefetch = new PrefetchQueue();
            bool queued = prefetchLayers && QueueNextLayer(l - 1, GainSteps(p), ref prefetch);
            int chunk = queued ? PrefetchRows : p;
            queuedLayers += queued ? 1 : 0;

            // g_l - Dx^T v, rows of Dx weighted by v.
            Span<double> linear = negativeLinear.AsSpan(0, p);
            network.ParameterSlice(rhs, l).CopyTo(linear);
            CompressedJacobian compressed = jacobians[l];
            if (compressed.IsCompressed)
            {
                compressed.SubtractTransposeProduct(v, linear);
            }
            else
            {
                ReadOnlySpan<double> dx = d.Dx;
                for (int r = 0; r < m; r++)
                {
                    if (v[r] != 0)
                    {
                        VectorKernels.Axpy(-v[r], dx.Slice(r * p, p), linear);
                    }
                }
            }

            prefetch.Step();

            // t = W^-1 r, r = -(g - Dx^T v).
            IPivotBlockFactor block = blocks[l];
            Span<double> t = network.ParameterSlice(result, l);
            for (int i = 0; i < p; i++)
            {
                t[i] = -linear[i];
            }

            block.SolveLowerHalf(t, 1);
            prefetch.Step();
            if (mIn == 0)
            {
                prefetch.Finish();
                continue;
            }

            // M^-1 t: t itself for a Cholesky factor, else in the buffer of g - Dx^T v, which is done with.
            ReadOnlySpan<double> middleSolved = t;
            if (!block.MiddleIsIdentity)
            {
                t.CopyTo(linear);
                block.SolveMiddle(linear, 1);
                middleSolved = linear;
            }

            // Dz^T v per example block, then - Y^T M^-1 t (short rows four per pass, see MatrixVectorKernels), PrefetchRows rows at a time when prefetching.
            Span<double> next = nextValue.AsSpan(0, mIn);
            next.Clear();
            prefetch.Step();
            for (int n = 0; n < count && m > 0; n++)
            {
                MatrixVectorKernels.TransposeMultiplyAdd(1, d.DzBlock(n), a, aIn, v.Slice(n * a, a), next.Slice(n * aIn, aIn));
            }

            ReadOnlySpan<double> gain = solvedCouplings[l].Span;
            for (int r = 0; r < p; r += chunk)
            {
                int rows = Math.Min(chunk, p - r);
                prefetch.Step();
                MatrixVectorKernels.TransposeMultiplyAdd(-1, gain.Slice(r * mIn, rows * mIn), rows, mIn, middleSolved.Slice(r, rows), next);
            }

            prefetch.Finish();

            (value, nextValue) = (nextValue, value);
        }

        // Forward: the tangents y_l over the batch, from y = 0 entering the first layer.
        int stateSize = 0;
        for (int l = 0; l < depth; l++)
        {
            LayerDerivatives d = derivatives.Layer(l);
            int p = d.ParameterCount;
            int a = d.OutputSize;
            int aIn = d.InputSize;
            int m = StateCount(network, l, count);
            ReadOnlySpan<double> y = value.AsSpan(0, stateSize);

            // The next layer toward L2, as in the backward sweep (no steps between chunks of Y where there is no Y y).
            var prefetch = new PrefetchQueue();
            bool queued = prefetchLayers && QueueNextLayer(l + 1, stateSize > 0 ? GainSteps(p) : 0, ref prefetch);
            int chunk = queued ? PrefetchRows : p;
            queuedLayers += queued ? 1 : 0;

            // x = -W^-T M^-1 (t + Y y), t in place, PrefetchRows rows of Y at a time when prefetching.
            Span<double> x = network.ParameterSlice(result, l);
            if (stateSize > 0)
            {
                ReadOnlySpan<double> gain = solvedCouplings[l].Span;
                for (int r = 0; r < p; r += chunk)
                {
                    int rows = Math.Min(chunk, p - r);
                    prefetch.Step();
                    MatrixVectorKernels.MultiplyAdd(gain.Slice(r * stateSize, rows * stateSize), rows, stateSize, y, x.Slice(r, rows));
                }
            }

            IPivotBlockFactor block = blocks[l];
            if (!block.MiddleIsIdentity)
            {
                block.SolveMiddle(x, 1);
            }

            prefetch.Step();
            block.SolveUpperHalf(x, 1);
            prefetch.Step();
            for (int i = 0; i < p; i++)
            {
                x[i] = -x[i];
            }

            // Dx x, then + Dz y per example block.
            Span<double> next = nextValue.AsSpan(0, m);
            ReadOnlySpan<double> dx = d.Dx;
            CompressedJacobian compressed = jacobians[l];
            for (int r = 0; r < m; r++)
            {
                next[r] = compressed.IsCompressed ? compressed.RowProduct(r, x) : VectorKernels.Dot(dx.Slice(r * p, p), x);
            }

            prefetch.Step();
            for (int n = 0; n < count && m > 0 && stateSize > 0; n++)
            {
                MatrixVectorKernels.MultiplyAdd(d.DzBlock(n), a, aIn, y.Slice(n * aIn, aIn), next.Slice(n * a, a));
            }

            prefetch.Finish();

            (value, nextValue) = (nextValue, value);
            stateSize = m;
        }

        return queuedLayers;
    }

    /// <summary>
    /// Whether the half solve <c>Y = W^-1 C</c> of <paramref name="mIn"/> columns forks (<see cref="ColumnSplitSolve.Forks"/>), with
    /// <paramref name="factor"/>'s flops, or a whole block's <c>p^2 mIn</c> where A is yet to be factored.
    /// </summary>
    private static bool HalfSolveForks(IPivotBlockFactor? factor, int p, int mIn) =>
        ColumnSplitSolve.Forks(factor?.LowerHalfFlops(mIn) ?? (long)p * p * mIn, mIn);

    /// <summary>
    /// The prefetch of layer <paramref name="next"/>'s derivatives, spread over <see cref="FactorPrefetchSteps"/> steps, where
    /// <see cref="Create"/> offers its block to the low-rank route and the route's flops do not decline it at once (a block it
    /// then declines for its conditioning goes whole) and its spans are at most <paramref name="layerLimit"/> bytes
    /// (<see cref="PrefetchFactorLayerBytes"/>); none for a block formed whole (<see cref="FactorPrefetch"/>'s remarks).
    /// </summary>
    internal static FactorPrefetch NextLayerPrefetch(HessianDerivatives derivatives, int next, int count, bool allowLowRank, long layerLimit)
    {
        // A layer whose derivatives' spans alone pass the limit is declined before the route's prediction and the groups' blocks;
        // else the groups' blocks join the same queue (FactorPrefetch.Of in two parts).
        FactorPrefetch prefetch = FactorPrefetch.OfDerivatives(derivatives.Layer(next), next);
        if (prefetch.QueuedBytes > layerLimit || !PredictsLowRank(derivatives, next, count, allowLowRank))
        {
            return default;
        }

        prefetch.AddGroupBlocks(derivatives.GroupBlocks(next), FactorPrefetchSteps);
        return prefetch.QueuedBytes <= layerLimit ? prefetch : default;
    }

    /// <summary>
    /// Whether <see cref="Create"/> offers layer <paramref name="layer"/>'s block to the low-rank route and the route's flops do
    /// not decline it at once: the route the layer goes unless its conditioning declines it (tests compare with
    /// <see cref="Routes"/>).
    /// </summary>
    internal static bool PredictsLowRank(HessianDerivatives derivatives, int layer, int count, bool allowLowRank)
    {
        int p = derivatives.Layer(layer).ParameterCount;
        int m = StateCount(derivatives.Point.Network, layer, count);
        return OffersLowRank(allowLowRank, p, m) && LowRankPivotBlockFactor.CheaperThanWhole(derivatives.ParameterGroups(layer), p, m);
    }

    /// <summary>
    /// Whether <see cref="Create"/> offers a block of <paramref name="p"/> parameters and <paramref name="m"/> states to the
    /// low-rank route: where allowed, wider than the state (<c>p &gt; m</c>) and with a state at all.
    /// </summary>
    private static bool OffersLowRank(bool allowLowRank, int p, int m) => allowLowRank && p > m && m > 0;

    /// <summary>
    /// Names to <paramref name="queue"/> what a sweep of <see cref="Solve(ReadOnlySpan{double}, Span{double})"/> reads of layer <paramref name="layer"/>: <c>Y</c>, <c>Dx</c>
    /// (compressed, or dense), <c>Dz</c> and the pivot block's stored factors; not the first layer's <c>Y</c> and <c>Dz</c>
    /// (<see cref="ReadsState"/>).
    /// </summary>
    internal void QueueSolveSpans(int layer, ref PrefetchQueue queue)
    {
        LayerDerivatives d = derivatives.Layer(layer);
        if (ReadsState(layer))
        {
            queue.Add(solvedCouplings[layer].Span);
        }

        CompressedJacobian compressed = jacobians[layer];
        if (compressed.IsCompressed)
        {
            compressed.QueueStoredSpans(ref queue);
        }
        else
        {
            queue.Add<double>(d.Dx);
        }

        if (ReadsState(layer))
        {
            queue.Add<double>(d.Dz);
        }

        blocks[layer].QueueStoredSpans(ref queue);
    }

    /// <summary>
    /// Whether the sweeps read layer <paramref name="layer"/>'s <c>Y</c> and <c>Dz</c>, the terms of its input state: not for
    /// the first layer, whose input is the data (<c>Y</c> is empty; the backward sweep stops before <c>Dz^T v</c>, and the
    /// forward one enters it with no state to multiply).
    /// </summary>
    private static bool ReadsState(int layer) => layer > 0;

    /// <summary>The steps of the next layer's prefetch between chunks of <c>Y</c>'s <paramref name="p"/> rows: one per <see cref="PrefetchRows"/>.</summary>
    private static int GainSteps(int p) => (p + PrefetchRows - 1) / PrefetchRows;

    /// <summary>The pivot block of layer <paramref name="layer"/> (for tests).</summary>
    internal IPivotBlockFactor Block(int layer) => blocks[layer];

    /// <summary>The compressed <c>Dx</c> of layer <paramref name="layer"/>, not <see cref="CompressedJacobian.IsCompressed"/> where the sweeps read it dense (for tests).</summary>
    internal CompressedJacobian Jacobian(int layer) => jacobians[layer];

    /// <summary>
    /// Names layer <paramref name="next"/> (if there is one) to <paramref name="queue"/> and spreads it over the steps the
    /// current layer takes: <paramref name="gainSteps"/> between chunks of <c>Y</c> (<see cref="GainSteps"/>, or none where
    /// the sweep multiplies no <c>Y</c>), three more. A layer of more than <see cref="PrefetchLayerBytes"/> is not queued.
    /// </summary>
    /// <returns>Whether the next layer is queued.</returns>
    private bool QueueNextLayer(int next, int gainSteps, ref PrefetchQueue queue)
    {
        if (next < 0 || next >= blocks.Length)
        {
            return false;
        }

        QueueSolveSpans(next, ref queue);
        if (queue.QueuedBytes > PrefetchLayerBytes)
        {
            queue = default;
            return false;
        }

        queue.Spread(3 + gainSteps);
        return true;
    }

    /// <summary>
    /// The bytes one <see cref="Solve(ReadOnlySpan{double}, Span{double})"/> reads of the factors and the derivatives, per layer (for the depth-scaling
    /// report): all of them twice, once per sweep: <c>Y = W^-1 C</c> and <c>Dz</c> (not the first layer's, <see cref="ReadsState"/>),
    /// the compressed (or dense) <c>Dx</c>, and the pivot block's factors with their pivots (the backward sweep solves with
    /// <c>W</c>, the forward one with <c>W^T</c>): the bytes <see cref="QueueSolveSpans"/> names, twice.
    /// </summary>
    internal long[] SolveBytesPerLayer()
    {
        ObjectDisposedException.ThrowIf(storage is null, this);
        var bytes = new long[blocks.Length];
        for (int l = 0; l < blocks.Length; l++)
        {
            bytes[l] = SolveBytes(l);
        }

        return bytes;
    }

    /// <summary>Layer <paramref name="layer"/>'s entry of <see cref="SolveBytesPerLayer"/> (the constructor sums them without the array).</summary>
    private long SolveBytes(int layer)
    {
        LayerDerivatives d = derivatives.Layer(layer);
        long jacobian = jacobians[layer].IsCompressed ? jacobians[layer].StoredBytes : (long)d.Dx.Length * sizeof(double);
        long state = ReadsState(layer) ? ((long)solvedCouplings[layer].Length + d.Dz.Length) * sizeof(double) : 0;
        return 2 * (state + jacobian + blocks[layer].StoredBytes);
    }

    /// <summary>
    /// <c>E = Xzz + Dz^T P Dz</c> in its upper block triangle, the only part the update reads, into <paramref name="nextValue"/>:
    /// the congruence overwrites those tiles (no pass clearing all <c>m_in^2</c> values), then Xzz's example blocks join the
    /// diagonal ones. On two cores (a <paramref name="worker"/> for the second), <c>Dz</c> is copied into <paramref name="jacobianZ"/>,
    /// an array the second core can hold.
    /// </summary>
    /// <returns>The floating-point operations performed.</returns>
    private static long FormValueBlock(LayerDerivatives d, double[] value, int m, double[] nextValue, int mIn, int count, TwoCoreWorker? worker, ref double[] jacobianZ)
    {
        int a = d.OutputSize;
        int aIn = d.InputSize;
        Span<double> e = nextValue.AsSpan(0, mIn * mIn);
        long flops = 0;
        if (m > 0)
        {
            if (worker is not null)
            {
                Grow(ref jacobianZ, count * a * aIn);
                d.Dz.CopyTo(jacobianZ);
                flops += BlockDiagonalCongruence.AddUpperOnTwoCores(value.AsMemory(0, m * m), m, jacobianZ.AsMemory(0, count * a * aIn), count, a, aIn,
                    nextValue.AsMemory(0, mIn * mIn), mIn, overwrite: true, worker);
            }
            else
            {
                flops += BlockDiagonalCongruence.AddUpper(value.AsSpan(0, m * m), m, d.Dz, count, a, aIn, e, mIn, overwrite: true);
            }
        }
        else
        {
            e.Clear();
        }

        AddXzzBlocks(d, e, mIn, count);
        return flops;
    }

    /// <summary>Xzz's example blocks added to the diagonal blocks of <paramref name="e"/> (order <paramref name="mIn"/>), where the layer has Xzz.</summary>
    private static void AddXzzBlocks(LayerDerivatives d, Span<double> e, int mIn, int count)
    {
        int aIn = d.InputSize;
        if (d.Has(SecondDerivativeBlocks.Xzz))
        {
            for (int n = 0; n < count; n++)
            {
                ReadOnlySpan<double> xzz = d.XzzBlock(n);
                for (int i = 0; i < aIn; i++)
                {
                    VectorKernels.Axpy(1, xzz.Slice(i * aIn, aIn), e.Slice(((n * aIn) + i) * mIn + (n * aIn), aIn));
                }
            }
        }
    }

    /// <summary>
    /// <c>-(P Dz)</c> (<c>m x mIn</c>) into the first values of <paramref name="negativeValueDz"/> (grown to hold them), per example
    /// block of <c>Dz</c>: the columns <c>n aIn..</c> are <c>-P(:, n a..) Dz_n</c>, read as <c>P(n a.., :)^T</c> (<c>P</c> is exactly
    /// symmetric): rows of <c>P</c> stream, where its columns would be a cache line per value.
    /// </summary>
    /// <returns>The floating-point operations performed.</returns>
    private static long FormNegativeValueDz(ref double[] negativeValueDz, ReadOnlySpan<double> valueMatrix, LayerDerivatives d, int count, int m, int a,
        int aIn, int mIn)
    {
        Grow(ref negativeValueDz, m * mIn);
        Span<double> product = negativeValueDz.AsSpan(0, m * mIn);
        for (int n = 0; n < count; n++)
        {
            Gemm.Multiply(true, false, m, aIn, a, -1, valueMatrix[(n * a * m)..], m, d.DzBlock(n), aIn, 0, product[(n * aIn)..], mIn);
        }

        return 2L * m * mIn * a;
    }

    /// <summary>Replaces <paramref name="buffer"/> by a larger one when it holds fewer than <paramref name="length"/> values (its contents are not kept).</summary>
    private static void Grow(ref double[] buffer, int length)
    {
        if (buffer.Length < length)
        {
            buffer = [];
            buffer = GC.AllocateUninitializedArray<double>(length);
        }
    }

    /// <summary><c>m_l = B a_l</c> for a hidden layer, 0 for the loss layer (whose output is no state).</summary>
    private static int StateCount(Network network, int layer, int count) =>
        layer + 1 < network.Depth ? count * network.Layers[layer].OutputSize : 0;
}
