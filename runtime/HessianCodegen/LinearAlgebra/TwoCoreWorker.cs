using System;
using System.Runtime.ExceptionServices;
using System.Threading;
using System.Threading.Tasks;

namespace HessianCodegen.LinearAlgebra;

/// <summary>
/// One dedicated thread that runs the second half of each fork of a two-core computation (the Riccati recursion at large
/// states forks twice per layer on the grouped path, where <see cref="TwoCoreCouplingUpdate"/> takes the step to <c>P</c>),
/// where <see cref="Parallel.Invoke(Action[])"/> hands it to the thread pool. Between forks a pool worker spins a little, then sleeps, and a fork finding none awake runs its second half on the caller after the
/// first: after 200 us of one-core work, a fifth of the forks of two 100 us halves ran one after the other (35 us lost per fork
/// on average), against 2 % and 4 us here (samples measured on this project's two-core machine). This thread lives for one
/// computation (<see cref="Dispose"/> ends it). Between forks it spins briefly (<see cref="WorkerSpinCount"/>), then blocks; a caller
/// that knows a fork follows a long stretch of one-core work wakes it a little ahead (<see cref="WakeAhead"/>), so that it is
/// spinning, not blocked, when the fork comes. One caller at a time; a half must not fork through the same worker.
/// </summary>
internal sealed class TwoCoreWorker : IDisposable
{
    /// <summary>
    /// Spins of the worker's wait for the next fork before it blocks: about 30 us of cpu on this project's machine. With the most
    /// <see cref="ManualResetEventSlim"/> takes, 2047, a wait spun about 0.9 ms before it blocked, longer than the one-core
    /// stretches between a layer's forks at issue 7's order, so the worker spun through all of them (two cores' cpu time about
    /// twice the wall time); a blocked thread woke 12 to 17 us after the event was set.
    /// </summary>
    private const int WorkerSpinCount = 50;

    /// <summary>
    /// Spins of the caller's wait for the second half before it blocks: about 0.1 ms. The caller's wait is on the critical path
    /// (a blocked caller would add its wake-up to the wall time), and a fork's halves are cut to finish together, so it spins longer
    /// than the worker, though no longer than a half late by a whole preemption. Both halves' waits for each other in
    /// <see cref="Meet"/> (<see cref="TwoCoreCouplingUpdate"/>'s) spin as long, for the same reasons (the halves are cut equal).
    /// </summary>
    internal const int CallerSpinCount = 200;

    private readonly Thread thread;
    private readonly ManualResetEventSlim posted = new(false, WorkerSpinCount);
    private readonly ManualResetEventSlim finished = new(false, CallerSpinCount);

    // Where a fork's halves meet once (Meet), kept for the worker's life and reset by each Invoke, before any half runs.
    private readonly ManualResetEventSlim firstArrived = new(false, CallerSpinCount);
    private readonly ManualResetEventSlim secondArrived = new(false, CallerSpinCount);
    private int halfFailed;
    private Action? work;
    private ExceptionDispatchInfo? failure;
    private volatile bool stopping;
    private int invoking;
    private int disposed;

    /// <summary>Starts the worker's thread (a background thread, so that a worker never disposed cannot keep the process alive).</summary>
    public TwoCoreWorker()
    {
        thread = new Thread(Run) { IsBackground = true, Name = "HessianCodegen two-core worker" };
        thread.Start();
    }

    /// <summary>
    /// Runs <paramref name="first"/> on the caller and <paramref name="second"/> on the worker's thread, side by side, and
    /// returns when both are done. An exception of one half is re-thrown here with its stack (both: an
    /// <see cref="AggregateException"/> of the two), after the other half has finished.
    /// </summary>
    public void Invoke(Action first, Action second)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        ObjectDisposedException.ThrowIf(stopping, this);
        if (Thread.CurrentThread == thread || Interlocked.Exchange(ref invoking, 1) != 0)
        {
            throw new InvalidOperationException("A two-core worker runs one fork at a time: it was called from another thread during a fork, or from a half of one.");
        }

        try
        {
            failure = null;
            finished.Reset();
            firstArrived.Reset();
            secondArrived.Reset();
            halfFailed = 0;
            work = second;
            posted.Set();
            ExceptionDispatchInfo? firstFailure = null;
            try
            {
                first();
            }
            catch (Exception e)
            {
                firstFailure = ExceptionDispatchInfo.Capture(e);
            }

            // The second half may still write what the caller reads next: wait for it even when the first failed.
            finished.Wait();
            ExceptionDispatchInfo? secondFailure = failure;
            if (firstFailure is not null && secondFailure is not null)
            {
                throw new AggregateException(firstFailure.SourceException, secondFailure.SourceException);
            }

            (firstFailure ?? secondFailure)?.Throw();
        }
        finally
        {
            Volatile.Write(ref invoking, 0);
        }
    }

    /// <summary>
    /// For the halves of a fork that meet once (<see cref="TwoCoreCouplingUpdate"/>'s, between its solve and its update): arrives
    /// and waits for the other half, spinning as the caller does for a half (<see cref="CallerSpinCount"/>: the halves are cut
    /// equal), then blocking; false where the other half failed instead (<see cref="FailMeeting"/>). At most once per half per fork.
    /// </summary>
    internal bool Meet(bool isFirst)
    {
        (isFirst ? firstArrived : secondArrived).Set();
        (isFirst ? secondArrived : firstArrived).Wait();
        return Volatile.Read(ref halfFailed) == 0;
    }

    /// <summary>For a half that failed before <see cref="Meet"/>: lets the other half go on, to find that this one failed.</summary>
    internal void FailMeeting(bool isFirst)
    {
        Volatile.Write(ref halfFailed, 1);
        (isFirst ? firstArrived : secondArrived).Set();
    }

    /// <summary>
    /// Wakes the worker's thread, if it is blocked, to spin for the next fork: for a caller about to end a long stretch of one-core
    /// work (longer than the worker's spin), some tens of microseconds before its next <see cref="Invoke"/>, so that the thread's
    /// wake-up overlaps that work instead of delaying the fork's second half. Harmless at any other time (outside a fork): the worker
    /// spins, then blocks again.
    /// </summary>
    public void WakeAhead()
    {
        ObjectDisposedException.ThrowIf(stopping, this);
        if (Thread.CurrentThread == thread || Volatile.Read(ref invoking) != 0)
        {
            throw new InvalidOperationException("A two-core worker is woken ahead of a fork by its caller, not during a fork.");
        }

        posted.Set();
    }

    /// <summary>
    /// <see cref="Invoke"/> through <paramref name="worker"/>, or through <see cref="Parallel.Invoke(Action[])"/> where there is none
    /// (the kernels' callers other than the recursion).
    /// </summary>
    public static void Fork(TwoCoreWorker? worker, Action first, Action second)
    {
        if (worker is null)
        {
            Parallel.Invoke(first, second);
        }
        else
        {
            worker.Invoke(first, second);
        }
    }

    /// <summary>Ends the worker's thread and waits for it. Idempotent.</summary>
    /// <exception cref="InvalidOperationException">Called during a fork (from a half, or from another thread).</exception>
    public void Dispose()
    {
        if (Thread.CurrentThread == thread || Volatile.Read(ref invoking) != 0)
        {
            throw new InvalidOperationException("A two-core worker cannot be disposed during a fork.");
        }

        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        stopping = true;
        posted.Set();
        thread.Join();
        posted.Dispose();
        finished.Dispose();
        firstArrived.Dispose();
        secondArrived.Dispose();
    }

    /// <summary>Whether the worker's thread is still running (false once <see cref="Dispose"/> returned).</summary>
    internal bool IsAlive => thread.IsAlive;

    private void Run()
    {
        while (true)
        {
            posted.Wait();
            posted.Reset();
            if (stopping)
            {
                return;
            }

            // Read after the reset: a fork posted meanwhile is taken now (its set may have been cleared); none means a wake-ahead,
            // so wait again, spinning first.
            Action? next = Interlocked.Exchange(ref work, null);
            if (next is null)
            {
                continue;
            }

            try
            {
                next();
            }
            catch (Exception e)
            {
                failure = ExceptionDispatchInfo.Capture(e);
            }

            finished.Set();
        }
    }
}
