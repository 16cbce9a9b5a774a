using System.Collections.Generic;
using System.Linq;
using HessianCodegen.Generator.Symbolic;

namespace HessianCodegen.Generator.Emission;

/// <summary>A loop over an IR index and its range; <paramref name="Hint"/> is the user's name for the index, if any.</summary>
internal sealed record Loop(string Index, Extent Range, string? Hint = null);

/// <summary>
/// Where a loop nest writes: an element of a span at <c>Offset + sum(index * stride)</c>, or a scalar
/// local (<see cref="IsScalar"/>).
/// </summary>
internal sealed record WriteTarget(string Span, IReadOnlyList<(IndexRef Index, string Stride)> Terms, string Offset, bool IsScalar)
{
    /// <summary>The transposed entry of a symmetric matrix, which receives the same value; null when there is none.</summary>
    public WriteTarget? Mirror { get; init; }

    public static WriteTarget Scalar(string local) => new(local, new List<(IndexRef, string)>(), "0", true);

    public WriteTarget Substitute(IReadOnlyDictionary<string, IndexRef> bindings) => this with
    {
        Terms = Terms.Select(term => (!term.Index.IsLabel && bindings.TryGetValue(term.Index.Name, out IndexRef? bound) ? bound : term.Index, term.Stride)).ToList(),
        Mirror = Mirror?.Substitute(bindings),
    };
}

/// <summary>
/// One loop nest to emit: <c>target (+)= value</c> over <see cref="Loops"/>, where
/// <see cref="Reduction"/>, if any, is summed over rather than written per value.
/// </summary>
internal sealed record LoopNest(IReadOnlyList<Loop> Loops, Loop? Reduction, Node Value, WriteTarget Target, IReadOnlyList<(IndexRef Left, IndexRef Right)> Conditions);
