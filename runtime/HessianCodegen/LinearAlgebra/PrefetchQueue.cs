using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace HessianCodegen.LinearAlgebra;

/// <summary>
/// The cache lines of a few spans, brought toward the L2 cache (<c>prefetcht1</c>, one per 64-byte line) a few at a time:
/// a solve's sweep names the next layer's factors and derivatives here (their owners name their own spans), then issues one
/// step of lines between each piece of the current layer's work, so that they arrive while it computes. A hint only: it
/// changes no value, and issues nothing where SSE is not supported.
/// </summary>
/// <remarks>
/// Once a deep solve's factors no longer fit in the L3 cache, a sweep is a chain of small dependent steps over several
/// short arrays per layer (a few KB each); the hardware prefetchers restart on each of them and at every 4 KB page, and
/// the sweep waited on memory's latency rather than its bandwidth. Issued all at once at the start of a layer the same
/// lines gained nothing (they queue behind each other and the layer's own loads behind them); spread over about a dozen
/// steps they took a quarter off a depth-512 width-8 batch-8 solve (docs/algorithm.md section 12).
/// </remarks>
internal ref struct PrefetchQueue
{
    /// <summary>The bytes of a cache line.</summary>
    internal const int LineBytes = 64;

    /// <summary>The most spans a queue holds: a solve's layer names at most nine (<c>Y</c>, <c>Dz</c>, <c>Dx</c>'s three, a low-rank factor's four).</summary>
    internal const int Capacity = 10;

    private ReadOnlySpan<byte> span0;
    private ReadOnlySpan<byte> span1;
    private ReadOnlySpan<byte> span2;
    private ReadOnlySpan<byte> span3;
    private ReadOnlySpan<byte> span4;
    private ReadOnlySpan<byte> span5;
    private ReadOnlySpan<byte> span6;
    private ReadOnlySpan<byte> span7;
    private ReadOnlySpan<byte> span8;
    private ReadOnlySpan<byte> span9;
    private int count;
    private int current;
    private int offset;
    private long linesPerStep;

    /// <summary>The bytes of the spans named so far.</summary>
    public long QueuedBytes { get; private set; }

    /// <summary>The lines walked so far (issued as prefetches where SSE is supported).</summary>
    public long IssuedLines { get; private set; }

    /// <summary>Names <paramref name="span"/>; an empty one is skipped.</summary>
    /// <exception cref="InvalidOperationException">The queue holds <see cref="Capacity"/> spans already.</exception>
    public void Add<T>(ReadOnlySpan<T> span)
        where T : unmanaged
    {
        if (span.IsEmpty)
        {
            return;
        }

        ReadOnlySpan<byte> bytes = MemoryMarshal.AsBytes(span);
        switch (count)
        {
            case 0: span0 = bytes; break;
            case 1: span1 = bytes; break;
            case 2: span2 = bytes; break;
            case 3: span3 = bytes; break;
            case 4: span4 = bytes; break;
            case 5: span5 = bytes; break;
            case 6: span6 = bytes; break;
            case 7: span7 = bytes; break;
            case 8: span8 = bytes; break;
            case 9: span9 = bytes; break;
            default: throw new InvalidOperationException($"The prefetch queue holds {Capacity} spans; expected at most that many named.");
        }

        count++;
        QueuedBytes += bytes.Length;
    }

    /// <summary>Divides the lines named so far over <paramref name="steps"/> calls of <see cref="Step"/> (a span that starts inside a line may need one more: <see cref="Finish"/> issues it).</summary>
    public void Spread(int steps)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(steps);
        long lines = (QueuedBytes / LineBytes) + count;
        linesPerStep = (lines + steps - 1) / steps;
    }

    /// <summary>Issues the next lines, as many as <see cref="Spread"/> gave a step (none before it); inlined, nothing to do costs a compare.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Step()
    {
        if (current < count)
        {
            Issue(linesPerStep);
        }
    }

    /// <summary>Issues every line not issued yet.</summary>
    public void Finish() => Issue(long.MaxValue);

    /// <summary>Walks up to <paramref name="lines"/> lines from where the last step stopped, span after span, each line of a span once.</summary>
    private unsafe void Issue(long lines)
    {
        while (lines > 0 && current < count)
        {
            ReadOnlySpan<byte> span = At(current);
            fixed (byte* start = span)
            {
                // From the line that holds the first byte not issued, to the line that holds the span's last byte.
                byte* line = (byte*)((nuint)(start + offset) & ~(nuint)(LineBytes - 1));
                long left = ((start + span.Length) - line + LineBytes - 1) / LineBytes;
                long issued = Math.Min(lines, left);
                byte* stop = line + (issued * LineBytes);
                if (Sse.IsSupported)
                {
                    for (; line < stop; line += LineBytes)
                    {
                        Sse.Prefetch1(line);
                    }
                }

                lines -= issued;
                IssuedLines += issued;
                (current, offset) = issued == left ? (current + 1, 0) : (current, (int)(stop - start));
            }
        }
    }

    private readonly ReadOnlySpan<byte> At(int index) => index switch
    {
        0 => span0,
        1 => span1,
        2 => span2,
        3 => span3,
        4 => span4,
        5 => span5,
        6 => span6,
        7 => span7,
        8 => span8,
        _ => span9,
    };
}
