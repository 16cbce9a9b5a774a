using System;
using System.Runtime.InteropServices;

namespace Benchmarks;

/// <summary>
/// CPU time of the calling thread, in milliseconds, from <c>clock_gettime(CLOCK_THREAD_CPUTIME_ID)</c>
/// (nanosecond resolution; the process totals .NET offers tick at 10 ms). On a loaded machine it leaves
/// out the time spent waiting for a core. NaN where the call is unavailable (not Linux).
/// </summary>
internal static class ThreadCpuClock
{
    private const int ThreadCpuTimeClock = 3; // CLOCK_THREAD_CPUTIME_ID on Linux

    public static double Milliseconds()
    {
        if (!OperatingSystem.IsLinux())
        {
            return double.NaN;
        }

        return ClockGetTime(ThreadCpuTimeClock, out TimeSpec time) == 0
            ? (time.Seconds * 1e3) + (time.Nanoseconds * 1e-6)
            : double.NaN;
    }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out TimeSpec time);

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
