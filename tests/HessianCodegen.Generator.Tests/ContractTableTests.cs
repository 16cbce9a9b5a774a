using System;
using System.Linq;
using System.Reflection;
using HessianCodegen.Generator.Emission;
using Xunit;

namespace HessianCodegen.Generator.Tests;

/// <summary>
/// The generator prints every contract member's signature and length checks from <see cref="ContractMembers"/>;
/// this checks that table against the interface the runtime declares, so the two cannot drift apart.
/// </summary>
public sealed class ContractTableTests
{
    private static MethodInfo[] InterfaceMethods() =>
        typeof(IHessianLayer).GetMethods().Where(method => !method.IsSpecialName).ToArray();

    [Fact]
    public void EveryMethodOfTheInterfaceIsInTheTableOnce()
    {
        string[] table = ContractMembers.All.Select(member => member.Name).OrderBy(name => name, StringComparer.Ordinal).ToArray();
        string[] declared = InterfaceMethods().Select(method => method.Name).OrderBy(name => name, StringComparer.Ordinal).ToArray();

        Assert.Equal(declared, table);
    }

    [Fact]
    public void ParametersMatchTheInterfaceInNameOrderAndType()
    {
        foreach (ContractMember member in ContractMembers.All)
        {
            MethodInfo method = typeof(IHessianLayer).GetMethod(member.Name)!;
            string[] declared = method.GetParameters().Select(parameter => $"{TypeName(parameter.ParameterType)} {parameter.Name}").ToArray();
            string[] table = member.Parameters.Select(parameter => $"{TableType(parameter)} {parameter.Name}").ToArray();

            Assert.True(declared.SequenceEqual(table), $"{member.Name}: the interface declares ({string.Join(", ", declared)}), the table says ({string.Join(", ", table)}).");
        }
    }

    [Fact]
    public void PerExampleMembersAccumulateExactlyWhenTheirNameStartsWithAdd()
    {
        // The interface's remark: members whose names start with Add accumulate into their result, the others overwrite it.
        foreach (ContractMember member in ContractMembers.PerExample)
        {
            SpanRole expected = member.Name.StartsWith("Add", StringComparison.Ordinal) ? SpanRole.Accumulated : SpanRole.Overwritten;
            Assert.All(member.Parameters.Where(parameter => parameter.Role != SpanRole.Read), parameter => Assert.Equal(expected, parameter.Role));
        }
    }

    [Fact]
    public void BatchedDerivativeBlocksAccumulateAndAreTheirPerExampleTwinsWithACount()
    {
        // AddJacobiansBatch is AddJacobians over count examples: the same spans, each with a count of rows.
        foreach ((ContractMember single, ContractMember batched) in new[] { (ContractMembers.AddJacobians, ContractMembers.AddJacobiansBatch), (ContractMembers.AddSecondDerivatives, ContractMembers.AddSecondDerivativesBatch) })
        {
            Assert.Equal(single.Name + "Batch", batched.Name);
            var own = batched.Parameters.Where(parameter => parameter.IsSpan).Skip(3).ToList();
            Assert.Equal(ContractPrinter.OwnSpans(single).Select(parameter => parameter.Name.TrimEnd('s')), own.Select(parameter => parameter.Name.TrimEnd('s')));
            Assert.All(own.Where(parameter => parameter.Role != SpanRole.Read), parameter => Assert.Equal(SpanRole.Accumulated, parameter.Role));
        }
    }

    [Fact]
    public void BatchedMembersHaveTheCountFirstAndTheWorkspaceLast()
    {
        foreach (ContractMember member in ContractMembers.Batched.Concat(ContractMembers.BatchedBlocks))
        {
            Assert.Equal(ContractParameterKind.Count, member.Parameters[0].Kind);
            Assert.Equal(ContractParameterKind.Workspace, member.Parameters[^1].Kind);
            Assert.All(member.Parameters.Where(parameter => parameter.Name.EndsWith('s') && parameter.IsSpan && parameter.Name != "parameters"),
                parameter => Assert.Equal(ContractSize.Count, parameter.Length[0]));
        }
    }

    private static string TypeName(Type type) =>
        type == typeof(int) ? "int"
        : type == typeof(ReadOnlySpan<double>) ? "ReadOnlySpan<double>"
        : type == typeof(Span<double>) ? "Span<double>"
        : type == typeof(LayerWorkspace) ? "LayerWorkspace"
        : type.FullName!;

    private static string TableType(ContractParameter parameter) => parameter.Kind switch
    {
        ContractParameterKind.Count => "int",
        ContractParameterKind.Workspace => "LayerWorkspace",
        _ => parameter.Role == SpanRole.Read ? "ReadOnlySpan<double>" : "Span<double>",
    };
}
