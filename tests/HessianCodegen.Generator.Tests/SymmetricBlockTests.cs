using System.Linq;
using System.Text.RegularExpressions;
using HessianCodegen.Generator.Tests.Infrastructure;
using Xunit;

namespace HessianCodegen.Generator.Tests;

/// <summary>
/// Xxx is symmetric: the block of (c, W) is the transpose of that of (W, c). The generator
/// differentiates and plans each pair of parameter tensors once, and writes each value of a block
/// off the diagonal to both of its places; the numerical tests check the values.
/// </summary>
public sealed class SymmetricBlockTests
{
    private static readonly Regex XxxWrite = new(@"^\s*xxx\[(?<address>.+)\] \+= (?<value>.+);$", RegexOptions.Compiled);

    [Fact]
    public void EachOffDiagonalValueIsComputedOnceAndWrittenToBothBlocks()
    {
        string[] lines = AddSecondDerivatives(Emit("TanhLayer.cs"));

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
