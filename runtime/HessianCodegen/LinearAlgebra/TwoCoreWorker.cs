using System;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Threading;
using System.Threading.Tasks;

namespace HessianCodegen.LinearAlgebra;

/// <summary>
/// One dedicated thread that runs the second half of each fork of a two-core computation (the Riccati recursion at large
/// states forks twice per layer on the grouped path, where <see cref="TwoCoreCouplingUpdate"/> takes the step to <c>P</c>),
/// where <see cref="Parallel.Invoke(Action[])"/> hands it to the thread pool. Between forks a pool worker spins a little, then sleeps, and a fork finding none awake runs its second half on the caller after the
/// first: after 200 us of one-core work, a fifth of the forks of two 100 us halves ran one after the other (35 us lost per fork
/// on average), against 2 % and 4 us here (samples measured on this project's two-core machine). The recursion rents it from a
/// <see cref="Keeper"/>, which keeps it from one computation to the next; <see cref="Dispose"/> ends its thread. Between forks it spins briefly (<see cref="WorkerSpinCount"/>), then blocks; a caller
/// that knows a fork follows a long stretch of one-core work wakes it a little ahead (<see cref="WakeAhead"/>), so that it is
/// spinning, not blocked, when the fork comes. A fork whose halves share their work in pieces (<see cref="SharedFork"/>) offers
/// its second half instead (<see cref="InvokeShared"/>) and does not wait for a worker that has not come. One caller at a time; a
/// half must not fork through the same worker.
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
    /// than the worker, though no longer than a half late by a whole preemption.
    /// </summary>
    internal const int CallerSpinCount = 200;

    private readonly Thread thread;
    private readonly ManualResetEventSlim posted = new(false, WorkerSpinCount);
    private readonly ManualResetEventSlim finished = new(false, CallerSpinCount);
    private Action? work;
    private Action? offered;
    private ExceptionDispatchInfo? failure;
    private volatile bool stopping;
    private int invoking;
    private int disposed;

    /// <summary>Starts the worker's thread (a background thread, so that a worker never disposed cannot keep the process alive).</summary>
    public TwoCoreWorker()
    {
        thread = new Thread(Run) { IsBackground = true, Name = "HessianCodegen two-core worker" };
        thread.UnsafeStart(); // no ExecutionContext: the caller's would stay pinned for the thread's life, the process's for a kept worker
    }

    /// <summary>
    /// Runs <paramref name="first"/> on the caller and <paramref name="second"/> on the worker's thread, side by side, and
    /// returns when both are done. An exception of one half is re-thrown here with its stack (both: an
    /// <see cref="AggregateException"/> of the two), after the other half has finished.
    /// </summary>
    public void Invoke(Action first, Action second)
    {
        BeginFork(first, second);
        try
        {
            failure = null;
            finished.Reset();
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
            failure = null; // nor is its exception kept until the next fork
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
    /// Runs <paramref name="first"/> on the caller and offers <paramref name="second"/> to the worker's thread; returns when the
    /// first returns, without waiting for the second, which is withdrawn where the worker has not taken it by then. For a fork whose
    /// halves share their work in pieces (<see cref="SharedFork.Run"/>, which then waits for any piece the second is computing): a
    /// second half that comes late finds none left and touches nothing. Neither half throws (each keeps its exception for the
    /// fork); the second may still be running when the next fork is posted, which the worker then takes after it.
    /// </summary>
    public void InvokeShared(Action first, Action second)
    {
        BeginFork(first, second);
        try
        {
            Volatile.Write(ref offered, second); // published before the set: a worker already awake may take it before the set's fence
            posted.Set();
            first();
        }
        finally
        {
            // A worker descheduled all along (a busy machine) would otherwise run it after the caller has moved on, for nothing.
            Volatile.Write(ref offered, null);
            Volatile.Write(ref invoking, 0);
        }
    }

    /// <summary>Checks a fork's halves and that this is the one fork running (not one from a half, nor another thread's at once).</summary>
    private void BeginFork(Action first, Action second)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        ObjectDisposedException.ThrowIf(stopping, this);
        if (Thread.CurrentThread == thread || Interlocked.Exchange(ref invoking, 1) != 0)
        {
            throw new InvalidOperationException("A two-core worker runs one fork at a time: it was called from another thread during a fork, or from a half of one.");
        }
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
    /// Keeps one worker between computations, so that each does not start and end a thread (about 0.13 ms of cpu time and more
    /// of wall time each, measured on this project's machine, where a Riccati factorization at issue 7's order takes 20 ms of cpu).
    /// Its thread, blocked between computations, costs no cpu time; it is a background thread, so it does not keep the process alive.
    /// </summary>
    internal sealed class Keeper
    {
        private TwoCoreWorker? kept;

        /// <summary>The keeper of the recursion's workers.</summary>
        public static Keeper Shared { get; } = new();

        /// <summary>
        /// A worker for one computation where <paramref name="wanted"/>: the one kept since the last computation returned it, else a
        /// new one; none otherwise. Disposing the rental keeps the worker (or ends its thread, where another computation returned
        /// one first). Two computations at once each get their own.
        /// </summary>
        public Rental Rent(bool wanted) => new(this, wanted ? Interlocked.Exchange(ref kept, null) ?? new TwoCoreWorker() : null);

        internal void Return(TwoCoreWorker worker)
        {
            // A rental disposed twice returns the worker kept already: disposing it would leave the next rental a dead worker.
            TwoCoreWorker? before = Interlocked.CompareExchange(ref kept, worker, null);
            if (before is not null && !ReferenceEquals(before, worker))
            {
                worker.Dispose();
            }
        }
    }

    /// <summary>A worker rented from a <see cref="Keeper"/>, returned to it by <see cref="Dispose"/>.</summary>
    internal readonly struct Rental(Keeper keeper, TwoCoreWorker? worker) : IDisposable
    {
        /// <summary>The worker, or null where none was wanted.</summary>
        public TwoCoreWorker? Worker { get; } = worker;

        /// <summary>Gives the worker back to its keeper (a second time: nothing, while the keeper still holds it).</summary>
        public void Dispose()
        {
            if (Worker is not null)
            {
                keeper.Return(Worker);
            }
        }
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

            if (RunPosted())
            {
                finished.Set();
            }
        }
    }

    /// <summary>
    /// Runs the half posted, if any (none: a wake-ahead, or an offered half withdrawn), catching its exception for <see cref="Invoke"/>;
    /// whether <see cref="Invoke"/> waits for it (an offered half, <see cref="InvokeShared"/>'s, is not waited for). A method of its
    /// own, so that nothing of the half (in the recursion, a closure over the factorization's arrays) stays on the stack of the wait
    /// for the next fork: a local or a call's temporary there kept it alive until then.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool RunPosted()
    {
        // Read after the reset: a fork posted meanwhile is taken now (its set may have been cleared); none means a wake-ahead (or
        // an offered half withdrawn), so wait again, spinning first. An offered half catches its own exceptions.
        Interlocked.Exchange(ref offered, null)?.Invoke();
        Action? next = Interlocked.Exchange(ref work, null);
        if (next is null)
        {
            return false;
        }

        try
        {
            next();
        }
        catch (Exception e)
        {
            failure = ExceptionDispatchInfo.Capture(e);
        }

        return true;
    }
}
