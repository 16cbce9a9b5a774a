using System;
using System.Linq;
using HessianCodegen.Layers;
using Xunit;

namespace HessianCodegen.Generator.Tests.Numerics;

/// <summary>
/// The per-example data span of the loss layers: a label takes one slot holding the class as a
/// double, a target vector takes its length in slots, fields in declaration order.
/// </summary>
public sealed class LossDataLayoutTests
{
    [Fact]
    public void SoftmaxCrossEntropyReadsTheLabelFromItsOneSlot()
    {
        IHessianLayer layer = new SoftmaxCrossEntropyLayer(3, 5);
        var at = LayerPoint.Create(layer, seed: 7, keepAwayFromKink: false);
        var logits = ForwardTests.PreActivation(layer, at);
        double logSumExp = Math.Log(logits.Sum(Math.Exp));

        Assert.True(layer.IsLoss);
        Assert.Equal(1, layer.OutputSize);
        Assert.Equal(1, layer.DataSize);
        Assert.Equal([new DataField("label", 0, DataKind.ClassLabel, 5)], layer.DataLayout);
        for (int label = 0; label < 5; label++)
        {
            var loss = LayerProbe.Forward(layer, at with { Data = [label] });
            DenseAlgebra.AssertClose($"loss with label {label}", loss, [logSumExp - logits[label]], 1e-14);
        }
    }

    [Fact]
    public void MeanSquaredErrorReadsTheTargetVectorFromItsSlots()
    {
        IHessianLayer layer = new MeanSquaredErrorLayer(6, 2);
        var at = LayerPoint.Create(layer, seed: 11, keepAwayFromKink: false);
        var predictions = ForwardTests.PreActivation(layer, at);

        Assert.True(layer.IsLoss);
        Assert.Equal(1, layer.OutputSize);
        Assert.Equal(2, layer.DataSize);
        Assert.Equal([new DataField("target", 0, DataKind.Target, 2)], layer.DataLayout);
        foreach (double[] target in new[] { new[] { 0.5, -1.5 }, new[] { -2.0, 3.0 }, predictions })
        {
            double expected = 0.5 * (Math.Pow(predictions[0] - target[0], 2) + Math.Pow(predictions[1] - target[1], 2));
            DenseAlgebra.AssertClose($"loss with target [{string.Join(", ", target)}]",
                LayerProbe.Forward(layer, at with { Data = target }), [expected], 1e-14);
        }
    }

    [Fact]
    public void HiddenLayersReadNoData()
    {
        IHessianLayer layer = new TanhLayer(3, 5);

        Assert.False(layer.IsLoss);
        Assert.Equal(0, layer.DataSize);
        Assert.Empty(layer.DataLayout);
    }
}
