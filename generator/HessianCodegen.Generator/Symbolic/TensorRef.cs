using System;
using HessianCodegen.Generator.Helpers;

namespace HessianCodegen.Generator.Symbolic;

/// <summary>
/// A tensor by name and dimensions (rank 0, 1 or 2; a temporary may have more). The symbolic engine
/// knows nothing else about it: what a tensor is to the layer (input, parameter, direction, adjoint)
/// is for differentiation and emission to say.
/// </summary>
internal sealed record TensorRef(string Name, EquatableArray<Extent> Dimensions) : IComparable<TensorRef>
{
    public int Rank => Dimensions.Count;

    public int CompareTo(TensorRef? other) => other is null ? 1 : string.CompareOrdinal(Name, other.Name);
}
