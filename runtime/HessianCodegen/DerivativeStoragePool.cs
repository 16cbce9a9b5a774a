using System;
using System.Threading;

namespace HessianCodegen;

/// <summary>
/// The arrays of disposed <see cref="HessianDerivatives"/>, kept for the next <see cref="NetworkPoint.Derivatives"/>:
/// a training loop or a benchmark computes derivatives of the same network again and again, and each array is
/// large (21 MB at width 8, depth 512), so a fresh one per point fills the large-object-heap budget and starts a full
/// collection every few points. Holds at most <see cref="Limit"/> arrays, by weak reference (<see cref="WeakStoragePool{T}"/>), like
/// <see cref="FactorStoragePool"/>: an array nobody rents again is reclaimed by the next full collection. Thread-safe.
/// </summary>
internal sealed class DerivativeStoragePool
{
    /// <summary>Arrays kept at most: one for each of two derivatives alive at once (the one in use while the next is made).</summary>
    internal const int Limit = WeakStoragePool<double[]>.Limit;

    private static DerivativeStoragePool? shared;

    private readonly WeakStoragePool<double[]> pool;

    /// <summary>A pool of weak references, as the shared one is.</summary>
    public DerivativeStoragePool()
        : this(holdStrongly: false)
    {
    }

    /// <summary>
    /// A pool that, with <paramref name="holdStrongly"/>, also keeps strong references to what it keeps (for tests: a
    /// collection between a return and the next rent would otherwise empty it at random).
    /// </summary>
    internal DerivativeStoragePool(bool holdStrongly) => pool = new(array => array.Length, "derivative storage", holdStrongly);

    /// <summary>The pool every <see cref="NetworkPoint.Derivatives"/> uses.</summary>
    public static DerivativeStoragePool Shared => LazyInitializer.EnsureInitialized(ref shared);

    /// <summary>
    /// A kept array of <paramref name="length"/> values or more (not cleared: every value is written before it is read),
    /// or else a new uninitialized one of <paramref name="length"/> values.
    /// </summary>
    public double[] Rent(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        return pool.TryRent(length) ?? GC.AllocateUninitializedArray<double>(length);
    }

    /// <summary>Keeps <paramref name="array"/> for a later <see cref="Rent"/> (<see cref="WeakStoragePool{T}.Return"/>). The caller must not use it again.</summary>
    /// <exception cref="InvalidOperationException"><paramref name="array"/> is kept already.</exception>
    public void Return(double[] array) => pool.Return(array);

    /// <summary>The number of arrays kept and not yet reclaimed (for tests).</summary>
    internal int Count => pool.Count;
}
