using System.Collections.Generic;
using System.Linq;
using HessianCodegen.Generator.Differentiation;
using HessianCodegen.Generator.Parsing;
using HessianCodegen.Generator.Symbolic;
using HessianCodegen.Generator.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Xunit;

namespace HessianCodegen.Generator.Tests;

/// <summary>
/// The derivatives of nested activations, and the code emitted for them, grow linearly with the
/// nesting: doubling the depth from 20 to 40 adds about twice what doubling it from 10 to 20 added
/// (a quadratic growth would add four times as much). Sizes, never times, so the test is exact.
/// </summary>
public sealed class NestingGrowthTests
{
    // Twice the increment, with room for the constant parts of a level that differ at small depths.
    private const double LinearGrowth = 2.2;

    private static readonly int[] Depths = [10, 20, 40];

    [Fact]
    public void DerivativeNodesGrowLinearlyWithTheNesting()
    {
        int[] nodes = Depths.Select(depth => DistinctNodes(new SymbolicLayerDerivatives(Model(depth)))).ToArray();

        AssertLinear(nodes);
    }

    [Fact]
    public void EmittedCodeGrowsLinearlyWithTheNesting()
    {
        int[] characters = Depths.Select(depth => Emit(depth).Length).ToArray();
        int[] longestLines = Depths.Select(depth => Emit(depth).Split('\n').Max(line => line.Length)).ToArray();

        AssertLinear(characters);
        AssertLinear(longestLines);
    }

    private static void AssertLinear(int[] sizes)
    {
        double first = sizes[1] - sizes[0];
        double second = sizes[2] - sizes[1];
        Assert.True(second <= LinearGrowth * first, $"Sizes at depths 10, 20, 40: {string.Join(", ", sizes)}; from 20 to 40 they grew {second / first:F2} times as much as from 10 to 20.");
    }

    private static string Layer(int depth)
    {
        string math = "Sum(j => W[i, j] * z[j]) + c[i]";
        for (int level = 0; level < depth; level++)
        {
            math = "Tanh(" + math + ")";
        }

        return $$"""
            using HessianCodegen;
            using static HessianCodegen.LayerMath;

            namespace Samples;

            [HessianLayer]
            public sealed partial class Nested(int inputs, int outputs)
            {
                private readonly Vector z = Input(inputs);
                private readonly Matrix W = Parameter(outputs, inputs);
                private readonly Vector c = Parameter(outputs);

                private double Output(int i) => {{math}};
            }
            """;
    }

    private static string Emit(int depth) =>
        GeneratorHarness.Run(GeneratorHarness.Compile("Nested.cs", Layer(depth))).Result.GeneratedTrees.Single().ToString();

    private static Model.LayerModel Model(int depth)
    {
        var compilation = GeneratorHarness.Compile("Nested.cs", Layer(depth));
        var tree = compilation.SyntaxTrees.Single();
        var declaration = tree.GetRoot().DescendantNodes().OfType<ClassDeclarationSyntax>().Single();
        var semanticModel = compilation.GetSemanticModel(tree);
        return LayerParser.Parse(declaration, (INamedTypeSymbol)semanticModel.GetDeclaredSymbol(declaration)!, semanticModel).Model!;
    }

    /// <summary>The nodes of every derivative, each object counted once (the DAG, not the tree it spells).</summary>
    private static int DistinctNodes(SymbolicLayerDerivatives d)
    {
        IEnumerable<Node> roots = new[] { d.Output, d.Tangent, d.InputAdjoint, d.SecondOrderInput, d.InputJacobian, d.InputInput }
            .Concat(d.ParameterGradient.Concat(d.SecondOrderParameters).Concat(d.ParameterJacobians).Concat(d.ParameterInput).Select(p => p.Value))
            .Concat(d.ParameterPairs.Select(pair => pair.Value));
        var seen = new HashSet<Node>(ReferenceEqualityComparer.Instance);
        var pending = new Stack<Node>(roots);
        while (pending.Count > 0)
        {
            Node node = pending.Pop();
            if (seen.Add(node))
            {
                foreach (Node child in node.Children)
                {
                    pending.Push(child);
                }
            }
        }

        return seen.Count;
    }
}
