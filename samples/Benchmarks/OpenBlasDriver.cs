using System;
using System.Diagnostics;
using System.Globalization;

namespace Benchmarks;

/// <summary>
/// Runs the OpenBLAS timing driver (<c>lapack/lapack_rates.c</c>, built by <c>lapack/build.sh</c>) in its own
/// process, with one and with two OpenBLAS threads, and reads the median it prints. The driver is optional:
/// without it the comparisons with OpenBLAS are left out of the report.
/// </summary>
internal sealed class OpenBlasDriver(string path)
{
    /// <summary>The median of one routine at one size.</summary>
    /// <param name="threads">OpenBLAS threads (OPENBLAS_NUM_THREADS).</param>
    /// <param name="arguments">What the driver takes: <c>dgetrf N [FILE]</c>, <c>dpotrf N</c> or <c>dgemm M N K</c>.</param>
    public LapackTiming Time(int threads, params string[] arguments)
    {
        var start = new ProcessStartInfo(path) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["OPENBLAS_NUM_THREADS"] = threads.ToString(CultureInfo.InvariantCulture);
        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"{path} did not start.");
        string output = process.StandardOutput.ReadToEnd();
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{path} {string.Join(' ', arguments)} exited with {process.ExitCode}: {error.Trim()}; expected a timing line.");
        }

        // "dgetrf 1116 12.345678 ms 34.567 GFLOP/s cpu 12.000000 ms 35.000 GFLOP/s 25 runs"
        string[] words = output.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        int wall = Array.IndexOf(words, "ms");
        int cpu = Array.IndexOf(words, "ms", wall + 1);
        double Number(int index) => double.Parse(words[index], CultureInfo.InvariantCulture);
        return new LapackTiming(Number(wall - 1), Number(wall + 1), Number(cpu - 1), Number(cpu + 1), threads);
    }

    /// <summary>The faster of one and two threads (the machine has two cores).</summary>
    public LapackTiming Best(params string[] arguments)
    {
        LapackTiming one = Time(1, arguments);
        LapackTiming two = Time(2, arguments);
        return one.Milliseconds <= two.Milliseconds ? one : two;
    }
}

/// <summary>
/// Median wall time of an OpenBLAS routine and its rate by LAPACK's nominal flop count, the same by the
/// process's CPU time (on one thread: the time it computed, without waiting for a core), and the threads it ran on.
/// </summary>
internal readonly record struct LapackTiming(double Milliseconds, double Gflops, double CpuMilliseconds, double CpuGflops, int Threads);
