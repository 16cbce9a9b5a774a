using System.Linq;
using HessianCodegen.Generator.Tests.Infrastructure;
using Xunit;

namespace HessianCodegen.Generator.Tests;

/// <summary>
/// The emitted loops take the user's own index names, and renaming an index is a change the
/// incremental pipeline sees (the IR treats renamed reductions as equal values). The layer is softplus, which
/// has no batch kernel: its derivative blocks keep the per-example loops these names are in.
/// </summary>
public sealed class IndexNameTests
{
    private static string Layer(string output, string sum) => $$"""
        using HessianCodegen;
        using static HessianCodegen.LayerMath;

        namespace Samples;

        [HessianLayer]
        public sealed partial class Named(int inputs, int outputs)
        {
            private readonly Vector z = Input(inputs);
            private readonly Matrix W = Parameter(outputs, inputs);
            private readonly Vector c = Parameter(outputs);

            private double Output(int {{output}}) => Softplus(Sum({{sum}} => W[{{output}}, {{sum}}] * z[{{sum}}]) + c[{{output}}]);
        }
        """;

    [Fact]
    public void LoopsAreNamedAfterTheUsersIndices()
    {
        string emitted = Emit(Layer("k", "m"));

        Assert.Contains("for (int k = 0; k < outputs; k++)", emitted);
        Assert.Contains("for (int m = 0; m < inputs; m++)", emitted);
        Assert.DoesNotContain("for (int i = 0; i < outputs; i++)", emitted);
    }

    [Fact]
    public void RenamingAnIndexReEmitsTheLayer()
    {
        var compilation = GeneratorHarness.Compile("Named.cs", Layer("i", "j"));
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        var renamed = compilation.ReplaceSyntaxTree(compilation.SyntaxTrees.Single(), GeneratorHarness.Parse("Named.cs", Layer("i", "m")));

        string emitted = driver.RunGenerators(renamed).GetRunResult().GeneratedTrees.Single().ToString();

        Assert.Contains("for (int m = 0; m < inputs; m++)", emitted);
    }

    private static string Emit(string source) =>
        GeneratorHarness.Run(GeneratorHarness.Compile("Named.cs", source)).Result.GeneratedTrees.Single().ToString();
}
