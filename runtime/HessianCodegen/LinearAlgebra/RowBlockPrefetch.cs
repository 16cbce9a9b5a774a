using System;
using System.Runtime.Intrinsics.X86;

namespace HessianCodegen.LinearAlgebra;

/// <summary>
/// The cache lines of a block of a row-major matrix (some of its rows, some of its columns), brought toward the L2 cache
/// (<c>prefetcht1</c>) a few rows at a time, like <see cref="PrefetchQueue"/> does for whole spans: each core of a two-core
/// solve sweep names the part of the next layer's <c>Y</c> it will read, so that its own outstanding misses fetch it. A hint
/// only: it changes no value, and issues nothing where SSE is not supported. A plain struct (it holds memory, not a span), so
/// that a half of a fork can keep one.
/// </summary>
internal struct RowBlockPrefetch
{
    private readonly ReadOnlyMemory<double> matrix;
    private readonly int columns;
    private readonly int firstColumn;
    private readonly int columnCount;
    private readonly int endRow;
    private readonly int rowsPerStep;
    private int nextRow;

    /// <summary>
    /// Names rows <paramref name="firstRow"/> to <c>firstRow + rowCount</c>, columns <paramref name="firstColumn"/> to
    /// <c>firstColumn + columnCount</c>, of <paramref name="matrix"/> (<paramref name="columns"/> values a row), spread over
    /// <paramref name="steps"/> calls of <see cref="Step"/>. An empty block issues nothing.
    /// </summary>
    public RowBlockPrefetch(ReadOnlyMemory<double> matrix, int columns, int firstRow, int rowCount, int firstColumn, int columnCount, int steps)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(steps);
        if (rowCount > 0 && columnCount > 0 && (firstRow < 0 || firstColumn < 0 || firstColumn + columnCount > columns
            || (long)(firstRow + rowCount) * columns > matrix.Length))
        {
            throw new ArgumentException($"The block of rows {firstRow}+{rowCount}, columns {firstColumn}+{columnCount} does not lie in a matrix of {matrix.Length} values, {columns} a row.");
        }

        this.matrix = matrix;
        this.columns = columns;
        this.firstColumn = firstColumn;
        this.columnCount = columnCount;
        nextRow = firstRow;
        endRow = rowCount > 0 && columnCount > 0 ? firstRow + rowCount : firstRow;
        rowsPerStep = (Math.Max(rowCount, 0) + steps - 1) / steps;
    }

    /// <summary>The lines walked so far (issued as prefetches where SSE is supported; a line shared by two rows counts twice).</summary>
    public long IssuedLines { get; private set; }

    /// <summary>Issues the lines of the next rows, as many as the steps give each.</summary>
    public void Step() => Issue(rowsPerStep);

    /// <summary>Issues the lines of every row not issued yet.</summary>
    public void Finish() => Issue(int.MaxValue);

    private unsafe void Issue(int rows)
    {
        int stop = (int)Math.Min((long)nextRow + rows, endRow);
        if (nextRow >= stop)
        {
            return;
        }

        fixed (double* start = matrix.Span)
        {
            for (; nextRow < stop; nextRow++)
            {
                // From the line that holds the row's first value of the block to the line that holds its last.
                byte* first = (byte*)(start + ((long)nextRow * columns) + firstColumn);
                byte* line = (byte*)((nuint)first & ~(nuint)(PrefetchQueue.LineBytes - 1));
                byte* last = first + ((columnCount - 1) * sizeof(double));
                for (; line <= last; line += PrefetchQueue.LineBytes)
                {
                    if (Sse.IsSupported)
                    {
                        Sse.Prefetch1(line);
                    }

                    IssuedLines++;
                }
            }
        }
    }
}
