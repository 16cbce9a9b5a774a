using System;
using HessianCodegen.Generator.Helpers;
using HessianCodegen.Generator.Symbolic;

namespace HessianCodegen.Generator.Model;

/// <summary>How a tensor field of a layer was declared.</summary>
internal enum TensorKind
{
    /// <summary><c>Input(size)</c>: the layer input.</summary>
    Input,

    /// <summary><c>Parameter(size)</c> or <c>Parameter(rows, columns)</c>.</summary>
    Parameter,

    /// <summary><c>Target(size)</c>: data.</summary>
    Target,

    /// <summary><c>ClassLabel(classes)</c>: data, used as an index.</summary>
    ClassLabel,
}

/// <summary>One tensor field of a layer: name, kind and dimensions (a label has one: its class count).</summary>
internal sealed record TensorDeclaration(string Name, TensorKind Kind, EquatableArray<Extent> Dimensions)
{
    public bool IsData => Kind is TensorKind.Target or TensorKind.ClassLabel;

    /// <summary>The tensor as the IR refers to it (a label is not a tensor and has no reference).</summary>
    public TensorRef ToTensorRef() => Kind == TensorKind.ClassLabel
        ? throw new InvalidOperationException("A class label is an index, not a tensor.")
        : new(Name, Dimensions);
}
