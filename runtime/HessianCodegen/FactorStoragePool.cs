using System.Threading;

namespace HessianCodegen;

/// <summary>
/// The storage of disposed factorizations, kept for the next one: a trust-region or Levenberg-Marquardt step
/// factors the same derivatives at one or more shifts, and a training loop factors new derivatives of the same
/// network at every step, so the next factorization mostly needs what the last one stored. Holds at most
/// <see cref="Limit"/> storages, by weak reference (<see cref="WeakStoragePool{T}"/>). Thread-safe, so that a
/// factorization may be disposed on another thread than the one that factors.
/// </summary>
internal sealed class FactorStoragePool
{
    /// <summary>Storages kept at most: one for each of two factorizations alive at once (the one in use while the next is made).</summary>
    internal const int Limit = WeakStoragePool<FactorStorage>.Limit;

    private static FactorStoragePool? shared;

    private readonly WeakStoragePool<FactorStorage> pool;

    /// <summary>A pool holding its storages by weak reference only.</summary>
    public FactorStoragePool()
        : this(holdStrongly: false)
    {
    }

    /// <summary>A pool holding its storages by weak reference, and with <paramref name="holdStrongly"/> strongly too (for tests: a collection would otherwise empty it at random).</summary>
    public FactorStoragePool(bool holdStrongly) => pool = new(storage => storage.Capacity, "factor storage", holdStrongly);

    /// <summary>The pool every <see cref="HessianDerivatives"/> uses unless given its own.</summary>
    public static FactorStoragePool Shared => LazyInitializer.EnsureInitialized(ref shared);

    /// <summary>
    /// A kept storage that holds <paramref name="expectedValues"/> values or more, emptied, or else a new one of
    /// <paramref name="expectedValues"/> values (the smaller kept ones stay for a smaller factorization).
    /// </summary>
    public FactorStorage Rent(int expectedValues)
    {
        FactorStorage? storage = pool.TryRent(expectedValues);
        if (storage is null)
        {
            return new FactorStorage(expectedValues);
        }

        storage.Reset();
        return storage;
    }

    /// <summary>Keeps <paramref name="storage"/> for a later <see cref="Rent"/> (<see cref="WeakStoragePool{T}.Return"/>). The caller must not use it again.</summary>
    /// <exception cref="System.InvalidOperationException"><paramref name="storage"/> is kept already.</exception>
    public void Return(FactorStorage storage) => pool.Return(storage);

    /// <summary>The number of storages kept and not yet reclaimed (for tests).</summary>
    internal int Count => pool.Count;
}
