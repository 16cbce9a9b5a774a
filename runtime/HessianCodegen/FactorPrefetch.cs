using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;
using HessianCodegen.LinearAlgebra;

namespace HessianCodegen;

/// <summary>
/// What <see cref="RiccatiFactorization.Create"/> reads of the next layer's derivatives where its block goes the low-rank
/// route, brought toward the L2 cache a share per step of the current layer's work: <c>Dx</c>, <c>Dz</c>, <c>Xzx</c>,
/// <c>Xzz</c> (<see cref="PrefetchQueue"/>) and of <c>Xxx</c> three lines per row of each group: at the group's first
/// parameter, the diagonal and the parameter before it (the gather reads the row from the first parameter to the diagonal;
/// for a dense layer's group, the weights' run and the bias, the bias row reads its unit's whole run of weights, which may
/// straddle two lines: the line before the diagonal's catches the second). A hint only: it changes no value, and names
/// nothing where SSE is not supported (<see cref="Of"/>).
/// </summary>
/// <remarks>
/// A block formed whole (<c>Xxx</c> copied, <c>O(p^3)</c> work) did not gain: width 8 batch 8, all of <c>Xxx</c> prefetched
/// too, measured 0 to 1 % slower at depths 64 to 1024 (docs/algorithm.md section 12).
/// </remarks>
internal ref struct FactorPrefetch
{
    private PrefetchQueue queue;
    private ReadOnlySpan<double> xxx;
    private int[][]? groups;
    private int parameterCount;
    private int rowsPerStep;
    private int group;
    private int member;

    /// <summary>The bytes of the whole spans named (<c>Xxx</c>'s rows not counted).</summary>
    public readonly long QueuedBytes => queue.QueuedBytes;

    /// <summary>The lines of the whole spans walked so far.</summary>
    public readonly long IssuedLines => queue.IssuedLines;

    /// <summary>Whether the rows of an <c>Xxx</c> are named (a default prefetch names nothing).</summary>
    public readonly bool NamesRows => groups is not null;

    /// <summary>The rows of <c>Xxx</c> whose lines were issued so far (for tests).</summary>
    public long IssuedRows { get; private set; }

    /// <summary>
    /// Names <paramref name="next"/>'s derivatives (layer <paramref name="layer"/>), of <c>Xxx</c> the rows of its
    /// <paramref name="groups"/>, and spreads them over <paramref name="steps"/> calls of <see cref="Step"/>; names nothing
    /// (a default prefetch) where SSE is not supported, so that <see cref="NamesRows"/> never claims rows no line was issued for.
    /// </summary>
    public static FactorPrefetch Of(LayerDerivatives next, int layer, ParameterGroups groups, int steps)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(steps);
        if (!Sse.IsSupported)
        {
            return default;
        }

        var prefetch = new FactorPrefetch();
        next.QueueLowRankSpans(ref prefetch.queue, firstLayer: layer == 0);
        prefetch.queue.Spread(steps);
        if (!next.Xxx.IsEmpty)
        {
            prefetch.xxx = next.Xxx;
            prefetch.groups = groups.Parameters;
            prefetch.parameterCount = next.ParameterCount;
            prefetch.rowsPerStep = (next.ParameterCount + steps - 1) / steps;
        }

        return prefetch;
    }

    /// <summary>Issues the next share of lines; inlined, nothing to do costs two compares.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Step()
    {
        queue.Step();
        if (groups is not null && group < groups.Length)
        {
            IssueRows(groups, rowsPerStep);
        }
    }

    /// <summary>Issues every line not issued yet.</summary>
    public void Finish()
    {
        queue.Finish();
        if (groups is not null)
        {
            IssueRows(groups, int.MaxValue);
        }
    }

    /// <summary>
    /// Walks up to <paramref name="rows"/> rows of <paramref name="rowGroups"/> (the named groups) from where the last step stopped: three lines each (fewer where
    /// they agree). The line of the parameter before the diagonal took a width-8 batch-1 factorization 4 to 6 % further at depths
    /// 512 and 1024 (the bias rows' second line of weights; scratch driver, medians of 31 pairs).
    /// </summary>
    private unsafe void IssueRows(int[][] rowGroups, int rows)
    {
        fixed (double* start = xxx)
        {
            while (rows > 0 && group < rowGroups.Length)
            {
                int[] parameters = rowGroups[group];
                double* row = start + ((long)parameters[member] * parameterCount);
                if (Sse.IsSupported)
                {
                    Sse.Prefetch1(row + parameters[0]);
                    Sse.Prefetch1(row + parameters[Math.Max(member - 1, 0)]);
                    Sse.Prefetch1(row + parameters[member]);
                }

                IssuedRows++;
                rows--;
                if (++member == parameters.Length)
                {
                    (group, member) = (group + 1, 0);
                }
            }
        }
    }
}
