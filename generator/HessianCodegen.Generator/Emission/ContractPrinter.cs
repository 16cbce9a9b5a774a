using System;
using System.Collections.Generic;
using System.Linq;
using HessianCodegen.Generator.Helpers;
using HessianCodegen.Generator.Model;
using HessianCodegen.Generator.Symbolic;

namespace HessianCodegen.Generator.Emission;

/// <summary>
/// Prints what <see cref="ContractMembers"/> says of a member: its summary, signature and length checks. The
/// three spans every member reads first (the parameters, the input or inputs, the data) are checked by the
/// layer's helper, <c>RequireExample</c> or <c>RequireBatch</c>; each of the member's own spans by one line.
/// </summary>
internal static class ContractPrinter
{
    private const string Span = "global::System.Span<double>";
    private const string ReadOnlySpan = "global::System.ReadOnlySpan<double>";
    private const string Workspace = "global::HessianCodegen.LayerWorkspace";

    /// <summary>Writes the summary (the contract's, then <paramref name="detail"/>), the attribute and the signature, and opens the body.</summary>
    public static SourceWriter.BlockScope Open(SourceWriter writer, ContractMember member, string detail = "")
    {
        writer.WriteLine($"/// <summary>{member.Summary}{detail}.</summary>");
        writer.WriteLine(LayerEmitter.GeneratedCode);
        return writer.Block(Signature("public", member.Name, member.Parameters));
    }

    public static string Signature(string modifiers, string name, IEnumerable<ContractParameter> parameters) =>
        $"{modifiers} void {name}({string.Join(", ", parameters.Select(Declaration))})";

    public static string Declaration(ContractParameter parameter) => parameter.Kind switch
    {
        ContractParameterKind.Count => "int " + parameter.Name,
        ContractParameterKind.Workspace => Workspace + " " + parameter.Name,
        _ => (parameter.Role == SpanRole.Read ? ReadOnlySpan : Span) + " " + parameter.Name,
    };

    /// <summary>The member's own spans, after the three the layer's helper checks.</summary>
    public static IEnumerable<ContractParameter> OwnSpans(ContractMember member) =>
        member.Parameters.Where(parameter => parameter.IsSpan).Skip(3);

    /// <summary>A span's length in C#, from the code of each size (a factor 1 left out).</summary>
    public static string Length(ContractParameter parameter, Func<ContractSize, string> size)
    {
        var factors = parameter.Length.Select(size).Where(factor => factor != "1").ToList();
        return factors.Count == 0 ? "1" : string.Join(" * ", factors);
    }

    /// <summary>The check of one span: exactly its length, or empty when <paramref name="allowEmpty"/>.</summary>
    public static string Check(string span, string length, bool allowEmpty) => allowEmpty
        ? $"RequireLength({span}.Length, {span}.IsEmpty ? 0 : {length}, nameof({span}));"
        : $"RequireLength({span}.Length, {length}, nameof({span}));";

    /// <summary>
    /// Writes the checks of a member's spans, the sizes read from the class's fields; a block named in
    /// <paramref name="zeroBlocks"/> (zero everywhere, left out of <c>NonZeroSecondDerivatives</c>) may be empty.
    /// </summary>
    public static void WriteChecks(SourceWriter writer, ContractMember member, LayerModel layer, LayerMembers members, IReadOnlyCollection<string>? zeroBlocks = null)
    {
        writer.WriteLine(member.IsBatched ? "RequireBatch(count, parameters, inputs, data);" : "RequireExample(parameters, input, data);");
        foreach (ContractParameter span in OwnSpans(member))
        {
            writer.WriteLine(Check(span.Name, Length(span, FieldSizes(layer, members)), AllowsEmpty(span, zeroBlocks)));
        }
    }

    /// <summary>Whether <paramref name="span"/> may be passed empty: always, or as a block named in <paramref name="zeroBlocks"/> (zero everywhere).</summary>
    public static bool AllowsEmpty(ContractParameter span, IReadOnlyCollection<string>? zeroBlocks) =>
        span.Empty == EmptySpan.Allowed || (span.Empty == EmptySpan.AllowedForZeroBlock && zeroBlocks is not null && zeroBlocks.Contains(span.Name));

    /// <summary>
    /// The sizes as the class's fields, as <c>this.</c> (a batched member's <c>inputs</c> and <c>outputs</c> may
    /// hide a size's name); the count is the batched members' <c>count</c>.
    /// </summary>
    public static Func<ContractSize, string> FieldSizes(LayerModel layer, LayerMembers members) => size => size switch
    {
        ContractSize.Count => "count",
        ContractSize.Parameters => "this." + members.ParameterCount,
        ContractSize.Input => Field(members, layer.Input.Dimensions[0]),
        ContractSize.Output => layer.IsLoss ? "1" : Field(members, layer.OutputExtent!),
        _ => "DataSize",
    };

    private static string Field(LayerMembers members, Extent extent) =>
        extent.Parameter is null ? CodeLiterals.Int(extent.Literal) : "this." + members.Sizes[extent.Parameter];
}
