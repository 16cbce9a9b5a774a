using System;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using HessianCodegen.LinearAlgebra;
using HessianCodegen.Tests.Infrastructure;
using Xunit;

namespace HessianCodegen.Tests;

/// <summary>
/// <see cref="TwoCoreWorker"/>: both halves of a fork run, the second on the worker's own thread; an exception of either half
/// reaches the caller with its stack, after the other half is done; the worker serves many forks, and one after a failed
/// fork; <see cref="TwoCoreWorker.Dispose"/> ends its thread. <see cref="TwoCoreWorker.WakeAhead"/> (the worker woken to spin for
/// the next fork) runs no half and loses none, whenever it comes between forks (right before one, long before one, twice), and is
/// refused during a fork and after <see cref="TwoCoreWorker.Dispose"/>.
/// </summary>
public sealed class TwoCoreWorkerTests
{
    [Fact]
    public void RunsTheFirstHalfOnTheCallerAndTheSecondOnItsThread()
    {
        using var worker = new TwoCoreWorker();
        int caller = Environment.CurrentManagedThreadId;
        int first = 0, second = 0;
        worker.Invoke(() => first = Environment.CurrentManagedThreadId, () => second = Environment.CurrentManagedThreadId);
        Assert.Equal(caller, first);
        Assert.NotEqual(0, second);
        Assert.NotEqual(caller, second);
    }

    [Fact]
    public void ServesManyForksWithEveryHalfDone()
    {
        const int Forks = 20_000;
        using var worker = new TwoCoreWorker();
        var firsts = new int[Forks];
        var seconds = new int[Forks];
        for (int k = 0; k < Forks; k++)
        {
            int index = k;
            worker.Invoke(() => firsts[index]++, () => seconds[index]++);

            // The second half's write is seen on return: Invoke waited for it.
            Assert.Equal(1, seconds[index]);
        }

        Assert.All(firsts, count => Assert.Equal(1, count));
        Assert.All(seconds, count => Assert.Equal(1, count));
    }

    [Fact]
    public void RethrowsTheSecondHalfsExceptionWithItsStack()
    {
        using var worker = new TwoCoreWorker();
        bool firstRan = false;
        var thrown = Assert.Throws<ArgumentOutOfRangeException>(() => worker.Invoke(() => firstRan = true, ThrowFromTheSecondHalf));
        Assert.True(firstRan);
        Assert.Equal("second", thrown.ParamName);
        Assert.Contains(nameof(ThrowFromTheSecondHalf), thrown.StackTrace);

        // The failure is not carried into the next fork.
        int after = 0;
        worker.Invoke(() => { }, () => after = 1);
        Assert.Equal(1, after);
    }

    [Fact]
    public void RethrowsTheFirstHalfsExceptionOnlyAfterTheSecondHalfIsDone()
    {
        using var worker = new TwoCoreWorker();
        using var firstFailing = new ManualResetEventSlim();
        bool secondDone = false;
        Assert.Throws<InvalidOperationException>(() => worker.Invoke(
            () =>
            {
                firstFailing.Set();
                throw new InvalidOperationException("first");
            },
            () =>
            {
                // Still running when the first half has thrown: the caller must not return before this is done.
                firstFailing.Wait();
                Thread.Sleep(50);
                Volatile.Write(ref secondDone, true);
            }));
        Assert.True(Volatile.Read(ref secondDone));
    }

    [Fact]
    public void GathersBothExceptionsWhenBothHalvesThrow()
    {
        using var worker = new TwoCoreWorker();
        var thrown = Assert.Throws<AggregateException>(() => worker.Invoke(
            () => throw new InvalidOperationException("first"), ThrowFromTheSecondHalf));
        Assert.Collection(thrown.InnerExceptions,
            e => Assert.Equal("first", e.Message),
            e => Assert.Equal("second", Assert.IsType<ArgumentOutOfRangeException>(e).ParamName));
    }

    /// <summary>
    /// <see cref="TwoCoreWorker.InvokeShared"/> returns when its first half returns, not waiting for a worker that has not come (here
    /// held in the last fork's offered half), and withdraws the second half then: the worker, free again, never runs it.
    /// </summary>
    [Fact]
    public async Task AnOfferedHalfTheWorkerHasNotTakenIsWithdrawn()
    {
        using var worker = new TwoCoreWorker();
        using ManualResetEventSlim letGo = HeldWorker.Hold(worker);
        bool ran = false;
        Task offering = Task.Run(() => worker.InvokeShared(() => { }, () => ran = true));
        Task first = await Task.WhenAny(offering, Task.Delay(TimeSpan.FromSeconds(30)));
        letGo.Set();
        Assert.True(first == offering, "InvokeShared waited for a worker held elsewhere.");
        await offering;
        HeldWorker.PassWithdrawnHalves(worker);
        Assert.False(ran);
    }

    /// <summary>
    /// A wake-up lost (a fork posted while the worker takes a wake-ahead, then cleared) would leave the caller waiting for a second
    /// half forever, so the forks run in a task that must keep finishing forks: 30 s without one fails the test instead of hanging
    /// the run (20,000 forks can take a minute on a loaded machine; a fixed limit on all of them failed there). With
    /// <paramref name="mixShared"/> every other fork at random is a <see cref="SharedFork"/>'s (<see cref="TwoCoreWorker.InvokeShared"/>,
    /// whose offered half the worker takes before a posted one, or never), each of whose pieces must be done once.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ForksWokenAheadRunEveryHalfOnce(bool mixShared)
    {
        const int Forks = 20_000, Pieces = 4;
        var seconds = new int[Forks];
        int finished = 0;
        Task forks = Task.Run(() =>
        {
            using var worker = new TwoCoreWorker();
            var random = new Random(3);
            var pieces = new int[Pieces];
            for (int k = 0; k < Forks; k++)
            {
                // Woken right before the fork, a little before it, twice, or not at all; every 50th fork long before it, so that the
                // worker surely takes the wake (and its spin ends) before the fork is posted.
                int wakes = random.Next(3);
                for (int w = 0; w < wakes; w++)
                {
                    worker.WakeAhead();
                    Thread.SpinWait(random.Next(200));
                }

                if (k % 50 == 0)
                {
                    worker.WakeAhead();
                    Thread.Sleep(1);
                }

                int index = k;
                if (mixShared && random.Next(2) == 0)
                {
                    var fork = new SharedFork(1);
                    Array.Clear(pieces);
                    fork.Run(worker, fromEnd =>
                    {
                        for (int piece = fork.Take(0, Pieces, fromEnd); piece >= 0; piece = fork.Take(0, Pieces, fromEnd))
                        {
                            Interlocked.Increment(ref pieces[piece]);
                            fork.Done(0, fromEnd);
                        }
                    });
                    Assert.All(pieces, count => Assert.Equal(1, count));
                    seconds[index] = 1;
                }
                else
                {
                    worker.Invoke(() => { }, () => seconds[index]++);
                    Assert.Equal(1, seconds[index]);
                }

                Volatile.Write(ref finished, k + 1);
            }
        });

        // A lost wake-up stops the forks for good; a busy machine only slows them, so what fails is 30 s without one fork finishing.
        int seen = -1;
        while (await Task.WhenAny(forks, Task.Delay(TimeSpan.FromSeconds(30))) != forks)
        {
            int now = Volatile.Read(ref finished);
            Assert.True(now != seen, $"No fork finished within 30 s after fork {now} of {Forks}: a wake-up was lost.");
            seen = now;
        }

        await forks;
        Assert.All(seconds, count => Assert.Equal(1, count));
    }

    /// <summary>
    /// <see cref="TwoCoreWorker.Keeper"/>: a rental wanting none has none; two rentals at once get two workers; of two returned, the
    /// first is kept and the other's thread ended; the kept one is rented again (its thread serves the next computation) and forks.
    /// </summary>
    /// <summary>The worker's thread does not keep the execution context of the caller that created it (a kept worker lives as
    /// long as the process): its halves see none of that caller's async-local values.</summary>
    [Fact]
    public void KeepsNoExecutionContextOfItsCreator()
    {
        var local = new AsyncLocal<object?> { Value = new object() };
        object? seen = local;
        using (var worker = new TwoCoreWorker())
        {
            local.Value = null;
            worker.Invoke(() => { }, () => seen = local.Value);
        }

        Assert.Null(seen);
    }

    /// <summary>A rental disposed twice leaves the worker kept alive for the next rental.</summary>
    [Fact]
    public void ARentalDisposedTwiceLeavesTheKeptWorkerAlive()
    {
        var keeper = new TwoCoreWorker.Keeper();
        TwoCoreWorker.Rental rental = keeper.Rent(wanted: true);
        rental.Dispose();
        rental.Dispose();
        using TwoCoreWorker.Rental again = keeper.Rent(wanted: true);
        Assert.Same(rental.Worker, again.Worker);
        Assert.True(again.Worker!.IsAlive);
        int ran = 0;
        again.Worker.Invoke(() => Interlocked.Increment(ref ran), () => Interlocked.Increment(ref ran));
        Assert.Equal(2, ran);
        again.Worker.Dispose();
    }

    [Fact]
    public void AKeeperRentsAgainTheWorkerItKept()
    {
        var keeper = new TwoCoreWorker.Keeper();
        using (TwoCoreWorker.Rental none = keeper.Rent(wanted: false))
        {
            Assert.Null(none.Worker);
        }

        TwoCoreWorker first, second;
        TwoCoreWorker.Rental firstRental = keeper.Rent(wanted: true), secondRental = keeper.Rent(wanted: true);
        (first, second) = (firstRental.Worker!, secondRental.Worker!);
        Assert.NotSame(first, second);
        secondRental.Dispose();
        firstRental.Dispose();
        Assert.True(second.IsAlive);
        Assert.False(first.IsAlive);

        using (TwoCoreWorker.Rental again = keeper.Rent(wanted: true))
        {
            Assert.Same(second, again.Worker);
            int ran = 0;
            again.Worker!.Invoke(() => Interlocked.Increment(ref ran), () => Interlocked.Increment(ref ran));
            Assert.Equal(2, ran);
        }

        second.Dispose();
    }

    [Fact]
    public void WakeAheadIsRefusedDuringAForkAndAfterDispose()
    {
        var worker = new TwoCoreWorker();
        Assert.Throws<InvalidOperationException>(() => worker.Invoke(worker.WakeAhead, () => { }));
        Assert.Throws<InvalidOperationException>(() => worker.Invoke(() => { }, worker.WakeAhead));
        worker.WakeAhead();
        worker.Dispose();
        Assert.False(worker.IsAlive);
        Assert.Throws<ObjectDisposedException>(worker.WakeAhead);
    }

    [Fact]
    public void RefusesAForkFromAHalf()
    {
        using var worker = new TwoCoreWorker();
        Assert.Throws<InvalidOperationException>(() => worker.Invoke(() => { }, () => worker.Invoke(() => { }, () => { })));
    }

    [Fact]
    public void RefusesAForkFromTheFirstHalfAndForksAgainAfterwards()
    {
        using var worker = new TwoCoreWorker();
        Assert.Throws<InvalidOperationException>(() => worker.Invoke(() => worker.Invoke(() => { }, () => { }), () => { }));
        bool firstRan = false, secondRan = false;
        worker.Invoke(() => firstRan = true, () => secondRan = true);
        Assert.True(firstRan && secondRan);
    }

    [Fact]
    public void RefusesToBeDisposedDuringAFork()
    {
        using var worker = new TwoCoreWorker();
        Assert.Throws<InvalidOperationException>(() => worker.Invoke(() => { }, worker.Dispose));
        Assert.Throws<InvalidOperationException>(() => worker.Invoke(worker.Dispose, () => { }));
        Assert.True(worker.IsAlive);
    }

    [Fact]
    public void DisposeEndsItsThread()
    {
        var worker = new TwoCoreWorker();
        worker.Invoke(() => { }, () => { });
        Assert.True(worker.IsAlive);
        worker.Dispose();
        Assert.False(worker.IsAlive);
        worker.Dispose();
        Assert.Throws<ObjectDisposedException>(() => worker.Invoke(() => { }, () => { }));
    }

    private static void ThrowFromTheSecondHalf() => throw new ArgumentOutOfRangeException("second", "thrown by the second half");

    /// <summary>
    /// Between forks the worker holds nothing of the last one: neither its second half (whose closure, in the recursion, captures
    /// the factorization's arrays) nor its exception.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void HoldsNothingOfTheLastForkBetweenForks(bool throws)
    {
        using var worker = new TwoCoreWorker();
        WeakReference captured = ForkCapturing(worker, throws);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        Assert.False(captured.IsAlive);
    }

    /// <summary>A fork whose second half captures an array: a weak reference to it.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference ForkCapturing(TwoCoreWorker worker, bool throws)
    {
        var array = new double[1000];
        try
        {
            worker.Invoke(() => { }, () =>
            {
                array[0] = 1;
                if (throws)
                {
                    throw new HoldingException(array);
                }
            });
        }
        catch (HoldingException) when (throws)
        {
        }

        return new WeakReference(array);
    }

    /// <summary>An exception that holds an array, as one thrown in the recursion may through its stack or its data.</summary>
    private sealed class HoldingException(double[] held) : Exception
    {
        public double[] Held { get; } = held;
    }
}
