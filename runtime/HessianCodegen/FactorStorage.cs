using System;
using System.Collections.Generic;

namespace HessianCodegen;

/// <summary>
/// One factorization's stored factors (the pivot blocks' packed Cholesky triangles or Bunch-Kaufman squares with their pivots, the feedback gains, the
/// compressed Jacobians of every layer, and a low-rank layer's groups' <c>L_g</c>, QR reflectors and <c>tau</c>
/// with their parameters' indices) in a few large uninitialized arrays, values and indices apart, handed out front
/// to back. Per-layer
/// arrays under 85 KB live on the small-object heap, where every gen0 and gen1 collection during a deep
/// factorization copies the layers already done (a tenth of a depth-512 factorization); large arrays are never
/// copied, and <see cref="FactorStoragePool"/> gives them to the next factorization once the caller disposes this
/// one, so that their pages are already mapped and warm.
/// </summary>
/// <remarks>
/// The first array of values holds what the recursion expects to store (each factor as a packed Cholesky triangle);
/// what does not fit (a compressed Jacobian, whose size the recursion learns layer by layer, a wide layer the low-rank
/// route was expected to take but that was factored whole, or a Bunch-Kaufman factor's square, its own or a low-rank
/// core's) goes to arrays added on the way, each at least an eighth as large as all before it; the pivots go to the
/// indices. A reused storage hands out the same arrays in the same order, so the same recursion on it allocates nothing.
/// </remarks>
internal sealed class FactorStorage
{
    /// <summary>The smallest array added on overflow: large enough for the large-object heap, which does not copy.</summary>
    internal const int MinimumAddedValues = 1 << 14;

    private readonly Arena<double> values;
    private readonly Arena<int> indices;

    /// <summary>Starts with one array of <paramref name="expectedValues"/> values, not zeroed: every value is written before it is read.</summary>
    public FactorStorage(int expectedValues)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(expectedValues);
        values = new Arena<double>(expectedValues);
        indices = new Arena<int>(0);
    }

    /// <summary>The values held, over all arrays.</summary>
    public long Capacity => values.Capacity;

    /// <summary>The indices held, over all arrays.</summary>
    public long IndexCapacity => indices.Capacity;

    /// <summary>The next <paramref name="length"/> values not yet handed out, contiguous.</summary>
    public Memory<double> Take(int length) => values.Take(length);

    /// <summary>The next <paramref name="length"/> indices not yet handed out, contiguous.</summary>
    public Memory<int> TakeIndices(int length) => indices.Take(length);

    /// <summary>Where the next <see cref="Take"/> and <see cref="TakeIndices"/> will hand out from, for <see cref="Rewind"/>.</summary>
    public Position Mark() => new(values.Current, values.Used, indices.Current, indices.Used);

    /// <summary>
    /// Hands out again from <paramref name="mark"/> (<see cref="Mark"/>) on: what was taken since is given back, the caller
    /// being done with it (the low-rank route writes a layer's groups here and gives them back where it declines the block).
    /// Both arenas are checked before either moves, so a refused mark leaves the storage as it was.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="mark"/> is past the cursor of the values or of the indices.</exception>
    public void Rewind(Position mark)
    {
        values.CheckRewind(mark.ValueArray, mark.ValuesUsed, nameof(mark), "values");
        indices.CheckRewind(mark.IndexArray, mark.IndicesUsed, nameof(mark), "indices");
        values.Rewind(mark.ValueArray, mark.ValuesUsed);
        indices.Rewind(mark.IndexArray, mark.IndicesUsed);
    }

    /// <summary>Hands out every value and index again from the start: the previous owner is done with them.</summary>
    public void Reset()
    {
        values.Reset();
        indices.Reset();
    }

    /// <summary>
    /// A cursor of the storage (<see cref="Mark"/>): the array of values the next <see cref="Take"/> hands out from and the values
    /// used in it, the same for the indices.
    /// </summary>
    internal readonly record struct Position(int ValueArray, int ValuesUsed, int IndexArray, int IndicesUsed);

    /// <summary>Uninitialized arrays of one element type, handed out front to back.</summary>
    private sealed class Arena<T>
    {
        private readonly List<T[]> arrays = [];
        private int current;
        private int used;

        public Arena(int expected) => arrays.Add(GC.AllocateUninitializedArray<T>(expected));

        public int Current => current;

        public int Used => used;

        public long Capacity
        {
            get
            {
                long total = 0;
                foreach (T[] array in arrays)
                {
                    total += array.Length;
                }

                return total;
            }
        }

        public Memory<T> Take(int length)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(length);
            while (arrays[current].Length - used < length)
            {
                current++;
                used = 0;
                if (current == arrays.Count || arrays[current].Length < length)
                {
                    int added = (int)Math.Min(Array.MaxLength, Math.Max(Math.Max(length, MinimumAddedValues), Capacity / 8));
                    arrays.Insert(current, GC.AllocateUninitializedArray<T>(added));
                }
            }

            var part = new Memory<T>(arrays[current], used, length);
            used += length;
            return part;
        }

        public void Reset()
        {
            current = 0;
            used = 0;
        }

        /// <summary>Throws unless (<paramref name="array"/>, <paramref name="usedThere"/>) is at or before this arena's cursor, naming <paramref name="arena"/>.</summary>
        public void CheckRewind(int array, int usedThere, string parameter, string arena)
        {
            if (array < 0 || array > current || usedThere < 0 || usedThere > arrays[array].Length || (array == current && usedThere > used))
            {
                throw new ArgumentOutOfRangeException(parameter,
                    $"A mark of the {arena} at array {array}, {usedThere} used, is not at or before the storage's cursor of the {arena} (array {current}, {used} used).");
            }
        }

        public void Rewind(int array, int usedThere)
        {
            current = array;
            used = usedThere;
        }
    }
}
