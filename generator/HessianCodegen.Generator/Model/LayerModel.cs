using System.Collections.Generic;
using System.Linq;
using HessianCodegen.Generator.Helpers;
using HessianCodegen.Generator.Symbolic;

namespace HessianCodegen.Generator.Model;

/// <summary>
/// Everything the generator knows about one layer after parsing: values only (strings, extents,
/// equatable arrays, IR), so the incremental pipeline can compare it with the previous run's.
/// </summary>
/// <param name="Namespace">The containing namespace, or null for the global namespace.</param>
/// <param name="TypeName">The class name.</param>
/// <param name="SizeParameters">The primary-constructor size parameters, in order.</param>
/// <param name="Tensors">The tensor fields in declaration order.</param>
/// <param name="IsLoss">Whether the math is <c>double Loss()</c> rather than <c>double Output(int i)</c>.</param>
/// <param name="OutputExtent">The range of the output index (hidden layers), inferred from its uses.</param>
/// <param name="Expression">The math: one output element with free index <see cref="OutputIndex"/>, or the loss.</param>
/// <param name="IndexNames">The user's index names (the output index first, for a hidden layer), which the emitted loops reuse.</param>
/// <param name="MemberNames">The names of the members the user's part declares, which generated fields must not take.</param>
internal sealed record LayerModel(
    string? Namespace,
    string TypeName,
    EquatableArray<string> SizeParameters,
    EquatableArray<TensorDeclaration> Tensors,
    bool IsLoss,
    Extent? OutputExtent,
    Node Expression,
    EquatableArray<UserIndex> IndexNames,
    EquatableArray<string> MemberNames)
{
    /// <summary>The IR name of the output index of a hidden layer.</summary>
    public const string OutputIndex = "i";

    /// <summary>The user's name for the output index (<c>i</c> in <c>Output(int i)</c>), or null for a loss layer.</summary>
    public string? OutputIndexName => IsLoss || IndexNames.Count == 0 ? null : IndexNames[0].Name;

    public TensorDeclaration Input => Tensors.First(t => t.Kind == TensorKind.Input);

    public IEnumerable<TensorDeclaration> Parameters => Tensors.Where(t => t.Kind == TensorKind.Parameter);

    public IEnumerable<TensorDeclaration> Data => Tensors.Where(t => t.IsData);
}

/// <summary>An index the user named in the math, and the range it runs over.</summary>
internal sealed record UserIndex(string Name, Extent Range);
