using System;
using System.Linq;
using Xunit;

namespace HessianCodegen.Generator.Tests.Numerics;

/// <summary>
/// <c>Forward</c> against each layer's math written out by hand, and the declared sizes and layouts
/// against the layer source: the base every derivative test stands on.
/// </summary>
public sealed class ForwardTests
{
    public static TheoryData<string> Cases => LayerCases.Ids;

    /// <summary>The cases whose layer the generator wrote (not the hand-written reference).</summary>
    public static TheoryData<string> GeneratedCases =>
        new(LayerCases.All.Values.Where(layerCase => layerCase.Name != nameof(HandWrittenTanhLayer)).Select(layerCase => layerCase.Id));

    [Theory]
    [MemberData(nameof(Cases))]
    public void ForwardComputesTheLayerMath(string id)
    {
        var layerCase = LayerCases.All[id];
        var layer = layerCase.Create();
        var at = layerCase.Point();

        var expected = layerCase.Reference(layerCase.PreActivation(layer, at), at.Data);

        DenseAlgebra.AssertClose("Forward", LayerProbe.Forward(layer, at), expected, 1e-14);
    }

    [Fact]
    public void ForwardAboveTheStackallocLimitUsesPooledTemporariesCorrectly()
    {
        // 200 classes: the sums and the LogSumExp terms no longer fit the 128-element stack
        // temporaries, so this runs the pooled path; twice, so that a rented array comes back reused.
        var layerCase = LayerCases.All["SoftmaxCrossEntropyLayer(3,5)"] with { Outputs = 200 };
        var layer = layerCase.Create();
        for (int salt = 0; salt < 2; salt++)
        {
            var at = layerCase.Point(salt);
            var expected = layerCase.Reference(PreActivation(layer, at), at.Data);
            DenseAlgebra.AssertClose("Forward", LayerProbe.Forward(layer, at), expected, 1e-13);
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void SizesAndParameterLayoutFollowTheDeclarations(string id)
    {
        var layerCase = LayerCases.All[id];
        var layer = layerCase.Create();
        int inputs = layerCase.Inputs;
        int outputs = layerCase.Outputs;

        Assert.Equal(inputs, layer.InputSize);
        Assert.Equal(layer.IsLoss ? 1 : outputs, layer.OutputSize);
        if (layerCase.Affine)
        {
            Assert.Equal(outputs * inputs + outputs, layer.ParameterCount);
            Assert.Equal(
                [new ParameterBlock("W", 0, outputs, inputs, IsMatrix: true), new ParameterBlock("c", outputs * inputs, outputs, 1, IsMatrix: false)],
                layer.ParameterLayout);
        }
        else
        {
            Assert.True(layer.IsLoss);
            Assert.Equal(0, layer.ParameterCount);
            Assert.Empty(layer.ParameterLayout);
        }

        // What each layer's source declares: no data in a hidden layer, one label slot, or a target of the output width.
        int expectedDataSize = layerCase.Name switch
        {
            "SoftmaxCrossEntropyLayer" or "SoftmaxCrossEntropyLoss" => 1,
            "MeanSquaredErrorLayer" or "ExponentialLossLayer" or "MeanSquaredErrorOverSizeLayer" or "SquaredErrorLoss" => outputs,
            _ => 0,
        };
        Assert.Equal(expectedDataSize, layer.DataSize);
        Assert.Equal(expectedDataSize, layer.DataLayout.Sum(field => field.Width));
    }

    [Theory]
    [MemberData(nameof(GeneratedCases))]
    public void LayoutsCannotBeChangedThroughACast(string id)
    {
        var layer = LayerCases.All[id].Create();

        // A layout handed out as an array could be cast back and overwritten by any caller.
        Assert.False(layer.ParameterLayout is ParameterBlock[]);
        Assert.False(layer.DataLayout is DataField[]);
    }

    /// <summary>
    /// <c>u = W z + c</c> from the flat parameters, W row-major first: the layout every affine layer declares
    /// (<see cref="LayerCase.Affine"/>; <see cref="LayerCase.PreActivation"/> covers the parameterless ones too).
    /// </summary>
    internal static double[] PreActivation(IHessianLayer layer, LayerPoint at)
    {
        int inputs = layer.InputSize;
        int rows = (layer.ParameterCount) / (inputs + 1);
        return Enumerable.Range(0, rows)
            .Select(i => at.Parameters[rows * inputs + i] + Enumerable.Range(0, inputs).Sum(j => at.Parameters[i * inputs + j] * at.Input[j]))
            .ToArray();
    }
}
