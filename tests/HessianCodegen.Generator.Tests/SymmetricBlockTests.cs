using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using HessianCodegen.Generator.Emission;
using HessianCodegen.Generator.Helpers;
using HessianCodegen.Generator.Symbolic;
using HessianCodegen.Generator.Tests.Infrastructure;
using Xunit;

namespace HessianCodegen.Generator.Tests;

/// <summary>
/// Xxx is symmetric: the block of (c, W) is the transpose of that of (W, c). The generator
/// differentiates and plans each pair of parameter tensors once, and writes each value of a block
/// off the diagonal to both of its places. A diagonal block (Xzz, the block of (W, W)) whose value it
/// proves symmetric is visited over one triangle, each value off the diagonal added to both places;
/// the numerical tests (DerivativeBlockTests against finite differences, AccumulationTests) check the values.
/// </summary>
public sealed class SymmetricBlockTests
{
    private static readonly Regex XxxWrite = new(@"^\s*xxx\[(?<address>.+)\] \+= (?<value>.+);$", RegexOptions.Compiled);

    [Fact]
    public void EachOffDiagonalValueIsComputedOnceAndWrittenToBothBlocks()
    {
        // The standard activation layers' blocks come from batch kernels now; the residual layer keeps per-example code.
        string[] lines = AddSecondDerivatives(GeneratorHarness.EmitResidual("Tanh"));

        Assert.Contains(lines, line => line.Contains("xxx += Xxx, the block of (W, c), mirrored to (c, W)"));
        Assert.DoesNotContain(lines, line => line.Contains("the block of (c, W)"));

        // Every write to the (W, c) block (columns from cOffset on, rows before) is followed by the
        // same value written to the transposed place, in the block of (c, W).
        var writes = lines.Select((line, k) => (Match: XxxWrite.Match(line), Line: k)).Where(write => write.Match.Success).ToList();
        var mixed = writes.Where(write => write.Match.Groups["address"].Value.StartsWith("cOffset + ")).ToList();
        Assert.NotEmpty(mixed);
        foreach (var write in mixed)
        {
            Match next = XxxWrite.Match(lines[write.Line + 1]);
            Assert.True(next.Success && next.Groups["value"].Value == write.Match.Groups["value"].Value && next.Groups["address"].Value.StartsWith("cOffset * parameterCount + "),
                $"'{lines[write.Line].Trim()}' is not followed by the same value written to the block of (c, W): '{lines[write.Line + 1].Trim()}'");
        }
    }

    [Theory]
    [InlineData("Tanh", "width")]
    [InlineData("Sigmoid", "width")]
    [InlineData("SoftplusLayer.cs", "inputs")]
    public void DiagonalBlocksOfAnActivationLayerVisitOneTriangleAndMirrorOffTheDiagonal(string layer, string inputs)
    {
        // Tanh and sigmoid in a residual layer: the standard layers' blocks come from batch kernels now.
        string[] lines = AddSecondDerivatives(layer.EndsWith(".cs") ? Emit(layer) : GeneratorHarness.EmitResidual(layer));

        Assert.Contains(lines, line => line.Contains("xxx += Xxx, the block of (W, W), one triangle, mirrored"));
        Assert.Contains(lines, line => line.Contains("xzz += Xzz, one triangle, mirrored"));

        // Every write to xzz sits in the triangle loop k <= j, and its transposed write only off the diagonal.
        string[] body = lines.Select(line => line.Trim()).ToArray();
        int triangle = System.Array.IndexOf(body, "for (int k = 0; k <= j; k++)");
        Assert.True(triangle >= 0, "no loop over the triangle k <= j");
        int[] writes = Enumerable.Range(0, body.Length).Where(k => body[k].StartsWith("xzz[")).ToArray();
        Assert.Equal(2, writes.Length);
        Assert.StartsWith($"xzz[j * {inputs} + k] += ", body[writes[0]]);
        Assert.Equal("if (k != j)", body[writes[1] - 2]);
        Assert.StartsWith($"xzz[k * {inputs} + j] += ", body[writes[1]]);
        Assert.Equal(body[writes[0]].Split(" += ")[1], body[writes[1]].Split(" += ")[1]);
    }

    [Fact]
    public void ABlockIsVisitedOverATriangleOnlyWhenItsValueIsProvedSymmetric()
    {
        // Xzz of the softmax layer is symmetric only once summed over the classes; the term the generator
        // plans for one class, W[k, j] * (W[k, i] - sum1[i]), is not, so that block keeps its full square.
        string[] lines = AddSecondDerivatives(Emit("SoftmaxCrossEntropyLayer.cs"));
        Assert.Contains(lines, line => line.Trim() == "// For each i < inputs: xzx += Xzx, the rows of W; xzz += Xzz");
        Assert.DoesNotContain(lines, line => line.Contains("xzz += Xzz, one triangle"));
        Assert.Contains(lines, line => line.Contains("xxx += Xxx, the block of (W, W), one triangle, mirrored"));
    }

    [Fact]
    public void TheProofSwapsTheIndicesAndComparesTheValues()
    {
        var inputs = Extent.Of("inputs");
        var w = new TensorRef("W", new[] { Extent.Of("outputs"), inputs }.ToEquatableArray());
        var z = new TensorRef("z", new[] { inputs }.ToEquatableArray());
        IndexRef i = IndexRef.Loop("i"), j = IndexRef.Loop("j"), k = IndexRef.Loop("k");
        var loops = new List<Loop> { new("i", Extent.Of("outputs")), new("j", inputs), new("k", inputs) };
        var pairs = new[] { (j, k) };
        var none = new Dictionary<string, IndexRef>();

        Node symmetric = Expr.Multiply(Expr.Element(w, i, j), Expr.Element(w, i, k), Expr.Element(z, j), Expr.Element(z, k));
        Assert.Equal(new[] { ("j", "k") }, SymmetricBlocks.SwappedPairs(pairs, none, loops, symmetric));

        // Same tensors, same index roles, but W[i, j] * z[k] is not W[i, k] * z[j].
        Node skew = Expr.Multiply(Expr.Element(w, i, j), Expr.Element(z, k));
        Assert.Null(SymmetricBlocks.SwappedPairs(pairs, none, loops, skew));

        // Symmetric in (j, k) only as a sum of two terms that are each other's transposes.
        Node sumOfTransposes = Expr.Add(skew, Expr.Multiply(Expr.Element(w, i, k), Expr.Element(z, j)));
        Assert.Equal(new[] { ("j", "k") }, SymmetricBlocks.SwappedPairs(pairs, none, loops, sumOfTransposes));

        // A pair a delta joined (k bound to j) is on the diagonal: nothing to swap, no triangle.
        Assert.Null(SymmetricBlocks.SwappedPairs(pairs, new Dictionary<string, IndexRef> { ["k"] = j }, loops, symmetric));
    }

    private static string Emit(string layerFile)
    {
        var source = GeneratorHarness.StandardLayerSources().Single(layer => layer.Path.EndsWith(layerFile));
        return GeneratorHarness.Run(GeneratorHarness.Compile([source])).Result.GeneratedTrees.Single().ToString();
    }

    private static string[] AddSecondDerivatives(string emitted)
    {
        string[] lines = emitted.Split('\n');
        int start = System.Array.FindIndex(lines, line => line.Contains("public void AddSecondDerivatives("));
        int end = System.Array.FindIndex(lines, start + 1, line => line.StartsWith("        }"));
        return lines[start..end];
    }
}
