using System;
using System.Buffers;
using System.Threading.Tasks;

namespace HessianCodegen.LinearAlgebra;

/// <summary>
/// A solve with a pivot block's factors for many right-hand sides, on two cores: the columns are cut in two halves, each
/// copied into a contiguous block (the layout <see cref="IPivotBlockFactor.Solve"/> takes), solved side by side, and copied back.
/// </summary>
internal static class ColumnSplitSolve
{
    /// <summary>
    /// Flops of the solve (<c>2 p^2 width</c>) from which the second core is used: a few hundred microseconds of one core.
    /// Issue 7's chain: p = 72, 512 right-hand sides, 5.3e6 flops. Not tuned on a quiet machine.
    /// </summary>
    public const double Threshold = 2e6;

    /// <summary>Columns a half has at least, a multiple of the vector kernels' width.</summary>
    private const int ColumnAlignment = 16;

    /// <summary>Solves <c>A Z = B</c> in place for the <c>p</c> rows of <paramref name="rows"/>, <paramref name="width"/> values each.</summary>
    public static void Solve(IPivotBlockFactor factor, Memory<double> rows, int width)
    {
        int order = factor.Order;
        int half = width / 2 / ColumnAlignment * ColumnAlignment;
        if (2.0 * order * order * width < Threshold || Environment.ProcessorCount < 2 || half == 0)
        {
            factor.Solve(rows.Span, width);
            return;
        }

        if (rows.Length != order * width)
        {
            throw new ArgumentException($"rows has {rows.Length} values; expected {order} rows of {width}.", nameof(rows));
        }

        double[] scratch = ArrayPool<double>.Shared.Rent(order * width);
        try
        {
            Memory<double> left = scratch.AsMemory(0, order * half);
            Memory<double> right = scratch.AsMemory(order * half, order * (width - half));
            Parallel.Invoke(
                () => SolveColumns(factor, rows, width, 0, half, left),
                () => SolveColumns(factor, rows, width, half, width - half, right));
        }
        finally
        {
            ArrayPool<double>.Shared.Return(scratch);
        }
    }

    /// <summary>Columns <paramref name="first"/> to <c>first + count</c> of <paramref name="rows"/>, solved in <paramref name="block"/>.</summary>
    private static void SolveColumns(IPivotBlockFactor factor, Memory<double> rows, int width, int first, int count, Memory<double> block)
    {
        Span<double> all = rows.Span;
        Span<double> columns = block.Span;
        for (int i = 0; i < factor.Order; i++)
        {
            all.Slice((i * width) + first, count).CopyTo(columns.Slice(i * count, count));
        }

        factor.Solve(columns, count);
        for (int i = 0; i < factor.Order; i++)
        {
            columns.Slice(i * count, count).CopyTo(all.Slice((i * width) + first, count));
        }
    }
}
