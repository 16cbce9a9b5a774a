using System;
using System.Buffers;

namespace HessianCodegen.LinearAlgebra;

/// <summary>A solve in place for the rows of <paramref name="rows"/>, <paramref name="width"/> values each (for example <see cref="IPivotBlockFactor.SolveLowerHalf"/>).</summary>
internal delegate void RowsSolve(Span<double> rows, int width);

/// <summary>
/// A solve with a pivot block's factors (or a half of one) for many right-hand sides, on two cores: the columns are cut in two
/// halves, each copied into a contiguous block (the layout <see cref="IPivotBlockFactor"/>'s solves take), solved side by side,
/// and copied back.
/// </summary>
internal static class ColumnSplitSolve
{
    /// <summary>
    /// Flops of the solve from which the second core is used: a few hundred microseconds of one core. Issue 7's chain:
    /// p = 72, 512 right-hand sides, 2.7e6 flops for the lower half <c>p^2 width</c>. Not tuned on a quiet machine.
    /// </summary>
    public const double Threshold = 2e6;

    /// <summary>Columns a half has at least, a multiple of the vector kernels' width.</summary>
    private const int ColumnAlignment = 16;

    /// <summary>
    /// Runs <paramref name="solve"/> in place on the <paramref name="order"/> rows of <paramref name="rows"/>, <paramref name="width"/>
    /// values each, on two cores when its <paramref name="flops"/> reach <see cref="Threshold"/> (the second half on
    /// <paramref name="worker"/>'s thread, or on the thread pool where there is none).
    /// </summary>
    public static void Solve(RowsSolve solve, int order, Memory<double> rows, int width, double flops, TwoCoreWorker? worker = null)
    {
        if (rows.Length != order * width)
        {
            throw new ArgumentException($"rows has {rows.Length} values; expected {order} rows of {width}.", nameof(rows));
        }

        int half = FirstHalfColumns(width, flops);
        if (half == 0)
        {
            solve(rows.Span, width);
            return;
        }

        double[] scratch = ArrayPool<double>.Shared.Rent(order * width);
        try
        {
            Memory<double> left = scratch.AsMemory(0, order * half);
            Memory<double> right = scratch.AsMemory(order * half, order * (width - half));
            TwoCoreWorker.Fork(worker,
                () => SolveColumns(solve, order, rows, width, 0, half, left),
                () => SolveColumns(solve, order, rows, width, half, width - half, right));
        }
        finally
        {
            ArrayPool<double>.Shared.Return(scratch);
        }
    }

    /// <summary>
    /// The columns of the first half <see cref="Solve"/> cuts <paramref name="width"/> columns into for a solve of
    /// <paramref name="flops"/> (the second has the rest); 0 where it solves them on one core.
    /// </summary>
    public static int FirstHalfColumns(int width, double flops) => Forks(flops, width) ? Half(width) : 0;

    /// <summary>
    /// Whether <see cref="Solve"/> forks for a solve of <paramref name="flops"/> over <paramref name="width"/> columns (a caller that
    /// wakes the worker ahead of the fork asks first, so that a solve on one core wakes nothing).
    /// </summary>
    public static bool Forks(double flops, int width) => flops >= Threshold && Environment.ProcessorCount >= 2 && Half(width) > 0;

    /// <summary>The columns of the first half: half of <paramref name="width"/>, rounded down to whole <see cref="ColumnAlignment"/>.</summary>
    private static int Half(int width) => width / 2 / ColumnAlignment * ColumnAlignment;

    /// <summary>Columns <paramref name="first"/> to <c>first + count</c> of <paramref name="rows"/>, solved in <paramref name="block"/>.</summary>
    internal static void SolveColumns(RowsSolve solve, int order, Memory<double> rows, int width, int first, int count, Memory<double> block)
    {
        Span<double> all = rows.Span;
        Span<double> columns = block.Span;
        for (int i = 0; i < order; i++)
        {
            all.Slice((i * width) + first, count).CopyTo(columns.Slice(i * count, count));
        }

        solve(columns, count);
        for (int i = 0; i < order; i++)
        {
            columns.Slice(i * count, count).CopyTo(all.Slice((i * width) + first, count));
        }
    }
}
