using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Runtime.InteropServices;
using HessianCodegen;

namespace Benchmarks;

/// <summary>
/// Issue 7's "linear in depth" target, layer by layer: the factorization's and one solve's time per layer of tanh
/// chains over depths, what a factorization allocates and the collector's pauses in it, the bytes a solve reads per
/// layer (factors and derivatives), the rate it reads them at, and the rate of a plain streaming read of as many bytes
/// (one array, summed) in the same run: where the stream slows with depth too, the bend is the memory's, not the solve's.
/// </summary>
internal static class DepthScalingReport
{
    /// <summary>The depths when none are given.</summary>
    public static readonly int[] DefaultDepths = [64, 128, 256, 512, 1024];

    public static void Run(BenchmarkOptions options, TextWriter output)
    {
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Depth scaling: depth - 1 TanhLayer(width, width), SoftmaxCrossEntropyLayer(width, 4); eps {options.Epsilon}; medians of {options.Repeats} runs or more"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{"width",5} {"batch",5} {"depth",5} | {"factor ms",9} {"us/layer",8} {"cpu",6} {"MB",5} {"GC ms",6} | {"solve ms",8} {"us/layer",8} {"cpu",6} {"KB/layer",8} {"GB/s",5} {"stream",6} {"ratio",5}"));
        foreach (int width in options.Widths)
        {
            foreach (int batchSize in options.Batches)
            {
                var rows = new Dictionary<int, (Timing Factor, Timing Solve, Timing Stream)>();
                foreach (int depth in options.Depths)
                {
                    rows[depth] = Row(width, batchSize, depth, options, output);
                }

                if (rows.TryGetValue(128, out var shallow) && rows.TryGetValue(512, out var deep))
                {
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"depth 512 / depth 128, width {width}, batch {batchSize}: factorization {deep.Factor.Milliseconds / shallow.Factor.Milliseconds:0.00} (cpu {deep.Factor.CpuMilliseconds / shallow.Factor.CpuMilliseconds:0.00})  " +
                        $"solve {deep.Solve.Milliseconds / shallow.Solve.Milliseconds:0.00} (cpu {deep.Solve.CpuMilliseconds / shallow.Solve.CpuMilliseconds:0.00})  " +
                        $"streaming read of the solve's bytes {deep.Stream.Milliseconds / shallow.Stream.Milliseconds:0.00} (linear: 4.00)"));
                }
            }
        }

        output.WriteLine("us/layer, KB/layer: the median total / (depth - 1) (wall, cpu: the process's cpu time); MB: what a repeated factorization allocates;");
        output.WriteLine("GC ms: the collector's pauses inside each factorization, averaged over all runs (the timer's own collections between runs excluded); KB/layer: what one solve reads");
        output.WriteLine("(Y = W^-1 C, Dx, Dz and the pivot block's factors, twice: once per sweep); GB/s: those bytes over the solve's time; stream: GB/s of one");
        output.WriteLine("array of as many bytes summed, timed in the same run; ratio: solve / stream rate");
    }

    private static (Timing Factor, Timing Solve, Timing Stream) Row(int width, int batchSize, int depth, BenchmarkOptions options, TextWriter output)
    {
        Network network = ChainBenchmark.Chain(width, depth);
        NetworkPoint point = network.At(network.RandomParameters(seed: depth), ChainBenchmark.RandomBatch(width, batchSize, seed: width));
        double[] gradient = point.Gradient();
        var solution = new double[gradient.Length];
        HessianDerivatives derivatives = point.Derivatives();

        // A factorization after one disposed, as the timed runs are: its storage comes from the pool.
        derivatives.Factorize(options.Epsilon).Dispose();
        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        using HessianFactorization factorization = derivatives.Factorize(options.Epsilon);
        double megabytes = (GC.GetAllocatedBytesForCurrentThread() - allocatedBefore) / 1e6;
        RiccatiFactorization recursion = factorization.RiccatiFactors
            ?? throw new InvalidOperationException($"width {width} batch {batchSize} depth {depth} fell back to the banded LU");

        // The pauses inside each factorization only: MedianTimer's own collections between runs are not the factorization's.
        TimeSpan paused = TimeSpan.Zero;
        int factorizations = 0;
        Timing factorTime = MedianTimer.Measure(
            () =>
            {
                TimeSpan before = GC.GetTotalPauseDuration();
                derivatives.Factorize(options.Epsilon).Dispose();
                paused += GC.GetTotalPauseDuration() - before;
                factorizations++;
            },
            options.Repeats,
            options.BudgetSeconds);
        double pauseMilliseconds = paused.TotalMilliseconds / factorizations;
        Timing solveTime = MedianTimer.Measure(() => factorization.Solve(gradient, solution), options.Repeats, options.BudgetSeconds);

        long bytes = 0;
        foreach (long layerBytes in recursion.SolveBytesPerLayer())
        {
            bytes += layerBytes;
        }

        var stream = new long[bytes / sizeof(long)];
        new Random(depth).NextBytes(MemoryMarshal.AsBytes(stream.AsSpan()));
        long sink = 0;
        Timing streamTime = MedianTimer.Measure(() => sink += Sum(stream), options.Repeats, options.BudgetSeconds);
        GC.KeepAlive(sink);

        double solveRate = bytes / (solveTime.Milliseconds * 1e6);
        double streamRate = bytes / (streamTime.Milliseconds * 1e6);
        double perLayer = 1000.0 / (depth - 1);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{width,5} {batchSize,5} {depth,5} | {factorTime.Milliseconds,9:0.000} {factorTime.Milliseconds * perLayer,8:0.00} {factorTime.CpuMilliseconds * perLayer,6:0.00} {megabytes,5:0.0} {pauseMilliseconds,6:0.00} | " +
            $"{solveTime.Milliseconds,8:0.000} {solveTime.Milliseconds * perLayer,8:0.00} {solveTime.CpuMilliseconds * perLayer,6:0.00} {bytes / 1024.0 / (depth - 1),8:0.0} {solveRate,5:0.0} {streamRate,6:0.0} {solveRate / streamRate,5:0.00}"));
        return (factorTime, solveTime, streamTime);
    }

    /// <summary>A plain streaming read: the values summed as integers, four vectors at a time.</summary>
    private static long Sum(long[] values)
    {
        ReadOnlySpan<System.Numerics.Vector<long>> vectors = MemoryMarshal.Cast<long, System.Numerics.Vector<long>>(values);
        System.Numerics.Vector<long> s0 = default, s1 = default, s2 = default, s3 = default;
        int i = 0;
        for (; i + 4 <= vectors.Length; i += 4)
        {
            s0 += vectors[i];
            s1 += vectors[i + 1];
            s2 += vectors[i + 2];
            s3 += vectors[i + 3];
        }

        for (; i < vectors.Length; i++)
        {
            s0 += vectors[i];
        }

        return System.Numerics.Vector.Sum(s0 + s1 + s2 + s3);
    }
}
