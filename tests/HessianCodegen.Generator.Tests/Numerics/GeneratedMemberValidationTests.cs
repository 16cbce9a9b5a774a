using System;
using System.Linq;
using Xunit;

namespace HessianCodegen.Generator.Tests.Numerics;

/// <summary>
/// The checks every generated member makes on its own arguments: a span of the wrong length throws
/// <see cref="ArgumentException"/> naming the span, the length given and the length expected; a
/// label outside <c>[0, classes)</c> or not a whole number throws <see cref="ArgumentOutOfRangeException"/>.
/// </summary>
public sealed class GeneratedMemberValidationTests
{
    /// <summary>Every generated layer at one size, with every member.</summary>
    public static TheoryData<string, string> LayersAndMembers()
    {
        var data = new TheoryData<string, string>();
        // One size per layer: (3, 5), or 5 for a parameterless layer.
        foreach (var layerCase in LayerCases.All.Values.Where(c =>
                     c.Name != nameof(HandWrittenTanhLayer) && (c.Affine ? c.Inputs == 3 && c.Outputs == 5 : c.Inputs == 5)))
        {
            foreach (MemberCall call in MemberCall.All)
            {
                data.Add(layerCase.Id, call.Member);
            }
        }

        return data;
    }

    public static TheoryData<string> Members => new(MemberCall.All.Select(call => call.Member));

    [Theory]
    [MemberData(nameof(LayersAndMembers))]
    public void EverySpanOfTheWrongLengthIsRejected(string id, string member)
    {
        var layerCase = LayerCases.All[id];
        IHessianLayer layer = layerCase.Create();
        MemberCall call = MemberCall.All.Single(c => c.Member == member);
        double[] data = layerCase.Point().Data;
        int[] lengths = call.Lengths(layer);

        // The control: right lengths, no exception.
        call.Invoke(layer, call.Arguments(layer, data));

        for (int k = 0; k < lengths.Length; k++)
        {
            foreach (int wrong in new[] { lengths[k] + 1, lengths[k] - 1 }.Where(length => length >= 0))
            {
                double[][] arguments = call.Arguments(layer, data);
                arguments[k] = new double[wrong];
                if (call.SpanNames[k] == "data" && wrong > 0)
                {
                    Array.Copy(data, arguments[k], Math.Min(wrong, data.Length));
                }

                var error = Assert.Throws<ArgumentException>(() => call.Invoke(layer, arguments));
                string name = call.SpanNames[k];
                Assert.Equal(name, error.ParamName);
                Assert.Contains($"'{name}'", error.Message, StringComparison.Ordinal);
                Assert.Contains($"length {wrong}", error.Message, StringComparison.Ordinal);
                Assert.Contains($"expected {lengths[k]}", error.Message, StringComparison.Ordinal);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Members))]
    public void LabelOutsideTheClassRangeIsRejected(string member)
    {
        // Softmax cross-entropy over 5 classes: its one data slot holds the label.
        var layerCase = LayerCases.All["SoftmaxCrossEntropyLayer(3,5)"];
        IHessianLayer layer = layerCase.Create();
        MemberCall call = MemberCall.All.Single(c => c.Member == member);

        call.Invoke(layer, call.Arguments(layer, [4.0]));
        foreach (double label in new[] { 5.0, -1.0, 1.5, double.NaN })
        {
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => call.Invoke(layer, call.Arguments(layer, [label])));
            Assert.Equal("label", error.ParamName);
            Assert.Contains("[0, 5)", error.Message, StringComparison.Ordinal);
        }
    }
}
