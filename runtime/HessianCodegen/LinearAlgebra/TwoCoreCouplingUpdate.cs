using System;
using System.Buffers;

namespace HessianCodegen.LinearAlgebra;

/// <summary>
/// A two-core layer's step from <c>C</c> to <c>P</c>: the half solve <c>Y = W^-1 C</c> in two halves of its columns
/// (<see cref="ColumnSplitSolve"/>'s), each half's <c>M^-1 Y</c> where the factor has a middle (Bunch-Kaufman's <c>D</c>), then
/// <c>E -= Y^T (M^-1 Y)</c> on the upper triangle in two bands of rows (<see cref="PackedUpperUpdate.AddUpperOnTwoCores"/>'s), each
/// packing its own rows of <c>Y^T</c> and mirrored onto the lower triangle's columns by the core that wrote it
/// (<see cref="MatrixKernels.MirrorUpperColumns"/>). One fork where there were three (solve, update, mirror): the cores meet once,
/// between the solve and the update (each band reads all of <c>Y</c>; <see cref="TwoCoreWorker.Meet"/>, whose events the worker
/// keeps, so a layer makes none), and neither reads what the other wrote in the update. The same operations on the same values as
/// those three forks and the pack between them, so the same bits.
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
    /// <paramref name="solveLowerHalf"/>, columns 0 to <paramref name="firstHalf"/> on this thread and the rest on
    /// <paramref name="worker"/>'s; where <paramref name="solveMiddle"/> is given, writes <c>M^-1 Y</c> into <paramref name="middleSolved"/>
    /// (<paramref name="p"/> x <paramref name="order"/>) the same way; then subtracts <c>Y^T (M^-1 Y)</c> from the upper triangle of
    /// <paramref name="value"/> (order <paramref name="order"/>, square) and mirrors it onto the lower one. <paramref name="packedCouplingT"/>
    /// receives <c>Y^T</c> packed (<see cref="PackedUpperUpdate.PackedLength"/> values).
    /// </summary>
    public static void Run(RowsSolve solveLowerHalf, RowsSolve? solveMiddle, int p, Memory<double> coupling, Memory<double> middleSolved, int order,
        int firstHalf, Memory<double> packedCouplingT, Memory<double> value, TwoCoreWorker worker)
    {
        ArgumentNullException.ThrowIfNull(worker);
        if (!Takes(p, order, firstHalf) || coupling.Length != p * order || value.Length < order * order
            || packedCouplingT.Length < PackedUpperUpdate.PackedLength(order, p) || (solveMiddle is not null && middleSolved.Length != p * order))
        {
            throw new ArgumentException($"A two-core step of {p} parameters, order {order}, first half {firstHalf}: not taken, or C ({coupling.Length} values), " +
                $"M^-1 Y ({middleSolved.Length}), P ({value.Length}) or the packed Y^T ({packedCouplingT.Length}) of the wrong length.");
        }

        int split = PackedUpperUpdate.SplitRow(order);
        var parts = new Parts(solveLowerHalf, solveMiddle, p, coupling, solveMiddle is null ? coupling : middleSolved, order, packedCouplingT, value);
        double[] scratch = ArrayPool<double>.Shared.Rent(p * order);
        try
        {
            worker.Invoke(
                () => Half(parts, 0, firstHalf, scratch.AsMemory(0, p * firstHalf), 0, split, worker, true),
                () => Half(parts, firstHalf, order - firstHalf, scratch.AsMemory(p * firstHalf, p * (order - firstHalf)), split, order, worker, false));
        }
        finally
        {
            ArrayPool<double>.Shared.Return(scratch);
        }
    }

    /// <summary>What both halves read and write: <c>MiddleSolved</c> holds <c>M^-1 Y</c>, or <c>Y</c> itself (<c>Coupling</c>) for a
    /// factor without a middle (Cholesky).</summary>
    private sealed record Parts(RowsSolve SolveLowerHalf, RowsSolve? SolveMiddle, int P, Memory<double> Coupling, Memory<double> MiddleSolved, int Order,
        Memory<double> PackedCouplingT, Memory<double> Value);

    /// <summary>
    /// One core's part: its columns of the solve (and of <c>M^-1 Y</c>, solved in the same block), the meeting, then its rows of the
    /// update and their mirror.
    /// </summary>
    private static void Half(Parts parts, int firstColumn, int columns, Memory<double> block, int firstRow, int endRow, TwoCoreWorker worker, bool isFirst)
    {
        (int p, int order) = (parts.P, parts.Order);
        try
        {
            ColumnSplitSolve.SolveColumns(parts.SolveLowerHalf, p, parts.Coupling, order, firstColumn, columns, block);
            if (parts.SolveMiddle is not null)
            {
                // The block holds this half's Y still: M^-1 Y of its columns, column by column as the whole solve would.
                Span<double> solved = block.Span;
                parts.SolveMiddle(solved, columns);
                Span<double> right = parts.MiddleSolved.Span;
                for (int i = 0; i < p; i++)
                {
                    solved.Slice(i * columns, columns).CopyTo(right.Slice((i * order) + firstColumn, columns));
                }
            }
        }
        catch
        {
            worker.FailMeeting(isFirst);
            throw;
        }

        if (!worker.Meet(isFirst))
        {
            return; // the other half failed: its exception is what the fork throws
        }

        // This band's rows of Y^T (columns of Y), in the panels the update reads for them, then the band and its mirror.
        PackedUpperUpdate.PackLeftRows(parts.Coupling.Span, order, order, p, firstRow, endRow, parts.PackedCouplingT.Span);
        PackedUpperUpdate.AddBand(order, p, -1, parts.PackedCouplingT, parts.MiddleSolved, order, parts.Value, order, firstRow, endRow, mirror: true);
    }
}
