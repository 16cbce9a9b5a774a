using System;
using System.Buffers;
using System.Numerics;
using HessianCodegen.LinearAlgebra;
using Simd = System.Numerics.Vector;

namespace HessianCodegen;

/// <summary>
/// A layer's <c>Dx</c> (<c>m x p</c>) as the solve reads it when it is mostly zero: its non-zeros by rows
/// (compressed sparse rows) in the factorization's <see cref="FactorStorage"/>. A dense layer's row of
/// <c>Dx</c> (one output of one example) is non-zero only at the parameters of that output, so a solve, which
/// reads <c>Dx</c> twice per right-hand side and per layer (<c>Dx^T v</c> backwards, <c>Dx x</c> forwards), reads
/// about <c>1 / a</c> of it: at depth 512 the layers' factors no longer fit in cache and those reads are the solve's time.
/// </summary>
internal readonly struct CompressedJacobian
{
    private readonly ReadOnlyMemory<double> values;
    private readonly ReadOnlyMemory<int> columns;
    private readonly ReadOnlyMemory<int> rowStarts;

    private CompressedJacobian(ReadOnlyMemory<double> values, ReadOnlyMemory<int> columns, ReadOnlyMemory<int> rowStarts)
    {
        this.values = values;
        this.columns = columns;
        this.rowStarts = rowStarts;
    }

    /// <summary>False for the default value: <c>Dx</c> was not compressed, and the solve reads it dense.</summary>
    public bool IsCompressed => !rowStarts.IsEmpty;

    /// <summary>The bytes the values, their columns and the row starts take.</summary>
    public long StoredBytes => ((long)values.Length * sizeof(double)) + (((long)columns.Length + rowStarts.Length) * sizeof(int));

    /// <summary>
    /// Compresses <paramref name="dense"/> (<paramref name="rows"/> x <paramref name="columnCount"/>, row-major) into
    /// <paramref name="storage"/> (null: arrays of their own, of the exact lengths) when at most a quarter of it is non-zero
    /// (else the default value; see <see cref="WorthCompressing"/>).
    /// </summary>
    public static CompressedJacobian Compress(ReadOnlySpan<double> dense, int rows, int columnCount, FactorStorage? storage)
    {
        CheckShape(dense, rows, columnCount);

        int nonZeros = CountNonZeros(dense);
        if (!WorthCompressing(rows, nonZeros, dense.Length))
        {
            return default;
        }

        (Memory<double> valueStorage, Memory<int> columnStorage, Memory<int> startStorage) = Take(storage, nonZeros, rows);
        Span<double> values = valueStorage.Span;
        Span<int> columns = columnStorage.Span;
        Span<int> starts = startStorage.Span;
        // A dense layer's row is zero but for one unit's parameters: whole vectors of zeros are skipped at one compare each.
        int width = Vector<double>.Count;
        int k = 0;
        for (int r = 0; r < rows; r++)
        {
            starts[r] = k;
            ReadOnlySpan<double> row = dense.Slice(r * columnCount, columnCount);
            int j = 0;
            for (; j + width <= columnCount; j += width)
            {
                if (Simd.EqualsAll(new Vector<double>(row[j..]), Vector<double>.Zero))
                {
                    continue;
                }

                for (int i = j; i < j + width; i++)
                {
                    if (row[i] != 0)
                    {
                        values[k] = row[i];
                        columns[k] = i;
                        k++;
                    }
                }
            }

            for (; j < columnCount; j++)
            {
                if (row[j] != 0)
                {
                    values[k] = row[j];
                    columns[k] = j;
                    k++;
                }
            }
        }

        starts[rows] = k;
        return new CompressedJacobian(valueStorage, columnStorage, startStorage);
    }

    /// <summary>
    /// <see cref="Compress(ReadOnlySpan{double}, int, int, FactorStorage)"/> of a <c>Dx</c> whose groups are known: each
    /// non-zero row lies in one group's parameters (<see cref="ParameterGroups"/>), so a row is read at those alone (a dense
    /// layer's row at its unit's <c>a_in + 1</c> parameters, not at all <c>p</c>), twice (to count, then to copy). The result
    /// is the same: the groups' parameters ascend, and zeros among them are skipped.
    /// </summary>
    public static CompressedJacobian Compress(ReadOnlySpan<double> dense, int rows, int columnCount, ParameterGroups groups, FactorStorage? storage)
    {
        CheckShape(dense, rows, columnCount);

        // The group of each row, -1 for a row of zeros (in no group): on the stack for a small state (batch 1, once per layer), else rented.
        int[]? rented = rows <= StackScratch.MaxRows ? null : ArrayPool<int>.Shared.Rent(rows);
        Span<int> rowGroups = rented is null ? stackalloc int[rows] : rented.AsSpan(0, rows);
        try
        {
            rowGroups.Fill(-1);
            int nonZeros = 0;
            for (int g = 0; g < groups.Rows.Length; g++)
            {
                int[] parameters = groups.Parameters[g];
                foreach (int r in groups.Rows[g])
                {
                    rowGroups[r] = g;
                    ReadOnlySpan<double> row = dense.Slice(r * columnCount, columnCount);
                    foreach (int j in parameters)
                    {
                        nonZeros += row[j] != 0 ? 1 : 0;
                    }
                }
            }

            if (!WorthCompressing(rows, nonZeros, dense.Length))
            {
                return default;
            }

            (Memory<double> valueStorage, Memory<int> columnStorage, Memory<int> startStorage) = Take(storage, nonZeros, rows);
            Span<double> values = valueStorage.Span;
            Span<int> columns = columnStorage.Span;
            Span<int> starts = startStorage.Span;
            int k = 0;
            for (int r = 0; r < rows; r++)
            {
                starts[r] = k;
                if (rowGroups[r] < 0)
                {
                    continue;
                }

                ReadOnlySpan<double> row = dense.Slice(r * columnCount, columnCount);
                foreach (int j in groups.Parameters[rowGroups[r]])
                {
                    if (row[j] != 0)
                    {
                        values[k] = row[j];
                        columns[k] = j;
                        k++;
                    }
                }
            }

            starts[rows] = k;
            return new CompressedJacobian(valueStorage, columnStorage, startStorage);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<int>.Shared.Return(rented);
            }
        }
    }

    private static void CheckShape(ReadOnlySpan<double> dense, int rows, int columnCount)
    {
        if (dense.Length != rows * columnCount)
        {
            throw new ArgumentException($"Dx has {dense.Length} values; expected {rows} x {columnCount}.", nameof(dense));
        }
    }

    /// <summary>
    /// Whether <paramref name="nonZeros"/> of <paramref name="length"/> values are few enough to store by rows: at most a
    /// quarter (reading the index of each value too, a denser matrix would cost more than it saves).
    /// </summary>
    private static bool WorthCompressing(int rows, int nonZeros, int length) => rows > 0 && 4L * nonZeros <= length;

    /// <summary>The values, their columns and the row starts of a compressed matrix, from <paramref name="storage"/> or, where it is null, new arrays.</summary>
    private static (Memory<double> Values, Memory<int> Columns, Memory<int> RowStarts) Take(FactorStorage? storage, int nonZeros, int rows) =>
        storage is null
            ? (new double[nonZeros], new int[nonZeros], new int[rows + 1])
            : (storage.Take(nonZeros), storage.TakeIndices(nonZeros), storage.TakeIndices(rows + 1));

    /// <summary>The non-zeros of <paramref name="dense"/>, a vector of them compared at once.</summary>
    private static int CountNonZeros(ReadOnlySpan<double> dense)
    {
        int width = Vector<double>.Count;
        int zeros = 0;
        int i = 0;
        for (; i + width <= dense.Length; i += width)
        {
            // Equals gives all bits set (-1 as a long) where an entry is 0 (or -0).
            zeros -= (int)Simd.Sum(Simd.Equals(new Vector<double>(dense[i..]), Vector<double>.Zero));
        }

        for (; i < dense.Length; i++)
        {
            zeros += dense[i] == 0 ? 1 : 0;
        }

        return dense.Length - zeros;
    }

    /// <summary>Names to <paramref name="queue"/> what a solve reads of it: the values, their columns and the row starts (nothing for the default value).</summary>
    public void QueueStoredSpans(ref PrefetchQueue queue)
    {
        queue.Add(values.Span);
        queue.Add(columns.Span);
        queue.Add(rowStarts.Span);
    }

    /// <summary><c>target -= Dx^T v</c>, row by row of <c>Dx</c>; a zero of <paramref name="v"/> skips its row.</summary>
    public void SubtractTransposeProduct(ReadOnlySpan<double> v, Span<double> target)
    {
        ReadOnlySpan<double> values = this.values.Span;
        ReadOnlySpan<int> columns = this.columns.Span;
        ReadOnlySpan<int> starts = rowStarts.Span;
        for (int r = 0; r < v.Length; r++)
        {
            double weight = v[r];
            if (weight == 0)
            {
                continue;
            }

            for (int k = starts[r]; k < starts[r + 1]; k++)
            {
                target[columns[k]] -= weight * values[k];
            }
        }
    }

    /// <summary>Row <paramref name="row"/> of <c>Dx</c> times <paramref name="x"/>.</summary>
    public double RowProduct(int row, ReadOnlySpan<double> x)
    {
        ReadOnlySpan<double> values = this.values.Span;
        ReadOnlySpan<int> columns = this.columns.Span;
        ReadOnlySpan<int> starts = rowStarts.Span;
        double sum = 0;
        for (int k = starts[row]; k < starts[row + 1]; k++)
        {
            sum += values[k] * x[columns[k]];
        }

        return sum;
    }
}
