using System;
using System.Threading;

namespace HessianCodegen;

/// <summary>
/// The arrays of disposed <see cref="HessianDerivatives"/>, kept for the next <see cref="NetworkPoint.Derivatives"/>:
/// a training loop or a benchmark computes derivatives of the same network again and again, and each array is
/// large (21 MB at width 8, depth 512), so a fresh one per point fills the large-object-heap budget and starts a full
/// collection every few points. Holds at most <see cref="Limit"/> arrays, by weak reference, like
/// <see cref="FactorStoragePool"/>: an array nobody rents again is reclaimed by the next full collection. Thread-safe.
/// </summary>
internal sealed class DerivativeStoragePool
{
    /// <summary>Arrays kept at most: one for each of two derivatives alive at once (the one in use while the next is made).</summary>
    internal const int Limit = 2;

    private static DerivativeStoragePool? shared;

    private readonly WeakReference<double[]>?[] kept = new WeakReference<double[]>?[Limit];
    private readonly double[]?[]? heldStrongly;
    private readonly object gate = new();

    /// <summary>A pool of weak references, as the shared one is.</summary>
    public DerivativeStoragePool()
    {
    }

    /// <summary>
    /// A pool that, with <paramref name="holdStrongly"/>, also keeps strong references to what it keeps (for tests: a
    /// collection between a return and the next rent would otherwise empty it at random).
    /// </summary>
    internal DerivativeStoragePool(bool holdStrongly) => heldStrongly = holdStrongly ? new double[]?[Limit] : null;

    /// <summary>The pool every <see cref="NetworkPoint.Derivatives"/> uses.</summary>
    public static DerivativeStoragePool Shared => LazyInitializer.EnsureInitialized(ref shared);

    /// <summary>
    /// A kept array of <paramref name="length"/> values or more (not cleared: every value is written before it is read),
    /// or else a new uninitialized one of <paramref name="length"/> values.
    /// </summary>
    public double[] Rent(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        lock (gate)
        {
            for (int i = 0; i < kept.Length; i++)
            {
                if (kept[i] is { } reference && reference.TryGetTarget(out double[]? array) && array.Length >= length)
                {
                    kept[i] = null;
                    heldStrongly?[i] = null;
                    return array;
                }
            }
        }

        return GC.AllocateUninitializedArray<double>(length);
    }

    /// <summary>
    /// Keeps <paramref name="array"/> for a later <see cref="Rent"/>, in place of one already reclaimed or else of
    /// the smallest kept one when that is smaller. The caller must not use it again.
    /// </summary>
    /// <exception cref="InvalidOperationException"><paramref name="array"/> is kept already.</exception>
    public void Return(double[] array)
    {
        ArgumentNullException.ThrowIfNull(array);
        lock (gate)
        {
            int slot = -1;
            long slotLength = long.MaxValue;
            for (int i = 0; i < kept.Length; i++)
            {
                if (kept[i] is not { } reference || !reference.TryGetTarget(out double[]? held))
                {
                    if (slotLength >= 0)
                    {
                        (slot, slotLength) = (i, -1); // the first free slot
                    }

                    continue;
                }

                if (ReferenceEquals(held, array))
                {
                    throw new InvalidOperationException("The derivative storage was returned twice.");
                }

                if (held.Length < slotLength && held.Length < array.Length)
                {
                    (slot, slotLength) = (i, held.Length);
                }
            }

            if (slot >= 0)
            {
                kept[slot] = new WeakReference<double[]>(array);
                heldStrongly?[slot] = array;
            }
        }
    }

    /// <summary>The number of arrays kept and not yet reclaimed (for tests).</summary>
    internal int Count
    {
        get
        {
            lock (gate)
            {
                int count = 0;
                foreach (WeakReference<double[]>? reference in kept)
                {
                    count += reference is not null && reference.TryGetTarget(out _) ? 1 : 0;
                }

                return count;
            }
        }
    }
}
