using System;
using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Threading;

namespace HessianCodegen;

/// <summary>
/// Work sets kept between calls, at most <see cref="Environment.ProcessorCount"/> of them: as many as calls can
/// usefully run at once. A burst of more concurrent calls then leaves its extra sets to the collector instead of
/// pinning them for the owner's life.
/// </summary>
internal sealed class BoundedPool<T>
    where T : class
{
    private readonly ConcurrentBag<T> items = new();

    // Counted apart from the bag: ConcurrentBag.Count takes every thread's lock.
    private int kept;

    /// <summary>A kept set, if there is one.</summary>
    public bool TryRent([NotNullWhen(true)] out T? item)
    {
        if (!items.TryTake(out item))
        {
            return false;
        }

        Interlocked.Decrement(ref kept);
        return true;
    }

    /// <summary>Keeps <paramref name="item"/> for a later call, unless the pool already holds its limit.</summary>
    public void Return(T item)
    {
        if (Interlocked.Increment(ref kept) <= Environment.ProcessorCount)
        {
            items.Add(item);
        }
        else
        {
            Interlocked.Decrement(ref kept);
        }
    }
}
