using System;
using System.Collections.Generic;

namespace HessianCodegen;

/// <summary>
/// One factorization's stored factors (the pivot blocks' packed Cholesky triangles and the feedback gains of
/// every layer) in a few large uninitialized arrays, handed out front to back. Per-layer arrays under 85 KB live
/// on the small-object heap, where every gen0 and gen1 collection during a deep factorization copies the layers
/// already done (a tenth of a depth-512 factorization); large arrays are never copied, and
/// <see cref="FactorStoragePool"/> gives them to the next factorization of the same derivatives once the caller
/// disposes this one, so that their pages are already mapped and warm.
/// </summary>
/// <remarks>
/// The first array holds what the recursion expects to store; a request that does not fit (a wide layer the
/// low-rank route was expected to take but that was factored whole) gets an array of its own. A reused storage
/// hands out the same arrays in the same order, so the same recursion on it allocates nothing.
/// </remarks>
internal sealed class FactorStorage
{
    /// <summary>The smallest array added on overflow: large enough for the large-object heap, which does not copy.</summary>
    internal const int MinimumAddedValues = 1 << 14;

    private readonly List<double[]> arrays = [];
    private int current;
    private int used;

    /// <summary>Starts with one array of <paramref name="expectedValues"/> values, not zeroed: every value is written before it is read.</summary>
    public FactorStorage(int expectedValues)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(expectedValues);
        arrays.Add(GC.AllocateUninitializedArray<double>(expectedValues));
    }

    /// <summary>The values held, over all arrays.</summary>
    public long Capacity
    {
        get
        {
            long total = 0;
            foreach (double[] array in arrays)
            {
                total += array.Length;
            }

            return total;
        }
    }

    /// <summary>The next <paramref name="length"/> values not yet handed out, contiguous.</summary>
    public Memory<double> Take(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        while (arrays[current].Length - used < length)
        {
            current++;
            used = 0;
            if (current == arrays.Count || arrays[current].Length < length)
            {
                arrays.Insert(current, GC.AllocateUninitializedArray<double>(Math.Max(length, MinimumAddedValues)));
            }
        }

        var part = new Memory<double>(arrays[current], used, length);
        used += length;
        return part;
    }

    /// <summary>Hands out every value again from the start: the previous owner is done with them.</summary>
    public void Reset()
    {
        current = 0;
        used = 0;
    }
}
