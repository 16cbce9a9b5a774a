using System;
using System.Linq;
using System.Threading;
using HessianCodegen.LinearAlgebra;
using HessianCodegen.Tests.Infrastructure;
using Xunit;

namespace HessianCodegen.Tests;

/// <summary>
/// <see cref="SharedPiece.Take(int[], int, bool)"/>: the front takes the lowest pieces, the end the highest, each piece goes out once, one way or
/// the other, and -1 once all are out; two threads taking from both ends side by side get every piece once between them; a wait for
/// the pieces still being computed sees the last one.
/// </summary>
public sealed class SharedPieceTests
{
    [Fact]
    public void Front_and_end_take_the_lowest_and_highest_pieces_each_once()
    {
        int[] counter = [0];
        Assert.Equal(0, SharedPiece.Take(counter, 5, fromEnd: false));
        Assert.Equal(4, SharedPiece.Take(counter, 5, fromEnd: true));
        Assert.Equal(3, SharedPiece.Take(counter, 5, fromEnd: true));
        Assert.Equal(1, SharedPiece.Take(counter, 5, fromEnd: false));
        Assert.Equal(2, SharedPiece.Take(counter, 5, fromEnd: false));
        Assert.Equal(-1, SharedPiece.Take(counter, 5, fromEnd: true));
        Assert.Equal(-1, SharedPiece.Take(counter, 5, fromEnd: false));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void One_way_alone_takes_every_piece_in_order(bool fromEnd)
    {
        int[] counter = [0];
        int[] taken = Enumerable.Range(0, 8).Select(_ => SharedPiece.Take(counter, 7, fromEnd)).ToArray();
        int[] expected = fromEnd ? [6, 5, 4, 3, 2, 1, 0, -1] : [0, 1, 2, 3, 4, 5, 6, -1];
        Assert.Equal(expected, taken);
    }

    [Fact]
    public void Two_threads_from_both_ends_take_every_piece_once()
    {
        const int pieces = 20000;
        var owner = new int[pieces];
        int[] counter = [0];
        long Drain(int id, bool fromEnd)
        {
            long count = 0;
            for (int piece = SharedPiece.Take(counter, pieces, fromEnd); piece >= 0; piece = SharedPiece.Take(counter, pieces, fromEnd))
            {
                Assert.Equal(0, owner[piece]);
                owner[piece] = id;
                count++;
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
    /// <see cref="SharedPiece.WaitUntilNone"/> returns once the count is 0 and sees what was written before: at once, after a
    /// piece shorter than its spin, and after one longer (where it blocks until <see cref="SharedPiece.Leave"/> wakes it).
    /// </summary>
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(20)]
    public void Waiting_until_no_piece_is_computed_sees_the_last_piece(int pieceMilliseconds)
    {
        int[] count = [1];
        int written = 0;
        var other = new Thread(() =>
        {
            Thread.Sleep(pieceMilliseconds);
            Volatile.Write(ref written, 1);
            SharedPiece.Leave(count, 0);
        });
        other.Start();
        SharedPiece.WaitUntilNone(count, 0);
        Assert.Equal(1, Volatile.Read(ref written));
        Assert.Equal(0, count[0]);
        other.Join();
    }

    [Fact]
    public void A_count_past_the_limit_is_refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => SharedPiece.Take([0], SharedPiece.Limit, fromEnd: false));
}
