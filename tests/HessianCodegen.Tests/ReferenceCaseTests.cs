using System.IO;
using System.Linq;
using System.Text.Json;
using HessianCodegen.Tests.Infrastructure;
using Xunit;

namespace HessianCodegen.Tests;

/// <summary><see cref="ReferenceCase.Parse"/> on a published case, against the JSON read independently.</summary>
public sealed class ReferenceCaseTests
{
    [Fact]
    public void ParseReadsTheNameDescriptionLayersAndNumbers()
    {
        string json = File.ReadAllText(OracleFiles.PathOf("tiny-tanh"));
        using JsonDocument document = JsonDocument.Parse(json);
        JsonElement root = document.RootElement;

        ReferenceCase parsed = ReferenceCase.Parse(json, StandardLayers.Create);

        Assert.Equal(root.GetProperty("name").GetString(), parsed.Name);
        Assert.Equal(root.GetProperty("description").GetString(), parsed.Description);
        Assert.False(string.IsNullOrWhiteSpace(parsed.Description));
        ReferenceLayerSpec[] expectedSpecs = root.GetProperty("layers").EnumerateArray()
            .Select(layer => new ReferenceLayerSpec(
                layer.GetProperty("kind").GetString()!,
                layer.TryGetProperty("activation", out JsonElement activation) ? activation.GetString() : null,
                layer.GetProperty("inputs").GetInt32(),
                layer.GetProperty("outputs").GetInt32()))
            .ToArray();
        Assert.Equal(expectedSpecs, parsed.LayerSpecs);
        Assert.Equal(expectedSpecs.Length, parsed.Network.Depth);
        Assert.Equal(root.GetProperty("loss").GetDouble(), parsed.Loss);
        Assert.Equal(root.GetProperty("parameters").EnumerateArray().Select(value => value.GetDouble()), parsed.Parameters);
        Assert.Equal(root.GetProperty("solves").GetArrayLength(), parsed.Solves.Count);
    }
}
