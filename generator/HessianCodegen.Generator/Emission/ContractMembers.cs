using System.Collections.Generic;
using System.Linq;

namespace HessianCodegen.Generator.Emission;

/// <summary>What a contract member's parameter is: the example count, a span of doubles, or the layer's workspace.</summary>
internal enum ContractParameterKind
{
    Count,
    Span,
    Workspace,
}

/// <summary>What a member does with a span: reads it, overwrites it, or adds into it.</summary>
internal enum SpanRole
{
    Read,
    Overwritten,
    Accumulated,
}

/// <summary>When a span may be passed empty.</summary>
internal enum EmptySpan
{
    /// <summary>Never: it has exactly its length.</summary>
    Refused,

    /// <summary>Always: empty means the result is not wanted, or (for a read span) zero.</summary>
    Allowed,

    /// <summary>When the layer's <c>NonZeroSecondDerivatives</c> leaves the block out: it is zero everywhere.</summary>
    AllowedForZeroBlock,
}

/// <summary>A factor of a span's length: the sizes of one layer, and the number of examples of a batched call.</summary>
internal enum ContractSize
{
    Count,
    Parameters,
    Input,
    Output,
    Data,
}

/// <summary>One parameter of a contract member; a span's length is the product of <see cref="Length"/>.</summary>
internal sealed record ContractParameter(string Name, ContractParameterKind Kind, SpanRole Role, IReadOnlyList<ContractSize> Length, EmptySpan Empty)
{
    public bool IsSpan => Kind == ContractParameterKind.Span;
}

/// <summary>
/// One <c>IHessianLayer</c> member the generator implements: its name, the contract part of its summary (formulas
/// inside <c>&lt;c&gt;</c>), and its parameters in order. A test checks the table against the interface itself.
/// </summary>
internal sealed record ContractMember(string Name, string Summary, IReadOnlyList<ContractParameter> Parameters)
{
    public bool IsBatched => Parameters.Any(parameter => parameter.Kind == ContractParameterKind.Count);

    public IEnumerable<string> ParameterNames => Parameters.Select(parameter => parameter.Name);
}

/// <summary>
/// The <c>IHessianLayer</c> contract as data (runtime/HessianCodegen/IHessianLayer.cs): the emitters print every
/// member's signature, summary and length checks from this table, and write only the bodies themselves.
/// </summary>
internal static class ContractMembers
{
    private static readonly ContractSize[] Parameters = { ContractSize.Parameters };
    private static readonly ContractSize[] Input = { ContractSize.Input };
    private static readonly ContractSize[] Output = { ContractSize.Output };
    private static readonly ContractSize[] Data = { ContractSize.Data };
    private static readonly ContractSize[] Inputs = { ContractSize.Count, ContractSize.Input };
    private static readonly ContractSize[] Outputs = { ContractSize.Count, ContractSize.Output };
    private static readonly ContractSize[] BatchData = { ContractSize.Count, ContractSize.Data };

    public static readonly ContractMember Forward = new("Forward", "Computes <c>output = f(input; parameters)</c> for one example",
        Example(Write("output", Output)));

    public static readonly ContractMember BackpropInput = new("BackpropInput", "Computes <c>inputAdjoint = b Dz</c> for one example",
        Example(Read("outputAdjoint", Output), Write("inputAdjoint", Input)));

    public static readonly ContractMember AddParameterGradient = new("AddParameterGradient", "Computes <c>parameterGradient += b Dx</c> for one example",
        Example(Read("outputAdjoint", Output), Add("parameterGradient", Parameters)));

    public static readonly ContractMember Tangent = new("Tangent", "Computes <c>outputTangent = Dz t + Dx v</c> for one example",
        Example(Read("inputTangent", Input), Read("parameterDirection", Parameters), Write("outputTangent", Output)));

    public static readonly ContractMember SecondOrderInput = new("SecondOrderInput", "Computes <c>result = Xzz t + Xzx^T v</c> for one example, the second derivatives contracted with <c>b</c>",
        Example(Read("outputAdjoint", Output), Read("inputTangent", Input), Read("parameterDirection", Parameters), Write("result", Input)));

    public static readonly ContractMember AddSecondOrderParameters = new("AddSecondOrderParameters", "Computes <c>result += Xxx v + Xzx t</c> for one example, the second derivatives contracted with <c>b</c>",
        Example(Read("outputAdjoint", Output), Read("inputTangent", Input), Read("parameterDirection", Parameters), Add("result", Parameters)));

    public static readonly ContractMember AddJacobians = new("AddJacobians", "Computes <c>dx += Dx</c> (<c>a x p</c>) and <c>dz += Dz</c> (<c>a x a_in</c>) for one example, visiting only the entries that can be non-zero",
        Example(Add("dx", ContractSize.Output, ContractSize.Parameters), Add("dz", ContractSize.Output, ContractSize.Input)));

    public static readonly ContractMember AddSecondDerivatives = new("AddSecondDerivatives", "Computes <c>xxx += Xxx</c> (<c>p x p</c>), <c>xzx += Xzx</c> (<c>p x a_in</c>) and <c>xzz += Xzz</c> (<c>a_in x a_in</c>) for one example, the second derivatives contracted with <c>b</c>, visiting only the entries that can be non-zero",
        Example(Read("outputAdjoint", Output), Block("xxx", ContractSize.Parameters, ContractSize.Parameters), Block("xzx", ContractSize.Parameters, ContractSize.Input), Block("xzz", ContractSize.Input, ContractSize.Input)));

    public static readonly ContractMember ForwardBatch = new("ForwardBatch", "Computes <c>outputs = f(inputs; parameters)</c> for <c>count</c> examples",
        Batch(Write("outputs", Outputs)));

    public static readonly ContractMember BackwardBatch = new("BackwardBatch", "Computes <c>inputAdjoints = b Dz</c> per example (unless <c>inputAdjoints</c> is empty) and <c>parameterGradient += sum_n b Dx</c> for <c>count</c> examples",
        Batch(Read("outputAdjoints", Outputs), Write("inputAdjoints", Inputs) with { Empty = EmptySpan.Allowed }, Add("parameterGradient", Parameters)));

    public static readonly ContractMember TangentBatch = new("TangentBatch", "Computes <c>outputTangents = Dz t + Dx v</c> for <c>count</c> examples",
        Batch(Read("inputTangents", Inputs), Read("parameterDirection", Parameters), Write("outputTangents", Outputs)));

    public static readonly ContractMember SecondOrderBatch = new("SecondOrderBatch", "Computes <c>inputAdjointTangents = Dz^T s + Xzz t + Xzx^T v</c> per example (unless <c>inputAdjointTangents</c> is empty) and <c>result += sum_n Dx^T s + Xxx v + Xzx t</c> for <c>count</c> examples, <c>s</c> the output adjoint-tangents (zero when empty)",
        Batch(Read("outputAdjoints", Outputs), Read("inputTangents", Inputs), Read("parameterDirection", Parameters),
            Read("outputAdjointTangents", Outputs) with { Empty = EmptySpan.Allowed }, Write("inputAdjointTangents", Inputs) with { Empty = EmptySpan.Allowed },
            Add("result", Parameters)));

    public static readonly ContractMember AddJacobiansBatch = new("AddJacobiansBatch", "Computes <c>dx += Dx</c> (<c>a x p</c>) and <c>dz += Dz</c> (<c>a x a_in</c>) of each of <c>count</c> examples, their blocks one after the other",
        Batch(Add("dx", ContractSize.Count, ContractSize.Output, ContractSize.Parameters), Add("dz", ContractSize.Count, ContractSize.Output, ContractSize.Input)));

    public static readonly ContractMember AddSecondDerivativesBatch = new("AddSecondDerivativesBatch", "Computes <c>xxx += sum_n Xxx</c> (<c>p x p</c>), and <c>xzx += Xzx</c> (<c>p x a_in</c>) and <c>xzz += Xzz</c> (<c>a_in x a_in</c>) of each of <c>count</c> examples (unless empty), the second derivatives contracted with <c>b</c>",
        Batch(Read("outputAdjoints", Outputs), Block("xxx", ContractSize.Parameters, ContractSize.Parameters),
            Add("xzx", ContractSize.Count, ContractSize.Parameters, ContractSize.Input) with { Empty = EmptySpan.Allowed },
            Add("xzz", ContractSize.Count, ContractSize.Input, ContractSize.Input) with { Empty = EmptySpan.Allowed }));

    /// <summary>The members every generated layer implements for one example.</summary>
    public static readonly IReadOnlyList<ContractMember> PerExample = new[]
    {
        Forward, BackpropInput, AddParameterGradient, Tangent, SecondOrderInput, AddSecondOrderParameters, AddJacobians, AddSecondDerivatives,
    };

    /// <summary>The batched members of the gradient and <c>H v</c>, generated for a layer whose input enters through sums <c>W z</c>.</summary>
    public static readonly IReadOnlyList<ContractMember> Batched = new[] { ForwardBatch, BackwardBatch, TangentBatch, SecondOrderBatch };

    /// <summary>The batched members of the derivative blocks, generated for an element-wise activation of the sums, <c>g(W z + c)</c>.</summary>
    public static readonly IReadOnlyList<ContractMember> BatchedBlocks = new[] { AddJacobiansBatch, AddSecondDerivativesBatch };

    public static IEnumerable<ContractMember> All => PerExample.Concat(Batched).Concat(BatchedBlocks);

    // Every per-example member reads the parameters, one example's input and its data, then its own spans.
    private static ContractParameter[] Example(params ContractParameter[] own) =>
        new[] { Read("parameters", Parameters), Read("input", Input), Read("data", Data) }.Concat(own).ToArray();

    // Every batched member takes the count, the parameters, the inputs and data of count examples, its own spans, and the workspace last.
    private static ContractParameter[] Batch(params ContractParameter[] own) =>
        new[] { new ContractParameter("count", ContractParameterKind.Count, SpanRole.Read, new ContractSize[0], EmptySpan.Refused), Read("parameters", Parameters), Read("inputs", Inputs), Read("data", BatchData) }
            .Concat(own)
            .Append(new ContractParameter("workspace", ContractParameterKind.Workspace, SpanRole.Read, new ContractSize[0], EmptySpan.Refused))
            .ToArray();

    private static ContractParameter Read(string name, ContractSize[] length) => new(name, ContractParameterKind.Span, SpanRole.Read, length, EmptySpan.Refused);

    private static ContractParameter Write(string name, ContractSize[] length) => new(name, ContractParameterKind.Span, SpanRole.Overwritten, length, EmptySpan.Refused);

    private static ContractParameter Add(string name, params ContractSize[] length) => new(name, ContractParameterKind.Span, SpanRole.Accumulated, length, EmptySpan.Refused);

    private static ContractParameter Block(string name, params ContractSize[] length) => new(name, ContractParameterKind.Span, SpanRole.Accumulated, length, EmptySpan.AllowedForZeroBlock);
}
