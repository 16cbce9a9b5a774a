using System;
using System.Runtime.InteropServices;

namespace Benchmarks;

/// <summary>
/// CPU time of the whole process, in milliseconds, from <c>clock_gettime(CLOCK_PROCESS_CPUTIME_ID)</c>
/// (nanosecond resolution; the process totals .NET offers tick at 10 ms). On a loaded machine it leaves
/// out the time spent waiting for a core. All threads count: a large <c>Gemm</c> runs on both cores, and the
/// calling thread's time alone would leave out the other's. NaN where the call is unavailable (not Linux).
/// </summary>
internal static class CpuClock
{
    private const int ProcessCpuTimeClock = 2; // CLOCK_PROCESS_CPUTIME_ID on Linux

    public static double Milliseconds()
    {
        if (!OperatingSystem.IsLinux())
        {
            return double.NaN;
        }

        return ClockGetTime(ProcessCpuTimeClock, out TimeSpec time) == 0
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
