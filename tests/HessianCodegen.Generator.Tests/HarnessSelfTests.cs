using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using HessianCodegen.Generator.Tests.Infrastructure;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace HessianCodegen.Generator.Tests;

/// <summary>
/// The test helpers themselves: a walker that finds nothing, a scrubber that scrubs nothing or a
/// mutator that is not reproducible would let the tests above pass without testing anything.
/// </summary>
public sealed class HarnessSelfTests
{
    private sealed record Holder(string Name, IReadOnlyList<object> Items);

    [Fact]
    public void TheWalkerFindsASyntaxNodeDeepInAModel()
    {
        var node = SyntaxFactory.ParseExpression("1 + 2");
        var model = new Holder("outer", [new Holder("inner", [ImmutableArray.Create<object>(3, node)])]);

        var found = ForbiddenStateWalker.FindForbiddenState(model, "model");

        Assert.Single(found);
        Assert.Contains("BinaryExpressionSyntax", found[0]);
    }

    [Fact]
    public void TheUnusedLocalsCheckFindsALocalThatIsNeverRead()
    {
        var compilation = GeneratorHarness.Compile("Dead.cs", """
            public static class Dead
            {
                public static double Twice(double x)
                {
                    int offset = 3 * (int)x;
                    double used = 2.0 * x;
                    return used;
                }
            }
            """);

        var unused = UnusedLocals.In(compilation, compilation.SyntaxTrees.Single());

        Assert.Single(unused);
        Assert.Contains("'offset'", unused[0]);
    }

    [Fact]
    public void TheWalkerAcceptsPlainValues()
    {
        var model = new Holder("outer", [1.5, "text", ImmutableArray.Create(1, 2), new Holder("cycle", [])]);

        Assert.Empty(ForbiddenStateWalker.FindForbiddenState(model, "model"));
    }

    [Fact]
    public void ScrubbingRemovesTheGeneratorVersionAndCarriageReturns()
    {
        string emitted = "[global::System.CodeDom.Compiler.GeneratedCode(\"HessianCodegen\", \"1.2.3+abc\")]\r\nclass A { }\r\n";

        Assert.Equal(
            "[global::System.CodeDom.Compiler.GeneratedCode(\"HessianCodegen\", \"{scrubbed-version}\")]\nclass A { }\n",
            Snapshot.Scrub(emitted));
    }

    [Fact]
    public void MutationsAreReproducibleFromTheirSeed()
    {
        var (_, text) = GeneratorHarness.StandardLayerSources()[0];

        Assert.All(System.Enum.GetValues<Mutation>(), mutation =>
            Assert.Equal(SourceMutator.Mutate(text, mutation, seed: 3), SourceMutator.Mutate(text, mutation, seed: 3)));
    }
}
