using System;

namespace HessianCodegen;

/// <summary>
/// Up to <see cref="Limit"/> large storages of one kind, kept by weak reference for the next renter: what
/// <see cref="FactorStoragePool"/> and <see cref="DerivativeStoragePool"/> keep. A storage nobody rents again is reclaimed
/// by the next full collection instead of being held for the life of the process. Thread-safe, so that a storage may
/// be returned on another thread than the one that rents.
/// </summary>
/// <typeparam name="T">The storage.</typeparam>
internal sealed class WeakStoragePool<T>
    where T : class
{
    /// <summary>Storages kept at most: one for each of two owners alive at once (the one in use while the next is made).</summary>
    internal const int Limit = 2;

    private readonly WeakReference<T>?[] kept = new WeakReference<T>?[Limit];
    private readonly T?[]? heldStrongly;
    private readonly Func<T, long> size;
    private readonly string name;
    private readonly object gate = new();

    /// <param name="size">A storage's size, compared with what a renter needs.</param>
    /// <param name="name">What a storage is called in the message of a storage returned twice.</param>
    /// <param name="holdStrongly">Also keep strong references (for tests: a collection would otherwise empty the pool at random).</param>
    public WeakStoragePool(Func<T, long> size, string name, bool holdStrongly)
    {
        this.size = size;
        this.name = name;
        heldStrongly = holdStrongly ? new T?[Limit] : null;
    }

    /// <summary>A kept storage of size <paramref name="needed"/> or more, no longer kept; else null.</summary>
    public T? TryRent(long needed)
    {
        lock (gate)
        {
            for (int i = 0; i < kept.Length; i++)
            {
                if (kept[i] is { } reference && reference.TryGetTarget(out T? storage) && size(storage) >= needed)
                {
                    kept[i] = null;
                    heldStrongly?[i] = null;
                    return storage;
                }
            }
        }

        return null;
    }

    /// <summary>
    /// Keeps <paramref name="storage"/> for a later <see cref="TryRent"/>, in place of one already reclaimed or else of
    /// the smallest kept one when that is smaller. The caller must not use it again.
    /// </summary>
    /// <exception cref="InvalidOperationException"><paramref name="storage"/> is kept already.</exception>
    public void Return(T storage)
    {
        ArgumentNullException.ThrowIfNull(storage);
        long returnedSize = size(storage);
        lock (gate)
        {
            int slot = -1;
            long slotSize = long.MaxValue;
            for (int i = 0; i < kept.Length; i++)
            {
                if (kept[i] is not { } reference || !reference.TryGetTarget(out T? held))
                {
                    if (slotSize >= 0)
                    {
                        (slot, slotSize) = (i, -1); // the first free slot
                    }

                    continue;
                }

                if (ReferenceEquals(held, storage))
                {
                    throw new InvalidOperationException($"The {name} was returned twice.");
                }

                long heldSize = size(held);
                if (heldSize < slotSize && heldSize < returnedSize)
                {
                    (slot, slotSize) = (i, heldSize);
                }
            }

            if (slot >= 0)
            {
                kept[slot] = new WeakReference<T>(storage);
                heldStrongly?[slot] = storage;
            }
        }
    }

    /// <summary>The number of storages kept and not yet reclaimed (for tests).</summary>
    public int Count
    {
        get
        {
            lock (gate)
            {
                int count = 0;
                foreach (WeakReference<T>? reference in kept)
                {
                    count += reference is not null && reference.TryGetTarget(out _) ? 1 : 0;
                }

                return count;
            }
        }
    }
}
