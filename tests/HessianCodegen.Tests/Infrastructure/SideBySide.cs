using System;
using System.Runtime.ExceptionServices;
using System.Threading;

namespace HessianCodegen.Tests.Infrastructure;

/// <summary>
/// Two calls on two threads at once: the caller's and one started here, released together by a barrier. Parallel.Invoke may run
/// both on the caller one after the other, which would not test what two threads sharing a counter do.
/// </summary>
public static class SideBySide
{
    /// <summary>Runs <paramref name="first"/> on this thread and <paramref name="second"/> on another, both started at once; returns their results.</summary>
    public static (long First, long Second) Run(Func<long> first, Func<long> second)
    {
        using var bothReady = new Barrier(2);
        long secondResult = 0;
        ExceptionDispatchInfo? secondError = null;
        var other = new Thread(() =>
        {
            bothReady.SignalAndWait();
            try
            {
                secondResult = second();
            }
            catch (Exception error)
            {
                secondError = ExceptionDispatchInfo.Capture(error); // rethrown on the caller: an exception here would end the test host
            }
        });
        other.Start();
        bothReady.SignalAndWait();
        long firstResult;
        try
        {
            firstResult = first();
        }
        finally
        {
            other.Join();
        }

        secondError?.Throw();
        return (firstResult, secondResult);
    }
}
