using System;
using HessianCodegen.Generator.Helpers;

namespace HessianCodegen.Generator.Symbolic;

/// <summary>What a tensor is to the math: differentiated (input, parameters), data, or a product's operand.</summary>
internal enum TensorRole
{
    /// <summary>The output adjoint b (one value per output; a scalar for a loss layer).</summary>
    OutputAdjoint,

    /// <summary>A parameter tensor.</summary>
    Parameter,

    /// <summary>The direction v of a parameter tensor (same shape).</summary>
    ParameterDirection,

    /// <summary>The layer input z.</summary>
    Input,

    /// <summary>The input tangent t (same shape as the input).</summary>
    InputTangent,

    /// <summary>A target vector: data, never differentiated.</summary>
    Target,

    /// <summary>A temporary the emitter materialized (a hoisted sum).</summary>
    Temporary,
}

/// <summary>A tensor by name, role and dimensions (rank 0, 1 or 2).</summary>
internal sealed record TensorRef(string Name, TensorRole Role, EquatableArray<Extent> Dimensions) : IComparable<TensorRef>
{
    public int Rank => Dimensions.Count;

    /// <summary>The same-shaped tensor that carries this one's direction (v for a parameter, t for the input).</summary>
    public TensorRef WithRole(TensorRole role) => this with { Role = role };

    public int CompareTo(TensorRef? other)
    {
        if (other is null)
        {
            return 1;
        }

        int byRole = ((int)Role).CompareTo((int)other.Role);
        return byRole != 0 ? byRole : string.CompareOrdinal(Name, other.Name);
    }
}
