using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using HessianCodegen.LinearAlgebra;
using HessianCodegen.Tests.Infrastructure;
using Xunit;

namespace HessianCodegen.Tests;

/// <summary>
/// <see cref="SharedFork"/>: the front takes the lowest pieces, the end the highest, each piece goes out once, one way or the other,
/// and -1 once all are out; two threads taking from both ends side by side get every piece once between them; a wait for the
/// pieces still being computed sees the last one. A worker that comes late (descheduled before it took a piece) does not make the
/// caller wait, and touches nothing once the caller has returned.
/// </summary>
public sealed class SharedForkTests
{
    [Fact]
    public void Front_and_end_take_the_lowest_and_highest_pieces_each_once()
    {
        var fork = new SharedFork(1);
        Assert.Equal(0, fork.Take(0, 5, fromEnd: false));
        Assert.Equal(4, fork.Take(0, 5, fromEnd: true));
        Assert.Equal(3, fork.Take(0, 5, fromEnd: true));
        Assert.Equal(1, fork.Take(0, 5, fromEnd: false));
        Assert.Equal(2, fork.Take(0, 5, fromEnd: false));
        Assert.Equal(-1, fork.Take(0, 5, fromEnd: true));
        Assert.Equal(-1, fork.Take(0, 5, fromEnd: false));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void One_way_alone_takes_every_piece_in_order(bool fromEnd)
    {
        var fork = new SharedFork(1);
        int[] taken = Enumerable.Range(0, 8).Select(_ => fork.Take(0, 7, fromEnd)).ToArray();
        int[] expected = fromEnd ? [6, 5, 4, 3, 2, 1, 0, -1] : [0, 1, 2, 3, 4, 5, 6, -1];
        Assert.Equal(expected, taken);
    }

    [Fact]
    public void Two_threads_from_both_ends_take_every_piece_once()
    {
        const int pieces = 20000;
        var owner = new int[pieces];
        var fork = new SharedFork(1);
        long Drain(int id, bool fromEnd)
        {
            long count = 0;
            for (int piece = fork.Take(0, pieces, fromEnd); piece >= 0; piece = fork.Take(0, pieces, fromEnd))
            {
                Assert.Equal(0, owner[piece]);
                owner[piece] = id;
                count++;
                fork.Done(0, fromEnd);
            }

            return count;
        }

        (long first, long second) = SideBySide.Run(() => Drain(1, fromEnd: false), () => Drain(2, fromEnd: true));
        Assert.Equal(pieces, first + second);
        Assert.DoesNotContain(0, owner);

        // The front's pieces come before the end's: one cut between them (none where one thread took every piece first).
        int cut = Array.IndexOf(owner, 2);
        Assert.All(owner.Skip(cut < 0 ? pieces : cut), id => Assert.Equal(2, id));
        Assert.All(owner.Take(cut < 0 ? pieces : cut), id => Assert.Equal(1, id));
    }

    /// <summary>
    /// <see cref="SharedFork.WaitForPieces"/> returns once the piece the other thread holds is done and sees what it wrote: at once,
    /// after a piece shorter than its spin, and after one longer (where it blocks until <see cref="SharedFork.Done"/> wakes it).
    /// </summary>
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(20)]
    public async Task Waiting_for_the_pieces_sees_the_last_piece(int pieceMilliseconds)
    {
        var fork = new SharedFork(1);
        int written = 0;
        Assert.Equal(1, fork.Take(0, 2, fromEnd: true));
        var other = new Thread(() =>
        {
            Thread.Sleep(pieceMilliseconds);
            Volatile.Write(ref written, 1);
            fork.Done(0, fromEnd: true);
        });
        other.Start();
        Assert.Equal(0, fork.Take(0, 2, fromEnd: false));
        fork.Done(0, fromEnd: false);

        // The hang guard: a wake-up lost by the blocked wait would leave it waiting forever.
        Task<bool> waiting = Task.Run(() => fork.WaitForPieces(0, 1));
        Assert.Same(waiting, await Task.WhenAny(waiting, Task.Delay(TimeSpan.FromSeconds(30))));
        Assert.True(await waiting);
        Assert.Equal(1, Volatile.Read(ref written));
        other.Join();
    }

    [Fact]
    public void A_count_past_the_limit_is_refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new SharedFork(1).Take(0, SharedFork.Limit, fromEnd: false));

    /// <summary>
    /// A worker held up before it takes a piece (on a busy machine, descheduled) does not make the caller wait: the caller takes
    /// every piece, in two stages with a wait for the first's between them, and returns while the worker is still held. Let go
    /// after the caller has moved on (here: cleared what the fork wrote), the worker takes no piece and writes nothing. The
    /// hang guard fails the test where the caller waited for the worker.
    /// </summary>
    [Fact]
    public async Task A_late_worker_neither_holds_up_the_caller_nor_writes_after_it_returned()
    {
        const int pieces = 6;
        var written = new int[2 * pieces];
        using var letGo = new ManualResetEventSlim();
        using var entered = new ManualResetEventSlim();
        int workerPieces = 0;
        using var worker = new TwoCoreWorker();
        var fork = new SharedFork(2);
        void Share(bool fromEnd)
        {
            // The worker has taken its half before the caller takes a piece, and is held until the caller has returned.
            if (fromEnd)
            {
                entered.Set();
                letGo.Wait();
            }
            else
            {
                entered.Wait();
            }

            for (int stage = 0; stage < 2; stage++)
            {
                for (int piece = fork.Take(stage, pieces, fromEnd); piece >= 0; piece = fork.Take(stage, pieces, fromEnd))
                {
                    written[(stage * pieces) + piece] = 1 + (stage == 0 ? 0 : written[pieces - 1 - piece]);
                    if (fromEnd)
                    {
                        workerPieces++;
                    }

                    fork.Done(stage, fromEnd);
                }

                fork.WaitForPieces(stage, 1);
            }
        }

        Task caller = Task.Run(() => fork.Run(worker, Share));
        Task first = await Task.WhenAny(caller, Task.Delay(TimeSpan.FromSeconds(30)));
        letGo.Set(); // after the caller returned, or to end a caller that waited
        Assert.True(first == caller, "The caller waited for a worker that held no piece.");
        await caller;
        Assert.All(written.Take(pieces), w => Assert.Equal(1, w));
        Assert.All(written.Skip(pieces), w => Assert.Equal(2, w));

        // The caller moves on; the worker, let go, takes nothing.
        Array.Clear(written);
        worker.Invoke(() => { }, () => { }); // the worker is done with the offered half
        Assert.Equal(0, workerPieces);
        Assert.All(written, w => Assert.Equal(0, w));
    }

    /// <summary>
    /// <see cref="SharedFork.Run"/> returns only once the piece the worker holds is done, and sees what it wrote: the worker takes a
    /// piece first and computes it for 50 ms while the caller takes the rest and waits.
    /// </summary>
    [Fact]
    public void Run_returns_once_the_piece_the_worker_holds_is_done()
    {
        using var worker = new TwoCoreWorker();
        using var workerTook = new ManualResetEventSlim();
        var fork = new SharedFork(1);
        int written = 0;
        fork.Run(worker, fromEnd =>
        {
            if (!fromEnd && !workerTook.Wait(TimeSpan.FromSeconds(20)))
            {
                throw new TimeoutException("The worker did not come within 20 s.");
            }

            for (int piece = fork.Take(0, 4, fromEnd); piece >= 0; piece = fork.Take(0, 4, fromEnd))
            {
                if (fromEnd && !workerTook.IsSet)
                {
                    workerTook.Set();
                    Thread.Sleep(50);
                    Volatile.Write(ref written, 1);
                }

                fork.Done(0, fromEnd);
            }
        });
        Assert.Equal(1, Volatile.Read(ref written));
    }

    /// <summary>
    /// The flops the pieces count as they end are all in <see cref="SharedFork.Flops"/> when <see cref="SharedFork.Run"/> returns,
    /// though the worker, having ended its piece, has not returned from its side (a side's total added after its last piece was
    /// lost where the worker was descheduled there).
    /// </summary>
    [Fact]
    public async Task The_flops_of_every_piece_are_counted_when_Run_returns()
    {
        using var worker = new TwoCoreWorker();
        using var workerEnded = new ManualResetEventSlim();
        using var letGo = new ManualResetEventSlim();
        var fork = new SharedFork(1);
        void Share(bool fromEnd)
        {
            if (!fromEnd && !workerEnded.Wait(TimeSpan.FromSeconds(20)))
            {
                throw new TimeoutException("The worker did not come within 20 s.");
            }

            for (int piece = fork.Take(0, 4, fromEnd); piece >= 0; piece = fork.Take(0, 4, fromEnd))
            {
                fork.Done(0, fromEnd, 10 + piece);
                if (fromEnd)
                {
                    workerEnded.Set();
                    letGo.Wait();
                }
            }
        }

        Task running = Task.Run(() => fork.Run(worker, Share));
        Task first = await Task.WhenAny(running, Task.Delay(TimeSpan.FromSeconds(30)));
        long flops = fork.Flops;
        letGo.Set();
        Assert.True(first == running, "Run waited for a worker that held no piece.");
        await running;
        Assert.Equal(10 + 11 + 12 + 13, flops);
    }

    /// <summary>
    /// A worker busy elsewhere (held in the last fork's offered half) never takes this fork's side: <see cref="SharedFork.Run"/>
    /// returns with every piece done by the caller, and the side, withdrawn, never runs.
    /// </summary>
    [Fact]
    public async Task A_side_the_worker_has_not_taken_is_withdrawn_and_the_caller_does_every_piece()
    {
        using var worker = new TwoCoreWorker();
        using ManualResetEventSlim letGo = HeldWorker.Hold(worker);
        var fork = new SharedFork(1);
        var byCaller = new bool[5];
        int workerSides = 0;
        Task running = Task.Run(() => fork.Run(worker, fromEnd =>
        {
            if (fromEnd)
            {
                Interlocked.Increment(ref workerSides);
            }

            for (int piece = fork.Take(0, byCaller.Length, fromEnd); piece >= 0; piece = fork.Take(0, byCaller.Length, fromEnd))
            {
                byCaller[piece] = !fromEnd;
                fork.Done(0, fromEnd);
            }
        }));
        Task first = await Task.WhenAny(running, Task.Delay(TimeSpan.FromSeconds(30)));
        letGo.Set();
        Assert.True(first == running, "Run waited for a worker held elsewhere.");
        await running;

        HeldWorker.PassWithdrawnHalves(worker);
        Assert.All(byCaller, Assert.True);
        Assert.Equal(0, Volatile.Read(ref workerSides));
    }

    /// <summary>
    /// A side that fails while it holds a piece ends that piece (else <see cref="SharedFork.Run"/> would wait for it forever) and
    /// closes the fork: the other side's <see cref="SharedFork.Take"/> gets -1 and its <see cref="SharedFork.WaitForPieces"/>
    /// false; <see cref="SharedFork.Run"/> throws the exception, or both in an <see cref="AggregateException"/>, caller's first.
    /// Without a worker the caller's side runs first, then the worker's, so what each side sees is fixed.
    /// </summary>
    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public async Task A_side_that_fails_holding_a_piece_ends_it_closes_the_fork_and_its_exception_reaches_Run(bool callerFails, bool workerFails)
    {
        var fork = new SharedFork(2);
        var seen = new (int Piece, bool Waited, int Next)[2];
        void Share(bool fromEnd)
        {
            int piece = fork.Take(0, 4, fromEnd);
            if (fromEnd ? workerFails : callerFails)
            {
                throw new InvalidOperationException(fromEnd ? "worker" : "caller");
            }

            if (piece >= 0)
            {
                fork.Done(0, fromEnd);
            }

            bool waited = fork.WaitForPieces(0, 1);
            int next = fork.Take(1, 4, fromEnd);
            if (next >= 0)
            {
                fork.Done(1, fromEnd);
            }

            seen[fromEnd ? 1 : 0] = (piece, waited, next);
        }

        Task running = Task.Run(() => fork.Run(worker: null, Share));
        Assert.Same(running, await Task.WhenAny(running, Task.Delay(TimeSpan.FromSeconds(30))));
        Exception thrown = await Assert.ThrowsAnyAsync<Exception>(() => running);
        if (callerFails && workerFails)
        {
            Assert.Collection(Assert.IsType<AggregateException>(thrown).InnerExceptions,
                e => Assert.Equal("caller", e.Message),
                e => Assert.Equal("worker", e.Message));
        }
        else if (callerFails)
        {
            Assert.Equal("caller", Assert.IsType<InvalidOperationException>(thrown).Message);
            Assert.Equal((-1, false, -1), seen[1]); // the fork closed: no piece, and the wait says it failed
        }
        else
        {
            Assert.Equal("worker", Assert.IsType<InvalidOperationException>(thrown).Message);
            Assert.Equal((0, true, 0), seen[0]); // the caller's side ran before the worker's failed
        }

        Assert.Equal(-1, fork.Take(0, 4, fromEnd: false));
        Assert.Equal(-1, fork.Take(1, 4, fromEnd: true));
    }
}
