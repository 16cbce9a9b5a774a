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

    /// <summary>
    /// Median milliseconds of at least <paramref name="repeats"/> runs after a warm-up run (which
    /// compiles the code), more for short actions; stops early once the runs add up to
    /// <paramref name="budgetSeconds"/>. A warm-up that alone exceeds the budget is the single
    /// timing: compiling is negligible next to such a run.
    /// </summary>
    public static Timing Measure(Action action, int repeats, double budgetSeconds)
    {
        // Garbage left by the previous measurement must not be collected during this one.
        GC.Collect();
        GC.WaitForPendingFinalizers();

        long warmUpStart = Stopwatch.GetTimestamp();
        action();
        double warmUp = Stopwatch.GetElapsedTime(warmUpStart).TotalMilliseconds;
        double budget = budgetSeconds * 1000.0;
        if (warmUp >= budget)
        {
            return new Timing(warmUp, 1);
        }

        var times = new double[Math.Max(repeats, MaxRuns)];
        int runs = 0;
        double total = 0;
        while (runs < times.Length
               && (runs == 0 || total < budget)
               && (runs < repeats || total < MinimumMilliseconds))
        {
            long start = Stopwatch.GetTimestamp();
            action();
            times[runs] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            total += times[runs];
            runs++;
        }

        Array.Sort(times, 0, runs);
        double median = runs % 2 == 1 ? times[runs / 2] : 0.5 * (times[(runs / 2) - 1] + times[runs / 2]);
        return new Timing(median, runs);
    }
}

/// <summary>A median wall time in milliseconds and the number of runs it was taken over.</summary>
internal readonly record struct Timing(double Milliseconds, int Runs);
