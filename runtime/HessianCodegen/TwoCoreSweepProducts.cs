using System;
using System.Diagnostics;
using System.Numerics;
using System.Runtime.ExceptionServices;
using System.Threading;
using HessianCodegen.LinearAlgebra;

namespace HessianCodegen;

/// <summary>
/// A solve's products with a layer's gain <c>Y = W^-1 C</c> (<c>p x m_in</c>, two thirds of the bytes a sweep reads) on two
/// cores, the caller's thread and a <see cref="TwoCoreWorker"/>'s, each also prefetching its part of the next layer's
/// <c>Y</c>: once a deep solve's factors leave the L3 cache, one core's outstanding misses cap the rate it reads them from
/// memory, and the second core's double it. Backward, <c>v -= Y^T u</c> by columns of <c>Y</c> (each core its entries of
/// <c>v</c>, over every row); forward, <c>x += Y y</c> by rows (each core its entries of <c>x</c>). Each entry is summed as
/// <see cref="MatrixVectorKernels"/> sums it on one core, so the result is the same to the bit (<see cref="Splits"/>).
/// </summary>
/// <remarks>
/// A product takes 2 to 5 us a core; a fork through <see cref="TwoCoreWorker.Invoke"/> (its events spin, back off, and
/// yield) cost about 8 us each at best, and the second core lost more than it gained. So for the whole solve the worker's
/// thread polls for the products' second halves (<see cref="Start"/> to <see cref="Stop"/>, one object per solve), and a
/// half is taken by whichever core claims it first: the caller, done with its own half, runs the second itself where the
/// worker has not claimed it (a worker not scheduled, on a busy machine, costs the caller its half's time, not a time slice).
/// Each entry is computed by the same operations whichever core runs it. Measured at width 8, batch 8 on the shared 2-core
/// machine (load 8 to 12 from other jobs): slower at every depth (depth 512: 23 to 26 us per layer against 11 to 12 on one
/// core in --depth-scaling; least of 100 in-process solves 19 to 20 against 10 to 11): the worker claimed halves it
/// then finished late, and ending its poll waited for its thread to be scheduled (5 ms a solve at depth 128).
/// </remarks>
internal sealed class TwoCoreSweepProducts
{
    private readonly TwoCoreWorker worker;
    private readonly Action poll;
    private int posted;
    private int claimed;
    private int done;
    private bool stopping;
    private ExceptionDispatchInfo? failure;
    private int failedJob;
    private double[] secondTarget = [];
    private ReadOnlyMemory<double> gain;
    private int rows;
    private int columns;
    private double[] vector = [];
    private double[] target = [];
    private bool backward;
    private ReadOnlyMemory<double> nextGain;
    private int nextRows;
    private int nextColumns;

    /// <summary>Forks through <paramref name="worker"/>, which the caller owns for the solve.</summary>
    public TwoCoreSweepProducts(TwoCoreWorker worker)
    {
        this.worker = worker;
        poll = Poll;
    }

    /// <summary>The second halves the worker's thread ran (the others the caller ran itself; for tests).</summary>
    public int WorkerHalves { get; private set; }

    /// <summary>Starts the worker's thread polling for second halves, until <see cref="Stop"/>.</summary>
    public void Start() => worker.Begin(poll);

    /// <summary>Ends the worker's polling and waits for it.</summary>
    public void Stop()
    {
        Volatile.Write(ref stopping, true);
        worker.End();
    }

    /// <summary>
    /// Whether a gain of <paramref name="columns"/> columns (<c>m_in</c>) goes to two cores: rows longer than
    /// <see cref="MatrixVectorKernels.FourRowColumns"/>, which the one-core kernels take one after another
    /// (<see cref="VectorKernels.Axpy"/>, <see cref="VectorKernels.Dot"/>), each entry its own chain; shorter rows go four per
    /// pass there, and are too few bytes to share (a batch-1 gain).
    /// </summary>
    public static bool Splits(int columns) => columns > MatrixVectorKernels.FourRowColumns;

    /// <summary>
    /// <c>v -= Y^T u</c>, <c>Y</c> <paramref name="gainRows"/> x <paramref name="gainColumns"/> row-major: the caller's core
    /// the first half of <c>v</c>'s entries (a multiple of the vectors' width), the worker's the rest; each prefetches its
    /// columns of <paramref name="following"/> (the next layer's <c>Y</c>, <paramref name="followingRows"/> x
    /// <paramref name="followingColumns"/>; empty for none).
    /// </summary>
    public void SubtractTransposeProduct(ReadOnlyMemory<double> y, int gainRows, int gainColumns, double[] u, double[] v,
        ReadOnlyMemory<double> following, int followingRows, int followingColumns)
    {
        Set(backward: true, y, gainRows, gainColumns, u, v, following, followingRows, followingColumns);
        Fork();
    }

    /// <summary>
    /// <c>x += Y y</c>, <c>Y</c> <paramref name="gainRows"/> x <paramref name="gainColumns"/> row-major: the caller's core the
    /// first half of <c>x</c>'s entries (a multiple of <see cref="MatrixVectorKernels.RowsPerPass"/>), the worker's the rest;
    /// each prefetches its rows of <paramref name="following"/> (the next layer's <c>Y</c>; empty for none).
    /// </summary>
    public void MultiplyAdd(ReadOnlyMemory<double> y, int gainRows, int gainColumns, double[] state, double[] x,
        ReadOnlyMemory<double> following, int followingRows, int followingColumns)
    {
        Set(backward: false, y, gainRows, gainColumns, state, x, following, followingRows, followingColumns);
        Fork();
    }

    /// <summary>The columns of a backward half: the first from 0, a multiple of the vectors' width, to the second's start.</summary>
    internal static (int First, int Count) ColumnHalf(int columns, bool second)
    {
        int split = columns / 2 / Vector<double>.Count * Vector<double>.Count;
        return second ? (split, columns - split) : (0, split);
    }

    /// <summary>The rows of a forward half: the first from 0, a multiple of <see cref="MatrixVectorKernels.RowsPerPass"/>, to the second's start.</summary>
    internal static (int First, int Count) RowHalf(int rows, bool second)
    {
        int split = rows / 2 / MatrixVectorKernels.RowsPerPass * MatrixVectorKernels.RowsPerPass;
        return second ? (split, rows - split) : (0, split);
    }

    /// <summary>
    /// Posts the product's second half, runs the first, then the second too where the worker has not claimed it; else waits
    /// for the worker a quarter of the first half's time (it is a few microseconds of work) and, where it is not done by
    /// then (descheduled, on a busy machine), runs it itself: the worker's late result lands in its own array, never read.
    /// </summary>
    private void Fork()
    {
        (int first, int count) = SecondHalf();
        int job = posted + 1;
        Volatile.Write(ref posted, job); // after the fields Set wrote: the worker reads them once it sees the job
        long started = Stopwatch.GetTimestamp();
        RunHalf(second: false, FirstHalfOutput());
        if (Interlocked.CompareExchange(ref claimed, job, job - 1) != job - 1)
        {
            long now = Stopwatch.GetTimestamp();
            long deadline = now + Math.Max((now - started) / 4, Stopwatch.Frequency / 1_000_000);
            while (Volatile.Read(ref done) != job && Stopwatch.GetTimestamp() < deadline)
            {
                Thread.SpinWait(1);
            }

            if (Volatile.Read(ref done) == job)
            {
                WorkerHalves++;
                if (failure is not null && failedJob == job)
                {
                    failure.Throw();
                }

                secondTarget.AsSpan(0, count).CopyTo(target.AsSpan(first, count));
                return;
            }
        }

        RunHalf(second: true, target.AsSpan(first, count));
    }

    /// <summary>
    /// The worker's loop: claims each posted job the caller has not, runs its second half into an array of its own (the
    /// cache line that holds entries of both halves went from core to core at every row when both wrote in place), and says
    /// it is done. The job's fields are stable until then unless the caller gave up on it; then whatever it computes, or
    /// throws, is not read.
    /// </summary>
    private void Poll()
    {
        int seen = 0;
        while (!Volatile.Read(ref stopping))
        {
            int job = Volatile.Read(ref posted);
            if (job == seen)
            {
                Thread.SpinWait(1);
                continue;
            }

            seen = job;
            if (Interlocked.CompareExchange(ref claimed, job, job - 1) != job - 1)
            {
                continue;
            }

            try
            {
                (int first, int count) = SecondHalf();
                if (secondTarget.Length < count)
                {
                    secondTarget = new double[count];
                }

                target.AsSpan(first, count).CopyTo(secondTarget);
                RunHalf(second: true, secondTarget.AsSpan(0, count));
            }
            catch (Exception e)
            {
                (failure, failedJob) = (ExceptionDispatchInfo.Capture(e), job);
            }

            Volatile.Write(ref done, job);
        }
    }

    private (int First, int Count) SecondHalf() => backward ? ColumnHalf(columns, second: true) : RowHalf(rows, second: true);

    private Span<double> FirstHalfOutput()
    {
        (int first, int count) = backward ? ColumnHalf(columns, second: false) : RowHalf(rows, second: false);
        return target.AsSpan(first, count);
    }

    private void Set(bool backward, ReadOnlyMemory<double> y, int gainRows, int gainColumns, double[] input, double[] output,
        ReadOnlyMemory<double> following, int followingRows, int followingColumns)
    {
        if (!Splits(gainColumns) || y.Length != gainRows * gainColumns)
        {
            throw new ArgumentException($"The gain has {y.Length} values for {gainRows} x {gainColumns}; expected that many and more than {MatrixVectorKernels.FourRowColumns} columns.", nameof(y));
        }

        this.backward = backward;
        gain = y;
        rows = gainRows;
        columns = gainColumns;
        vector = input;
        target = output;
        nextGain = following;
        nextRows = followingRows;
        nextColumns = followingColumns;
    }

    /// <summary>A half of the product into <paramref name="output"/>, its entries of the target (or a copy of them).</summary>
    private void RunHalf(bool second, Span<double> output)
    {
        ReadOnlySpan<double> y = gain.Span;
        int chunk = RiccatiFactorization.PrefetchRows;
        if (backward)
        {
            // Every row, this half's columns; the next layer's Y prefetched by the same split of its columns (all of it by
            // the caller where it does not split).
            (int first, int count) = ColumnHalf(columns, second);
            RowBlockPrefetch prefetch = Following(second, rowSplit: false, Steps(rows, chunk));
            Span<double> v = output;
            for (int r = 0; r < rows; r += chunk)
            {
                prefetch.Step();
                int end = Math.Min(r + chunk, rows);
                for (int i = r; i < end; i++)
                {
                    // As MatrixVectorKernels.TransposeMultiplyAdd(-1, ...) takes a long row: alpha x_i, then one Axpy.
                    VectorKernels.Axpy(-1 * vector[i], y.Slice((i * columns) + first, count), v);
                }
            }

            prefetch.Finish();
        }
        else
        {
            (int first, int count) = RowHalf(rows, second);
            RowBlockPrefetch prefetch = Following(second, rowSplit: true, Steps(count, chunk));
            ReadOnlySpan<double> state = vector.AsSpan(0, columns);
            Span<double> x = output;
            for (int r = 0; r < count; r += chunk)
            {
                prefetch.Step();
                int n = Math.Min(chunk, count - r);
                MatrixVectorKernels.MultiplyAdd(y.Slice((first + r) * columns, n * columns), n, columns, state, x.Slice(r, n));
            }

            prefetch.Finish();
        }
    }

    /// <summary>This half's part of the next layer's <c>Y</c>: its rows (forward) or columns (backward) by the same split.</summary>
    private RowBlockPrefetch Following(bool second, bool rowSplit, int steps)
    {
        if (nextGain.IsEmpty)
        {
            return new RowBlockPrefetch(ReadOnlyMemory<double>.Empty, 1, 0, 0, 0, 0, steps);
        }

        if (rowSplit)
        {
            (int first, int count) = RowHalf(nextRows, second);
            return new RowBlockPrefetch(nextGain, nextColumns, first, count, 0, nextColumns, steps);
        }

        (int firstColumn, int columnCount) = Splits(nextColumns) ? ColumnHalf(nextColumns, second) : (0, second ? 0 : nextColumns);
        return new RowBlockPrefetch(nextGain, nextColumns, 0, nextRows, firstColumn, columnCount, steps);
    }

    private static int Steps(int count, int chunk) => Math.Max(1, (count + chunk - 1) / chunk);
}
