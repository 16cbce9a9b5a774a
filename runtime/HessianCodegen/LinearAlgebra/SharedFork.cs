using System;
using System.Diagnostics;
using System.Runtime.ExceptionServices;
using System.Threading;

namespace HessianCodegen.LinearAlgebra;

/// <summary>
/// One two-core fork whose halves share its work in pieces (<see cref="Run"/>): counters that hand out each piece once, to the first
/// side that asks, and count the pieces done, so that a side waits only for pieces the other is computing, never for the other side
/// itself. A side takes the pieces from the front (the caller) or from the end (the worker), so that where both take their share the
/// caller holds the first pieces and the worker the last ones, the same every time, and each finds in its own cache what it wrote
/// into those rows the step before (the two cores of this machine do not share a cache). Made per fork: a worker that comes after
/// the caller has returned finds every piece of its own fork taken and touches nothing, where a counter reset for the next fork
/// would hand it that fork's pieces.
/// </summary>
internal sealed class SharedFork
{
    /// <summary>Pieces a counter hands out at most.</summary>
    public const int Limit = 1 << 15;

    /// <summary>Microseconds a wait for the other side's pieces spins before it blocks: more than a piece of the two-core step
    /// usually takes at issue 7's order (a half solve's, about 45 us), so that a wait for a piece seldom blocks; past it (a core
    /// preempted in its piece, or pieces longer than that at larger orders) the waiter blocks, and the preempted thread gets its core.</summary>
    public const int SpinMicroseconds = 200;

    // A counter's state: the pieces taken from the front (low 16 bits), from the end (the next 16), the pieces done (the next 16),
    // and whether it is closed (a failed fork: no more pieces). One long, so that a side reads taken and done at one instant.
    private const long FromEndUnit = 1L << 16, DoneUnit = 1L << 32, Closed = 1L << 62;

    private readonly long[] counters;

    // The counter (plus one, 0: none) of the piece each side holds, the front's first: a side that throws ends it as it fails.
    private readonly int[] holding = new int[2];
    private ExceptionDispatchInfo? callerFailure, workerFailure;
    private int waiters;
    private long flops;

    /// <summary>A fork of <paramref name="counters"/> counters of pieces.</summary>
    public SharedFork(int counters)
    {
        this.counters = new long[counters];
    }

    /// <summary>
    /// Runs <paramref name="share"/>'s caller side (argument false) on this thread and offers its worker side (true) to
    /// <paramref name="worker"/>'s thread; returns once every piece taken is done, without waiting for the worker to come (the caller
    /// takes what the worker has not). A side takes its pieces through <see cref="Take"/> and ends each with <see cref="Done"/>; a
    /// side that reads what pieces of the other wrote waits for them with <see cref="WaitForPieces"/>. An exception of a piece,
    /// or of a side before the caller's returns, is thrown here (both: an <see cref="AggregateException"/>), once no piece is being
    /// computed. A null <paramref name="worker"/> (for tests): the caller's side, then the worker's, which finds no piece left.
    /// </summary>
    public void Run(TwoCoreWorker? worker, Action<bool> share)
    {
        ArgumentNullException.ThrowIfNull(share);
        if (worker is null)
        {
            Side(share, fromEnd: false);
            Side(share, fromEnd: true);
        }
        else
        {
            worker.InvokeShared(() => Side(share, fromEnd: false), () => Side(share, fromEnd: true));
        }

        // Every piece done (or, the fork failed, none being computed): nothing of this fork is written after this.
        WaitForPieces(0, counters.Length);
        if (callerFailure is not null && workerFailure is not null)
        {
            throw new AggregateException(callerFailure.SourceException, workerFailure.SourceException);
        }

        (callerFailure ?? workerFailure)?.Throw();
    }

    /// <summary>
    /// The next piece of <paramref name="pieces"/> not yet taken through counter <paramref name="counter"/>: the lowest one, or the
    /// highest where <paramref name="fromEnd"/> (the worker's side); -1 once all are taken, or the fork failed. The side holds it
    /// until its <see cref="Done"/>, and holds one piece at a time (a side that fails ends the one it holds).
    /// </summary>
    public int Take(int counter, int pieces, bool fromEnd)
    {
        if (pieces < 0 || pieces >= Limit)
        {
            throw new ArgumentOutOfRangeException(nameof(pieces), $"A shared counter hands out 0 to {Limit - 1} pieces; got {pieces}.");
        }

        ref long state = ref counters[counter];
        while (true)
        {
            long before = Volatile.Read(ref state);
            int front = (int)(before & 0xFFFF), back = (int)((before >> 16) & 0xFFFF);
            if ((before & Closed) != 0 || front + back >= pieces)
            {
                return -1;
            }

            if (Interlocked.CompareExchange(ref state, before + (fromEnd ? FromEndUnit : 1), before) == before)
            {
                holding[fromEnd ? 1 : 0] = counter + 1;
                FaultForTests?.Invoke(fromEnd);
                return fromEnd ? pieces - 1 - back : front;
            }
        }
    }

    /// <summary>
    /// Ends the piece the side took last through <paramref name="counter"/>: what it wrote is there for the other side, and its
    /// <paramref name="pieceFlops"/> are in <see cref="Flops"/>.
    /// </summary>
    public void Done(int counter, bool fromEnd, long pieceFlops = 0)
    {
        if (pieceFlops != 0)
        {
            Interlocked.Add(ref flops, pieceFlops);
        }

        holding[fromEnd ? 1 : 0] = 0;
        End(counter);
    }

    /// <summary>
    /// The floating-point operations the pieces counted as they ended (<see cref="Done"/>): all of them once <see cref="Run"/> has
    /// returned, which waits for pieces done, not for a side to return (a side's own total, added after its last piece, could be
    /// read before a late worker added it).
    /// </summary>
    public long Flops => Volatile.Read(ref flops);

    /// <summary>
    /// Waits until every piece taken through the <paramref name="count"/> counters from <paramref name="first"/> is done (a side
    /// that has taken all it could: the other's still being computed, at most one); whether the fork has not failed (where it has,
    /// what a failed piece left unwritten must not be read). Spins first, then blocks (<see cref="SpinMicroseconds"/>).
    /// </summary>
    public bool WaitForPieces(int first, int count)
    {
        if (!AllDone(first, count))
        {
            long blockAfter = Stopwatch.GetTimestamp() + (Stopwatch.Frequency * SpinMicroseconds / 1_000_000);
            SpinWait wait = default;
            while (!AllDone(first, count) && Stopwatch.GetTimestamp() < blockAfter)
            {
                wait.SpinOnce(sleep1Threshold: -1);
            }

            // Counted in under the lock that End takes to wake it, so that a piece done meanwhile is seen or wakes it.
            Interlocked.Increment(ref waiters);
            try
            {
                lock (counters)
                {
                    while (!AllDone(first, count))
                    {
                        Monitor.Wait(counters);
                    }
                }
            }
            finally
            {
                Interlocked.Decrement(ref waiters);
            }
        }

        return Volatile.Read(ref callerFailure) is null && Volatile.Read(ref workerFailure) is null;
    }

    /// <summary>For the tests only: called as a side takes a piece, with its side (from the end: the worker's), to inject a
    /// failure into a piece of either. Null otherwise.</summary>
    internal static Action<bool>? FaultForTests { get; set; }

    /// <summary>One side, its exception kept for <see cref="Run"/>: the fork fails, no piece is handed out any more, and the piece the
    /// side held is ended (after the failure is marked, so that a side waiting for it sees the failure).</summary>
    private void Side(Action<bool> share, bool fromEnd)
    {
        try
        {
            share(fromEnd);
        }
        catch (Exception e)
        {
            ExceptionDispatchInfo failure = ExceptionDispatchInfo.Capture(e);
            Volatile.Write(ref fromEnd ? ref workerFailure : ref callerFailure, failure);
            for (int c = 0; c < counters.Length; c++)
            {
                Interlocked.Or(ref counters[c], Closed);
            }

            int held = holding[fromEnd ? 1 : 0];
            if (held > 0)
            {
                Done(held - 1, fromEnd);
            }
        }
    }

    private void End(int counter)
    {
        Interlocked.Add(ref counters[counter], DoneUnit);
        if (Volatile.Read(ref waiters) > 0)
        {
            lock (counters)
            {
                Monitor.PulseAll(counters);
            }
        }
    }

    private bool AllDone(int first, int count)
    {
        for (int c = first; c < first + count; c++)
        {
            long state = Volatile.Read(ref counters[c]);
            if ((state & 0xFFFF) + ((state >> 16) & 0xFFFF) != ((state >> 32) & 0xFFFF))
            {
                return false;
            }
        }

        return true;
    }
}
