using System;

namespace HessianCodegen;

/// <summary>
/// The storage of disposed factorizations of one <see cref="HessianDerivatives"/>, kept for its next
/// factorization: a trust-region or Levenberg-Marquardt step factors the same derivatives at one or more
/// shifts, and every factorization of them stores the same shapes. Holds at most <see cref="Limit"/> storages.
/// Thread-safe, so that a factorization may be disposed on another thread than the one that factors.
/// </summary>
internal sealed class FactorStoragePool
{
    /// <summary>Storages kept at most: one for each of two factorizations alive at once (the one in use while the next is made).</summary>
    internal const int Limit = 2;

    private readonly FactorStorage?[] kept = new FactorStorage?[Limit];
    private readonly object gate = new();

    /// <summary>A kept storage, emptied, or else a new one of <paramref name="expectedValues"/> values.</summary>
    public FactorStorage Rent(int expectedValues)
    {
        lock (gate)
        {
            for (int i = 0; i < kept.Length; i++)
            {
                FactorStorage? storage = kept[i];
                if (storage is not null)
                {
                    kept[i] = null;
                    storage.Reset();
                    return storage;
                }
            }
        }

        return new FactorStorage(expectedValues);
    }

    /// <summary>Keeps <paramref name="storage"/> for a later <see cref="Rent"/>, unless the pool is full. The caller must not use it again.</summary>
    /// <exception cref="InvalidOperationException"><paramref name="storage"/> is kept already.</exception>
    public void Return(FactorStorage storage)
    {
        ArgumentNullException.ThrowIfNull(storage);
        lock (gate)
        {
            int free = -1;
            for (int i = 0; i < kept.Length; i++)
            {
                if (ReferenceEquals(kept[i], storage))
                {
                    throw new InvalidOperationException("The factor storage was returned twice.");
                }

                if (kept[i] is null && free < 0)
                {
                    free = i;
                }
            }

            if (free >= 0)
            {
                kept[free] = storage;
            }
        }
    }

    /// <summary>The number of storages kept (for tests).</summary>
    internal int Count
    {
        get
        {
            lock (gate)
            {
                int count = 0;
                foreach (FactorStorage? storage in kept)
                {
                    count += storage is null ? 0 : 1;
                }

                return count;
            }
        }
    }
}
