using System;
using System.Threading;

namespace HessianCodegen;

/// <summary>
/// The storage of disposed factorizations, kept for the next one: a trust-region or Levenberg-Marquardt step
/// factors the same derivatives at one or more shifts, and a training loop factors new derivatives of the same
/// network at every step, so the next factorization mostly needs what the last one stored. Holds at most
/// <see cref="Limit"/> storages, by weak reference: a storage nobody rents again is reclaimed by the next full
/// collection instead of being held for the life of the process. Thread-safe, so that a factorization may be
/// disposed on another thread than the one that factors.
/// </summary>
internal sealed class FactorStoragePool
{
    /// <summary>Storages kept at most: one for each of two factorizations alive at once (the one in use while the next is made).</summary>
    internal const int Limit = 2;

    private static FactorStoragePool? shared;

    private readonly WeakReference<FactorStorage>?[] kept = new WeakReference<FactorStorage>?[Limit];
    private readonly object gate = new();

    /// <summary>The pool every <see cref="HessianDerivatives"/> uses unless given its own.</summary>
    public static FactorStoragePool Shared => LazyInitializer.EnsureInitialized(ref shared);

    /// <summary>
    /// A kept storage that holds <paramref name="expectedValues"/> values or more, emptied, or else a new one of
    /// <paramref name="expectedValues"/> values (the smaller kept ones stay for a smaller factorization).
    /// </summary>
    public FactorStorage Rent(int expectedValues)
    {
        lock (gate)
        {
            for (int i = 0; i < kept.Length; i++)
            {
                if (kept[i] is { } reference && reference.TryGetTarget(out FactorStorage? storage) && storage.Capacity >= expectedValues)
                {
                    kept[i] = null;
                    storage.Reset();
                    return storage;
                }
            }
        }

        return new FactorStorage(expectedValues);
    }

    /// <summary>
    /// Keeps <paramref name="storage"/> for a later <see cref="Rent"/>, in place of one already reclaimed or else of
    /// the smallest kept one when that is smaller. The caller must not use it again.
    /// </summary>
    /// <exception cref="InvalidOperationException"><paramref name="storage"/> is kept already.</exception>
    public void Return(FactorStorage storage)
    {
        ArgumentNullException.ThrowIfNull(storage);
        lock (gate)
        {
            int slot = -1;
            long slotCapacity = long.MaxValue;
            for (int i = 0; i < kept.Length; i++)
            {
                if (kept[i] is not { } reference || !reference.TryGetTarget(out FactorStorage? held))
                {
                    if (slotCapacity >= 0)
                    {
                        (slot, slotCapacity) = (i, -1); // the first free slot
                    }

                    continue;
                }

                if (ReferenceEquals(held, storage))
                {
                    throw new InvalidOperationException("The factor storage was returned twice.");
                }

                if (held.Capacity < slotCapacity && held.Capacity < storage.Capacity)
                {
                    (slot, slotCapacity) = (i, held.Capacity);
                }
            }

            if (slot >= 0)
            {
                kept[slot] = new WeakReference<FactorStorage>(storage);
            }
        }
    }

    /// <summary>The number of storages kept and not yet reclaimed (for tests).</summary>
    internal int Count
    {
        get
        {
            lock (gate)
            {
                int count = 0;
                foreach (WeakReference<FactorStorage>? reference in kept)
                {
                    count += reference is not null && reference.TryGetTarget(out _) ? 1 : 0;
                }

                return count;
            }
        }
    }
}
