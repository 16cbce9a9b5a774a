using System;
using System.Diagnostics;

namespace Benchmarks;

/// <summary>
/// Runs an action several times and reports the median wall time: the machine is shared and noisy,
/// and the median ignores the occasional slow run that a mean would absorb.
/// </summary>
internal static class MedianTimer
{
    // Short actions run until they have taken this long (up to MaxRuns), for a steadier median.
    private const double MinimumMilliseconds = 250;
    private const int MaxRuns = 1000;

    // An action that allocates at least this much gets a full collection (untimed) before each run.
    private const long LargeAllocationBytes = 64L << 20;

    /// <summary>
    /// Median milliseconds of at least <paramref name="repeats"/> runs after a warm-up run (which
    /// compiles the code and first touches the memory), more for short actions; stops early once the
    /// runs add up to <paramref name="budgetSeconds"/>, but always times one run after the warm-up.
    /// </summary>
    /// <remarks>
    /// An action that allocates a lot (a deep factorization: gigabytes) is timed from a collected
    /// heap. Otherwise the previous run's dropped result is usually still uncollected (a large
    /// object heap budget grows with the live data) and each run gets fresh pages from the OS. On
    /// the benchmark VM their first touch is kernel time, more per page the larger the footprint:
    /// most of a depth-512 factorization's time, not the factorization. After a collection the
    /// garbage collector hands the already mapped memory back, as it does in a long Newton loop.
    /// For the same reason the warm-up, which touches fresh memory, is never the timing.
    /// </remarks>
    public static Timing Measure(Action action, int repeats, double budgetSeconds)
    {
        // Garbage left by the previous measurement must not be collected during this one.
        GC.Collect();
        GC.WaitForPendingFinalizers();

        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        action();
        bool collectBeforeEachRun = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore >= LargeAllocationBytes;
        double budget = budgetSeconds * 1000.0;
        var times = new double[Math.Max(repeats, MaxRuns)];
        var cpuTimes = new double[times.Length];
        int runs = 0;
        double total = 0;
        while (runs < times.Length
               && (runs == 0 || total < budget)
               && (runs < repeats || total < MinimumMilliseconds))
        {
            if (collectBeforeEachRun)
            {
                GC.Collect();
            }

            double cpuStart = CpuClock.Milliseconds();
            long start = Stopwatch.GetTimestamp();
            action();
            times[runs] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            cpuTimes[runs] = CpuClock.Milliseconds() - cpuStart;
            total += times[runs];
            runs++;
        }

        return new Timing(Median(times, runs), runs, Median(cpuTimes, runs));
    }

    private static double Median(double[] values, int count)
    {
        Array.Sort(values, 0, count);
        return count % 2 == 1 ? values[count / 2] : 0.5 * (values[(count / 2) - 1] + values[count / 2]);
    }
}

/// <summary>
/// A median wall time in milliseconds, the number of runs it was taken over, and the median CPU time of
/// the process over the same runs: on a loaded machine the wall time includes waiting for a core,
/// the CPU time does not (it includes the second core of a parallel <c>Gemm</c>, and a background collection).
/// </summary>
internal readonly record struct Timing(double Milliseconds, int Runs, double CpuMilliseconds = double.NaN);
