using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;
using HessianCodegen.LinearAlgebra;

namespace HessianCodegen;

/// <summary>
/// What <see cref="RiccatiFactorization.Create"/> reads of the next layer's derivatives where its block goes the low-rank
/// route, brought toward the L2 cache a share per step of the current layer's work: <c>Dx</c>, <c>Dz</c>, <c>Xzx</c>,
/// <c>Xzz</c> and the groups' blocks of <c>Xxx</c> (<see cref="HessianDerivatives.GroupBlocks"/>, consecutive: the gather
/// of <c>X_g</c> reads them instead of the dense <c>Xxx</c>), all whole spans of a <see cref="PrefetchQueue"/>. A hint only:
/// it changes no value, and names nothing where SSE is not supported (<see cref="Of"/>).
/// </summary>
/// <remarks>
/// A block formed whole (<c>Xxx</c> copied, <c>O(p^3)</c> work) did not gain: width 8 batch 8, all of <c>Xxx</c> prefetched
/// too, measured 0 to 1 % slower at depths 64 to 1024; nor did the next whole block's <c>Xxx</c> (592 KB at width 16, batch 1)
/// issued during the current whole block's Bunch-Kaufman (even to 3 % slower; docs/algorithm.md section 12).
/// </remarks>
internal ref struct FactorPrefetch
{
    private PrefetchQueue queue;

    /// <summary>The bytes of the spans named.</summary>
    public readonly long QueuedBytes => queue.QueuedBytes;

    /// <summary>The lines of the spans walked so far.</summary>
    public readonly long IssuedLines => queue.IssuedLines;

    /// <summary>
    /// Names <paramref name="next"/>'s derivatives (layer <paramref name="layer"/>) and its <paramref name="groupBlocks"/> of
    /// <c>Xxx</c> (empty where it is not stored), and spreads them over <paramref name="steps"/> calls of <see cref="Step"/>;
    /// names nothing (a default prefetch) where SSE is not supported.
    /// </summary>
    public static FactorPrefetch Of(LayerDerivatives next, int layer, ReadOnlySpan<double> groupBlocks, int steps)
    {
        FactorPrefetch prefetch = OfDerivatives(next, layer);
        prefetch.AddGroupBlocks(groupBlocks, steps);
        return prefetch;
    }

    /// <summary>
    /// The first part of <see cref="Of"/>: <paramref name="next"/>'s derivatives (layer <paramref name="layer"/>) named, not yet
    /// spread (a <see cref="Step"/> issues nothing), their bytes its <see cref="QueuedBytes"/>; <see cref="AddGroupBlocks"/>
    /// completes it. The factorization's prefetch tests the derivatives' bytes before it finds the groups' blocks, on one queue
    /// (it named the derivatives twice, once to count them).
    /// </summary>
    public static FactorPrefetch OfDerivatives(LayerDerivatives next, int layer)
    {
        var prefetch = new FactorPrefetch();
        next.QueueLowRankSpans(ref prefetch.queue, firstLayer: layer == 0);
        return prefetch;
    }

    /// <summary>
    /// Names <paramref name="groupBlocks"/> after the derivatives <see cref="OfDerivatives"/> named and spreads all of them over
    /// <paramref name="steps"/> calls of <see cref="Step"/>; names nothing (leaves a default prefetch) where SSE is not supported.
    /// </summary>
    public void AddGroupBlocks(ReadOnlySpan<double> groupBlocks, int steps)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(steps);
        if (!Sse.IsSupported)
        {
            this = default;
            return;
        }

        queue.Add(groupBlocks);
        queue.Spread(steps);
    }

    /// <summary>Issues the next share of lines; inlined, nothing to do costs a compare.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Step() => queue.Step();

    /// <summary>Issues every line not issued yet.</summary>
    public void Finish() => queue.Finish();
}
