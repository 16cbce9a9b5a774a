using System.Collections.Generic;
using System.Linq;
using HessianCodegen.Generator.Symbolic;

namespace HessianCodegen.Generator.Emission;

/// <summary>A loop over an IR index and its range; <paramref name="Hint"/> is the user's name for the index, if any.</summary>
internal sealed record Loop(string Index, Extent Range, string? Hint = null)
{
    /// <summary>
    /// The index of an enclosing loop over the same range that bounds this one (inclusive): the loop
    /// runs over one triangle of a symmetric block. Null for a loop over its whole range.
    /// </summary>
    public string? UpTo { get; init; }
}

/// <summary>
/// Where a loop nest writes: an element of a span at <c>Offset + sum(index * stride)</c>, or a scalar
/// local (<see cref="IsScalar"/>).
/// </summary>
internal sealed record WriteTarget(string Span, IReadOnlyList<(IndexRef Index, string Stride)> Terms, string Offset, bool IsScalar)
{
    /// <summary>The transposed entry of a symmetric matrix, which receives the same value; null when there is none.</summary>
    public WriteTarget? Mirror { get; init; }

    /// <summary>
    /// For a triangle of a symmetric block: the two indices that are equal on its diagonal, where the
    /// target and its mirror are one entry and only the target is written. Null when the mirror is always written.
    /// </summary>
    public (IndexRef Row, IndexRef Column)? Diagonal { get; init; }

    public static WriteTarget Scalar(string local) => new(local, new List<(IndexRef, string)>(), "0", true);

    public WriteTarget Substitute(IReadOnlyDictionary<string, IndexRef> bindings) => this with
    {
        Terms = Terms.Select(term => (Rename(term.Index, bindings), term.Stride)).ToList(),
        Mirror = Mirror?.Substitute(bindings),
        Diagonal = Diagonal is { } diagonal ? (Rename(diagonal.Row, bindings), Rename(diagonal.Column, bindings)) : null,
    };

    private static IndexRef Rename(IndexRef index, IReadOnlyDictionary<string, IndexRef> bindings) =>
        !index.IsLabel && bindings.TryGetValue(index.Name, out IndexRef? bound) ? bound : index;
}

/// <summary>
/// One loop nest to emit: <c>target (+)= value</c> over <see cref="Loops"/>, where
/// <see cref="Reduction"/>, if any, is summed over rather than written per value.
/// </summary>
internal sealed record LoopNest(IReadOnlyList<Loop> Loops, Loop? Reduction, Node Value, WriteTarget Target, IReadOnlyList<(IndexRef Left, IndexRef Right)> Conditions);
