using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;

namespace QuickStart;

/// <summary>Times each step (the median of a few runs) and prints them in the order they ran.</summary>
internal sealed class StepTimings
{
    private readonly List<(string Step, double Milliseconds)> _steps = [];

    /// <summary>
    /// Runs <paramref name="action"/> <paramref name="repeats"/> times and keeps the last result. Earlier results that are
    /// disposable (derivatives, factorizations) are disposed, as a caller that repeats a step does, so that the next run
    /// reuses their storage instead of touching fresh memory.
    /// </summary>
    public T Measure<T>(string step, Func<T> action, int repeats = NewtonDirectionDemo.TimingRepeats)
    {
        var times = new double[repeats];
        T result = default!;
        for (int r = 0; r < repeats; r++)
        {
            (result as IDisposable)?.Dispose();
            long start = Stopwatch.GetTimestamp();
            result = action();
            times[r] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        Array.Sort(times);
        _steps.Add((step, times[repeats / 2]));
        return result;
    }

    public void WriteTo(TextWriter output)
    {
        foreach ((string step, double milliseconds) in _steps)
        {
            output.WriteLine(NewtonDirectionDemo.Row(step, milliseconds.ToString("0.000", CultureInfo.InvariantCulture) + " ms"));
        }
    }
}
