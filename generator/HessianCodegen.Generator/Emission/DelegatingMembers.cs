using System.Collections.Generic;
using System.Linq;
using HessianCodegen.Generator.Helpers;
using HessianCodegen.Generator.Model;

namespace HessianCodegen.Generator.Emission;

/// <summary>
/// The per-example members of a layer that has batched members, written as calls of their batched twins with
/// <c>count</c> 1 on the calling thread's scratch workspace (<c>LayerWorkspace.ForThisThread</c>): the batch is the
/// unit of work, and the math is emitted once. A batched argument the per-example member has no span for is
/// passed empty when the contract allows it (the result is then not computed), otherwise a discarded scratch.
/// </summary>
internal static class DelegatingMembers
{
    private const string Workspace = "global::HessianCodegen.LayerWorkspace";

    /// <summary>Which batched members each per-example member calls, in order, and the arguments not found by name.</summary>
    private static readonly (ContractMember Member, ContractMember[] Calls, Dictionary<string, string?> Renamed)[] Delegations =
    {
        (ContractMembers.Forward, new[] { ContractMembers.ForwardBatch }, new()),
        (ContractMembers.BackpropInput, new[] { ContractMembers.ForwardBatch, ContractMembers.BackwardBatch }, new()),
        (ContractMembers.AddParameterGradient, new[] { ContractMembers.ForwardBatch, ContractMembers.BackwardBatch }, new()),
        (ContractMembers.Tangent, new[] { ContractMembers.TangentBatch }, new()),
        // SecondOrderInput's result is the input part of the batched member; its parameter part is not wanted.
        (ContractMembers.SecondOrderInput, new[] { ContractMembers.TangentBatch, ContractMembers.SecondOrderBatch }, new() { ["inputAdjointTangents"] = "result", ["result"] = null }),
        (ContractMembers.AddSecondOrderParameters, new[] { ContractMembers.TangentBatch, ContractMembers.SecondOrderBatch }, new()),
    };

    /// <summary>The derivative blocks, which call their batched twins when the layer has them (an element-wise activation of its sums).</summary>
    private static readonly (ContractMember Member, ContractMember[] Calls, Dictionary<string, string?> Renamed)[] BlockDelegations =
    {
        (ContractMembers.AddJacobians, new[] { ContractMembers.AddJacobiansBatch }, new()),
        (ContractMembers.AddSecondDerivatives, new[] { ContractMembers.AddSecondDerivativesBatch }, new()),
    };

    /// <summary>
    /// Writes the six members of the gradient and <c>H v</c> as calls of their batched twins, and with
    /// <paramref name="blocks"/> the two derivative-block members too; a block in <paramref name="zeroBlocks"/> may be passed empty.
    /// </summary>
    public static void Write(SourceWriter writer, LayerModel layer, LayerMembers members, bool blocks, IReadOnlyCollection<string> zeroBlocks)
    {
        foreach ((ContractMember member, ContractMember[] calls, Dictionary<string, string?> renamed) in blocks ? Delegations.Concat(BlockDelegations) : Delegations)
        {
            string called = string.Join(" then ", calls.Select(call => $"<see cref=\"{call.Name}\"/>"));
            using (ContractPrinter.Open(writer, member, $": {called} with <c>count</c> 1, on the calling thread's scratch workspace"))
            {
                ContractPrinter.WriteChecks(writer, member, layer, members, zeroBlocks);
                writer.WriteLine($"{Workspace} workspace = {Workspace}.ForThisThread;");
                foreach (ContractMember call in calls)
                {
                    IEnumerable<string> arguments = call.Parameters.Select(parameter => Argument(member, parameter, renamed, layer, members));
                    writer.WriteLine($"{call.Name}({string.Join(", ", arguments)});");
                }
            }

            writer.WriteLine();
        }
    }

    /// <summary>
    /// The per-example argument for a batched parameter: the count 1, the workspace, the member's span of the same
    /// name or of the name without the batch's plural <c>s</c>, an empty span where the contract lets it mean "not
    /// wanted" (or zero), else a discarded scratch of the right length.
    /// </summary>
    private static string Argument(ContractMember member, ContractParameter parameter, Dictionary<string, string?> renamed, LayerModel layer, LayerMembers members)
    {
        if (parameter.Kind == ContractParameterKind.Count)
        {
            return "1";
        }

        if (parameter.Kind == ContractParameterKind.Workspace)
        {
            return "workspace";
        }

        string? own = renamed.TryGetValue(parameter.Name, out string? name) ? name
            : member.ParameterNames.Contains(parameter.Name) ? parameter.Name
            : member.ParameterNames.Contains(parameter.Name.TrimEnd('s')) ? parameter.Name.TrimEnd('s')
            : null;
        if (own is not null)
        {
            return own;
        }

        if (parameter.Empty == EmptySpan.Allowed)
        {
            return "default";
        }

        if (parameter.Role == SpanRole.Read)
        {
            throw new System.InvalidOperationException($"{member.Name} has no span for {parameter.Name}, which its batched twin reads.");
        }

        string length = ContractPrinter.Length(parameter, size => size == ContractSize.Count ? "1" : ContractPrinter.FieldSizes(layer, members)(size));
        return $"workspace.Discarded(\"{parameter.Name}\", {length})";
    }
}
