using System;
using System.Diagnostics;

namespace Benchmarks;

/// <summary>
/// Runs an action a few times and reports the median wall time: the machine is shared and noisy,
/// and the median ignores the occasional slow run that a mean would absorb.
/// </summary>
internal static class MedianTimer
{
    /// <summary>
    /// Median milliseconds of up to <paramref name="repeats"/> runs after a warm-up run (which compiles
    /// the code); stops early once the runs add up to <paramref name="budgetSeconds"/>. A warm-up that
    /// alone exceeds the budget is the single timing: compiling is negligible next to such a run.
    /// </summary>
    public static Timing Measure(Action action, int repeats, double budgetSeconds)
    {
        long warmUpStart = Stopwatch.GetTimestamp();
        action();
        double warmUp = Stopwatch.GetElapsedTime(warmUpStart).TotalMilliseconds;
        if (warmUp >= budgetSeconds * 1000.0)
        {
            return new Timing(warmUp, 1);
        }

        var times = new double[repeats];
        int runs = 0;
        double total = 0;
        while (runs < repeats && (runs == 0 || total < budgetSeconds * 1000.0))
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
