using System.Collections.Generic;
using System.Linq;
using HessianCodegen.Generator.Symbolic;

namespace HessianCodegen.Generator.Emission;

/// <summary>
/// A diagonal block of a second derivative (Xzz, or the block of one parameter tensor with itself in
/// Xxx) is symmetric: its entry (r, c) equals (c, r). When the generator can prove that of a kernel's
/// value (the value with the indices swapped is the same IR node), the nest visits one triangle,
/// c &lt;= r, and adds each value off the diagonal to both (r, c) and (c, r), the diagonal once. It
/// still accumulates into the full square: nothing is copied from one triangle to the other, so what
/// the caller's buffer held before is kept.
/// </summary>
internal static class SymmetricBlocks
{
    /// <summary>
    /// The pairs of a nest's loops that the block's symmetry swaps (after the deltas' bindings), when the
    /// swap of all of them at once provably leaves <paramref name="value"/> unchanged and each pair's loops
    /// run over the same range; null otherwise (nothing to swap, a label, or a value the generator cannot
    /// prove symmetric). The first pair is the one whose triangle the nest visits.
    /// </summary>
    public static IReadOnlyList<(string Row, string Column)>? SwappedPairs(
        IReadOnlyList<(IndexRef First, IndexRef Second)> pairs, IReadOnlyDictionary<string, IndexRef> bindings, IReadOnlyList<Loop> loops, Node value)
    {
        var swapped = new List<(string Row, string Column)>();
        foreach ((IndexRef first, IndexRef second) in pairs)
        {
            IndexRef row = Bound(first, bindings);
            IndexRef column = Bound(second, bindings);
            if (row.Equals(column))
            {
                // A delta joined the two: the swap leaves this pair as it is.
                continue;
            }

            Loop? rowLoop = row.IsLabel ? null : loops.FirstOrDefault(loop => loop.Index == row.Name);
            Loop? columnLoop = column.IsLabel ? null : loops.FirstOrDefault(loop => loop.Index == column.Name);
            if (rowLoop is null || columnLoop is null || !rowLoop.Range.Equals(columnLoop.Range))
            {
                return null;
            }

            swapped.Add((row.Name, column.Name));
        }

        // Each index swapped with exactly one other.
        var names = swapped.SelectMany(pair => new[] { pair.Row, pair.Column }).ToList();
        if (swapped.Count == 0 || names.Distinct().Count() != names.Count)
        {
            return null;
        }

        return Swap(value, swapped).Equals(value) ? swapped : null;
    }

    /// <summary>
    /// The nest over the entries whose first pair lies in the triangle <c>column &lt;= row</c>: that
    /// column loop is bounded by its row's, and each value is also added at the entry with every pair
    /// swapped, except where the first pair is on its diagonal. There the other pairs run over their whole
    /// ranges and visit each entry themselves; off it, the swapped entry lies in the triangle not visited.
    /// </summary>
    public static LoopNest Triangle(LoopNest nest, IReadOnlyList<(string Row, string Column)> pairs)
    {
        var swap = new Dictionary<string, IndexRef>();
        foreach ((string row, string column) in pairs)
        {
            swap[row] = IndexRef.Loop(column);
            swap[column] = IndexRef.Loop(row);
        }

        (string first, string second) = pairs[0];
        WriteTarget target = nest.Target with
        {
            Mirror = nest.Target.Substitute(swap),
            Diagonal = (IndexRef.Loop(first), IndexRef.Loop(second)),
        };

        var loops = nest.Loops.Select(loop => loop.Index == second ? loop with { UpTo = first } : loop).ToList();
        return nest with { Loops = loops, Target = target };
    }

    /// <summary>Whether a loop order opens every triangle loop after the loop that bounds it (or that loop is bound outside).</summary>
    public static bool Respects(IReadOnlyList<Loop> order)
    {
        for (int k = 0; k < order.Count; k++)
        {
            if (order[k].UpTo is { } bound)
            {
                for (int later = k + 1; later < order.Count; later++)
                {
                    if (order[later].Index == bound)
                    {
                        return false;
                    }
                }
            }
        }

        return true;
    }

    /// <summary>The value with the indices of each pair exchanged, all at once (re-canonicalised, so equal values are equal nodes).</summary>
    public static Node Swap(Node value, IReadOnlyList<(string Row, string Column)> pairs)
    {
        // Through placeholders that are no identifiers of the layer language: every rename is simultaneous.
        Node renamed = value;
        for (int k = 0; k < pairs.Count; k++)
        {
            renamed = IndexSubstitution.Substitute(renamed, pairs[k].Row, IndexRef.Loop(Placeholder(k, row: true)));
            renamed = IndexSubstitution.Substitute(renamed, pairs[k].Column, IndexRef.Loop(Placeholder(k, row: false)));
        }

        for (int k = 0; k < pairs.Count; k++)
        {
            renamed = IndexSubstitution.Substitute(renamed, Placeholder(k, row: true), IndexRef.Loop(pairs[k].Column));
            renamed = IndexSubstitution.Substitute(renamed, Placeholder(k, row: false), IndexRef.Loop(pairs[k].Row));
        }

        return renamed;
    }

    private static string Placeholder(int pair, bool row) =>
        "<swap " + pair.ToString(System.Globalization.CultureInfo.InvariantCulture) + (row ? " row>" : " column>");

    private static IndexRef Bound(IndexRef index, IReadOnlyDictionary<string, IndexRef> bindings) =>
        !index.IsLabel && bindings.TryGetValue(index.Name, out IndexRef? bound) ? bound : index;
}
