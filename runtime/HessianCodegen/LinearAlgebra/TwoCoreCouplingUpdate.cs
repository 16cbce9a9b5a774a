using System;
using System.Buffers;
using System.Threading;

namespace HessianCodegen.LinearAlgebra;

/// <summary>
/// A two-core layer's step from <c>C</c> to <c>P</c>: the half solve <c>Y = W^-1 C</c> in two halves of its columns
/// (<see cref="ColumnSplitSolve"/>'s), each half's <c>M^-1 Y</c> where the factor has a middle (Bunch-Kaufman's <c>D</c>), then
/// <c>E -= Y^T (M^-1 Y)</c> on the upper triangle in two bands of rows (<see cref="PackedUpperUpdate.AddUpperOnTwoCores"/>'s), each
/// packing its own rows of <c>Y^T</c> and mirrored onto the lower triangle's columns by the core that wrote it
/// (<see cref="MatrixKernels.MirrorUpperColumns"/>). One fork where there were three (solve, update, mirror). The two column halves
/// and the two bands are pieces either core takes (<see cref="SharedFork"/>: this thread from the front, the worker from the end),
/// so a late core's pieces go to the other, which would otherwise wait for it; between solve and update each core waits only for
/// a piece the other is still solving (each band reads all of <c>Y</c>), and neither reads what the other wrote in the update. The
/// same operations on the same values as those three forks and the pack between them, so the same bits.
/// </summary>
internal static class TwoCoreCouplingUpdate
{
    /// <summary>
    /// Whether <see cref="Run"/> takes a step of <paramref name="p"/> parameters and state order <paramref name="order"/> whose half
    /// solve <see cref="ColumnSplitSolve"/> cuts at <paramref name="firstHalf"/> columns: both the solve and the update go on two cores.
    /// </summary>
    public static bool Takes(int p, int order, int firstHalf)
    {
        return firstHalf > 0 && firstHalf < order && PackedUpperUpdate.Supports(p) && PackedUpperUpdate.Forks(order, p);
    }

    /// <summary>
    /// Solves <paramref name="coupling"/> (<c>C</c>, <paramref name="p"/> x <paramref name="order"/>) into <c>Y</c> in place with
    /// <paramref name="solveLowerHalf"/>, in two pieces of columns cut at <paramref name="firstHalf"/> that either core takes (this
    /// thread from the front, <paramref name="worker"/>'s from the end); where <paramref name="solveMiddle"/> is given, writes
    /// <c>M^-1 Y</c> into <paramref name="middleSolved"/> (<paramref name="p"/> x <paramref name="order"/>) with the same pieces; then
    /// subtracts <c>Y^T (M^-1 Y)</c> from the upper triangle of <paramref name="value"/> (order <paramref name="order"/>, square) in
    /// two bands of rows taken the same way, and mirrors it onto the lower one. <paramref name="packedCouplingT"/> receives <c>Y^T</c>
    /// packed (<see cref="PackedUpperUpdate.PackedLength"/> values). Returns once every piece is done, without waiting for a worker
    /// that has not come (<see cref="SharedFork.Run"/>). A null <paramref name="worker"/> exists for the tests only: this thread then
    /// takes every piece, as where the worker came after it had taken them all.
    /// </summary>
    public static void Run(RowsSolve solveLowerHalf, RowsSolve? solveMiddle, int p, Memory<double> coupling, Memory<double> middleSolved, int order,
        int firstHalf, Memory<double> packedCouplingT, Memory<double> value, TwoCoreWorker? worker)
    {
        if (!Takes(p, order, firstHalf) || coupling.Length != p * order || value.Length < order * order
            || packedCouplingT.Length < PackedUpperUpdate.PackedLength(order, p) || (solveMiddle is not null && middleSolved.Length != p * order))
        {
            throw new ArgumentException($"A two-core step of {p} parameters, order {order}, first half {firstHalf}: not taken, or C ({coupling.Length} values), " +
                $"M^-1 Y ({middleSolved.Length}), P ({value.Length}) or the packed Y^T ({packedCouplingT.Length}) of the wrong length.");
        }

        int split = PackedUpperUpdate.SplitRow(order);
        double[] scratch = ArrayPool<double>.Shared.Rent(p * order);
        var parts = new Parts(solveLowerHalf, solveMiddle, p, coupling, solveMiddle is null ? coupling : middleSolved, order, firstHalf, split,
            packedCouplingT, value, scratch, new SharedFork(Counters));
        try
        {
            // The scratch goes back to the pool once every piece is done: a worker that comes later takes none and reads nothing.
            parts.Fork.Run(worker, fromEnd => Half(parts, fromEnd));
        }
        finally
        {
            ArrayPool<double>.Shared.Return(scratch);
        }
    }

    // The fork's counters (SharedFork): the solve's two pieces, the update's two bands.
    private const int SolvePieces = 0, Bands = 1, Counters = 2;

    /// <summary>What both halves read and write: <c>MiddleSolved</c> holds <c>M^-1 Y</c>, or <c>Y</c> itself (<c>Coupling</c>) for a
    /// factor without a middle (Cholesky); <c>Scratch</c> a solved piece's block.</summary>
    private sealed record Parts(RowsSolve SolveLowerHalf, RowsSolve? SolveMiddle, int P, Memory<double> Coupling, Memory<double> MiddleSolved, int Order,
        int FirstHalf, int SplitRow, Memory<double> PackedCouplingT, Memory<double> Value, double[] Scratch, SharedFork Fork);

    /// <summary>
    /// One core's part: the solve's pieces it takes (columns of <c>Y</c> and of <c>M^-1 Y</c>: this thread's first half from the
    /// front, the worker's from the end), a wait for a piece the other core is still solving, then the update's bands it takes
    /// (the first band of rows from the front, the second from the end) and their mirror. Where both cores come in time each takes
    /// its own half of both, as a fixed split would; a core that comes late finds its pieces taken by the other, which solved them
    /// instead of waiting for it (a late worker left this thread spinning, then blocked, in a meeting between solve and update).
    /// </summary>
    private static void Half(Parts parts, bool fromEnd)
    {
        (int p, int order, SharedFork fork) = (parts.P, parts.Order, parts.Fork);
        int piece;
        while ((piece = fork.Take(SolvePieces, 2, fromEnd)) >= 0)
        {
            (int firstColumn, int columns) = piece == 0 ? (0, parts.FirstHalf) : (parts.FirstHalf, order - parts.FirstHalf);
            SolvePiece(parts, firstColumn, columns, parts.Scratch.AsMemory(p * firstColumn, p * columns));
            fork.Done(SolvePieces, fromEnd);
        }

        // Each band reads all of Y: wait for a piece the other core is still solving (not for a core that holds none).
        if (!fork.WaitForPieces(SolvePieces, 1))
        {
            return; // a piece failed: its exception is what the fork throws
        }

        // A band's rows of Y^T (columns of Y), in the panels the update reads for them, then the band and its mirror.
        int band;
        while ((band = fork.Take(Bands, 2, fromEnd)) >= 0)
        {
            (int firstRow, int endRow) = band == 0 ? (0, parts.SplitRow) : (parts.SplitRow, order);
            PackedUpperUpdate.PackLeftRows(parts.Coupling.Span, order, order, p, firstRow, endRow, parts.PackedCouplingT.Span);
            PackedUpperUpdate.AddBand(order, p, -1, parts.PackedCouplingT, parts.MiddleSolved, order, parts.Value, order, firstRow, endRow, mirror: true);
            fork.Done(Bands, fromEnd);
        }
    }

    /// <summary>Columns <paramref name="firstColumn"/> on of the solve, and of <c>M^-1 Y</c> in the same block.</summary>
    private static void SolvePiece(Parts parts, int firstColumn, int columns, Memory<double> block)
    {
        (int p, int order) = (parts.P, parts.Order);
        ColumnSplitSolve.SolveColumns(parts.SolveLowerHalf, p, parts.Coupling, order, firstColumn, columns, block);
        if (parts.SolveMiddle is not null)
        {
            // The block holds this piece's Y still: M^-1 Y of its columns, column by column as the whole solve would.
            Span<double> solved = block.Span;
            parts.SolveMiddle(solved, columns);
            Span<double> right = parts.MiddleSolved.Span;
            for (int i = 0; i < p; i++)
            {
                solved.Slice(i * columns, columns).CopyTo(right.Slice((i * order) + firstColumn, columns));
            }
        }
    }
}
