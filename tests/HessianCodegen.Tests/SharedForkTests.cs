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
    public void Waiting_for_the_pieces_sees_the_last_piece(int pieceMilliseconds)
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
        Assert.True(fork.WaitForPieces(0, 1));
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
                    workerPieces += fromEnd ? 1 : 0;
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
}
