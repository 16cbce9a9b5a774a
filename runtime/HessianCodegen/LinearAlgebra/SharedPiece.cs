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

    /// <summary>Microseconds <see cref="WaitUntilNone"/> spins before it blocks: more than a piece of the two-core step usually
    /// takes at issue 7's order (a half solve's, about 45 us), so that a wait for a core finishing its piece seldom blocks; past it
    /// (a preempted core, or pieces longer than that at larger orders) the waiter blocks until the count reaches 0.</summary>
    public const int SpinMicroseconds = 200;

    /// <summary>
    /// Waits until <paramref name="counts"/>[<paramref name="index"/>] (the pieces the other thread is still computing) is 0:
    /// spinning, then, past <see cref="SpinMicroseconds"/>, blocked on <paramref name="counts"/>' monitor until <see cref="Leave"/>
    /// lowers the count to 0 (it wakes the waiter within the time of a wake-up, where a sleep of a millisecond at a time overshot
    /// by up to that, 15 ms on Windows). A thread preempted in its piece then gets this core (an idle core takes a waiting thread
    /// from the other), where a waiter that only spun and yielded would keep it until the other core is free again.
    /// </summary>
    public static void WaitUntilNone(int[] counts, int index)
    {
        ArgumentNullException.ThrowIfNull(counts);
        ref int count = ref counts[index];
        if (Volatile.Read(ref count) == 0)
        {
            return;
        }

        long blockAfter = Stopwatch.GetTimestamp() + (Stopwatch.Frequency * SpinMicroseconds / 1_000_000);
        SpinWait wait = default;
        while (Volatile.Read(ref count) != 0)
        {
            if (Stopwatch.GetTimestamp() < blockAfter)
            {
                wait.SpinOnce(sleep1Threshold: -1);
                continue;
            }

            // Checked under the lock that Leave takes to wake it, so a count lowered to 0 meanwhile is seen or wakes it.
            lock (counts)
            {
                while (Volatile.Read(ref count) != 0)
                {
                    Monitor.Wait(counts);
                }
            }
        }
    }

    /// <summary>Lowers <paramref name="counts"/>[<paramref name="index"/>] by one (a thread done with its pieces) and, where it
    /// reaches 0, wakes a thread blocked in <see cref="WaitUntilNone"/>.</summary>
    public static void Leave(int[] counts, int index)
    {
        ArgumentNullException.ThrowIfNull(counts);
        if (Interlocked.Decrement(ref counts[index]) == 0)
        {
            lock (counts)
            {
                Monitor.PulseAll(counts);
            }
        }
    }

    /// <summary>
    /// One core's share of the first stage of a two-core fork, then the meeting before the second stage, which reads what both
    /// wrote in the first: <paramref name="meeting"/> (two ints from <paramref name="at"/>: the cores still in the stage, whether
    /// one failed) counts this core in where <paramref name="countsItself"/> (the worker; the caller is counted before the fork, so
    /// that a late worker cannot find the count at 0 while the caller's share is still coming), out even where its share throws
    /// (marking the meeting failed), then waits until no core is in the stage. False where a core failed: its exception is what
    /// the fork throws, and the second stage must not read what the failed share left unwritten. Without the count lowered on a
    /// throw, the other core waited forever, and the fork with it.
    /// </summary>
    public static bool ShareThenMeet<TState>(int[] meeting, int at, bool countsItself, TState state, Action<TState, bool> stage, bool fromEnd)
    {
        ArgumentNullException.ThrowIfNull(meeting);
        ArgumentNullException.ThrowIfNull(stage);
        if (countsItself)
        {
            Interlocked.Increment(ref meeting[at]);
        }

        try
        {
            FaultForTests?.Invoke(fromEnd);
            stage(state, fromEnd);
        }
        catch
        {
            Volatile.Write(ref meeting[at + 1], 1);
            throw;
        }
        finally
        {
            Leave(meeting, at);
        }

        WaitUntilNone(meeting, at);
        return Volatile.Read(ref meeting[at + 1]) == 0;
    }

    /// <summary>Sets <paramref name="meeting"/> (two ints from <paramref name="at"/>) for a fork's <see cref="ShareThenMeet"/>: the
    /// caller counted, none failed.</summary>
    public static void BeginMeeting(int[] meeting, int at)
    {
        meeting[at] = 1;
        meeting[at + 1] = 0;
    }

    /// <summary>Ints a meeting takes in its array.</summary>
    public const int MeetingLength = 2;

    /// <summary>For the tests only: called at the start of each share of <see cref="ShareThenMeet"/> with its side (from the end:
    /// the worker's), to inject a failure into either half of a fork. Null otherwise.</summary>
    internal static Action<bool>? FaultForTests { get; set; }

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
