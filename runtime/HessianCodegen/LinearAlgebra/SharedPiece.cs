using System;
using System.Diagnostics;
using System.Threading;

namespace HessianCodegen.LinearAlgebra;

/// <summary>
/// Hands out the pieces of a computation two threads share, from one counter: each piece once, to the first thread that asks.
/// A thread takes them from the front or from the end, so that where both take their share the first holds the first pieces and
/// the second the last ones, the same every time, and each finds in its own cache what it wrote into those rows the step before
/// (the two cores of this machine do not share a cache, and a line written by one is read by the other at about memory's latency).
/// </summary>
internal static class SharedPiece
{
    /// <summary>Pieces a counter can count from each end.</summary>
    public const int Limit = 1 << 15;

    /// <summary>Microseconds <see cref="WaitUntilNone"/> spins before it sleeps: more than a piece of the two-core step takes (a
    /// half solve's, about 45 us at issue 7's order).</summary>
    public const int SpinMicroseconds = 200;

    /// <summary>
    /// Waits until <paramref name="count"/> (the pieces the other thread is still computing) is 0: spinning, then, past
    /// <see cref="SpinMicroseconds"/>, sleeping a millisecond at a time. A thread preempted in its piece then gets this core
    /// (an idle core takes a waiting thread from the other), where a waiter that only spun and yielded would keep it until the
    /// other core is free again.
    /// </summary>
    public static void WaitUntilNone(ref int count)
    {
        if (Volatile.Read(ref count) == 0)
        {
            return;
        }

        long sleepAfter = Stopwatch.GetTimestamp() + (Stopwatch.Frequency * SpinMicroseconds / 1_000_000);
        SpinWait wait = default;
        while (Volatile.Read(ref count) != 0)
        {
            if (Stopwatch.GetTimestamp() < sleepAfter)
            {
                wait.SpinOnce(sleep1Threshold: -1);
            }
            else
            {
                Thread.Sleep(1);
            }
        }
    }

    /// <summary>
    /// The next piece of <paramref name="pieces"/> not yet taken through <paramref name="counter"/> (one int, 0 at first): the
    /// lowest one, or the highest where <paramref name="fromEnd"/>; -1 once all are taken.
    /// </summary>
    public static int Take(int[] counter, int pieces, bool fromEnd) => Take(counter, 0, pieces, fromEnd);

    /// <summary>As <see cref="Take(int[], int, bool)"/>, through the counter at <paramref name="index"/> of <paramref name="counters"/>.</summary>
    public static int Take(int[] counters, int index, int pieces, bool fromEnd)
    {
        ArgumentNullException.ThrowIfNull(counters);
        ref int counter = ref counters[index];
        if (pieces < 0 || pieces >= Limit)
        {
            throw new ArgumentOutOfRangeException(nameof(pieces), $"A shared counter hands out 0 to {Limit - 1} pieces; got {pieces}.");
        }

        // The low 16 bits count the pieces taken from the front, the high ones those taken from the end.
        while (true)
        {
            int state = Volatile.Read(ref counter);
            int front = state & 0xFFFF, back = state >>> 16;
            if (front + back >= pieces)
            {
                return -1;
            }

            if (Interlocked.CompareExchange(ref counter, fromEnd ? state + 0x10000 : state + 1, state) == state)
            {
                return fromEnd ? pieces - 1 - back : front;
            }
        }
    }
}
