using System;
using System.Linq;
using HessianCodegen.Layers;
using Xunit;

namespace HessianCodegen.Generator.Tests.Numerics;

/// <summary>
/// <see cref="IHessianLayer.NonZeroSecondDerivatives"/>: the runtime stores no block a layer leaves out, so a
/// block declared zero must be zero at every point (checked on random points of every case), and the standard
/// layers must leave out what their math makes zero (else the storage is not saved).
/// </summary>
public sealed class ZeroBlockTests
{
    private const int Points = 5;

    public static TheoryData<string> Cases => LayerCases.Ids;

    [Theory]
    [MemberData(nameof(Cases))]
    public void BlocksDeclaredZeroAreZeroAtRandomPoints(string id)
    {
        LayerCase layerCase = LayerCases.All[id];
        IHessianLayer layer = layerCase.Create();
        SecondDerivativeBlocks declared = layer.NonZeroSecondDerivatives;
        for (int salt = 0; salt < Points; salt++)
        {
            var (xxx, xzx, xzz) = LayerProbe.SecondDerivatives(layer, layerCase.Point(salt));
            AssertZeroUnlessDeclared(declared, SecondDerivativeBlocks.Xxx, xxx, id);
            AssertZeroUnlessDeclared(declared, SecondDerivativeBlocks.Xzx, xzx, id);
            AssertZeroUnlessDeclared(declared, SecondDerivativeBlocks.Xzz, xzz, id);
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void BlocksDeclaredZeroMayBePassedEmpty(string id)
    {
        LayerCase layerCase = LayerCases.All[id];
        IHessianLayer layer = layerCase.Create();
        LayerPoint at = layerCase.Point();
        SecondDerivativeBlocks declared = layer.NonZeroSecondDerivatives;
        var (xxx, xzx, xzz) = LayerProbe.SecondDerivatives(layer, at);
        double[] xxxOrEmpty = Declared(declared, SecondDerivativeBlocks.Xxx) ? new double[xxx.Length] : [];
        double[] xzxOrEmpty = Declared(declared, SecondDerivativeBlocks.Xzx) ? new double[xzx.Length] : [];
        double[] xzzOrEmpty = Declared(declared, SecondDerivativeBlocks.Xzz) ? new double[xzz.Length] : [];

        layer.AddSecondDerivatives(at.Parameters, at.Input, at.Data, at.OutputAdjoint, xxxOrEmpty, xzxOrEmpty, xzzOrEmpty);

        Assert.Equal(Declared(declared, SecondDerivativeBlocks.Xxx) ? xxx : [], xxxOrEmpty);
        Assert.Equal(Declared(declared, SecondDerivativeBlocks.Xzx) ? xzx : [], xzxOrEmpty);
        Assert.Equal(Declared(declared, SecondDerivativeBlocks.Xzz) ? xzz : [], xzzOrEmpty);
    }

    [Fact]
    public void StandardLayersLeaveOutTheBlocksTheirMathMakesZero()
    {
        // ReLU's second derivative vanishes: only W z's bilinear term remains, in Xzx. A linear layer is the same.
        // The parameterless losses have only Xzz; the smooth activations and the fused losses have all three.
        Assert.Equal(SecondDerivativeBlocks.Xzx, new ReluLayer(3, 2).NonZeroSecondDerivatives);
        Assert.Equal(SecondDerivativeBlocks.Xzx, new LinearLayer(3, 2).NonZeroSecondDerivatives);
        Assert.Equal(SecondDerivativeBlocks.Xzz, new SoftmaxCrossEntropyLoss(3).NonZeroSecondDerivatives);
        Assert.Equal(SecondDerivativeBlocks.Xzz, new SquaredErrorLoss(3).NonZeroSecondDerivatives);
        IHessianLayer[] full = [new TanhLayer(3, 2), new SigmoidLayer(3, 2), new SoftplusLayer(3, 2), new SoftmaxCrossEntropyLayer(3, 2), new MeanSquaredErrorLayer(3, 2)];
        Assert.All(full, layer => Assert.Equal(SecondDerivativeBlocks.All, layer.NonZeroSecondDerivatives));
    }

    [Fact]
    public void AHandWrittenLayerIsTakenToHaveEveryBlock() =>
        Assert.Equal(SecondDerivativeBlocks.All, ((IHessianLayer)new HandWrittenTanhLayer(3, 2)).NonZeroSecondDerivatives);

    [Fact]
    public void ABlockTheLayerCanMakeNonZeroMayNotBePassedEmpty()
    {
        var layer = new ReluLayer(3, 2);
        LayerPoint at = LayerPoint.Create(layer, 1, keepAwayFromKink: true);
        Assert.Throws<ArgumentException>(() =>
            layer.AddSecondDerivatives(at.Parameters, at.Input, at.Data, at.OutputAdjoint, [], [], []));
    }

    private static bool Declared(SecondDerivativeBlocks declared, SecondDerivativeBlocks block) => (declared & block) != 0;

    private static void AssertZeroUnlessDeclared(SecondDerivativeBlocks declared, SecondDerivativeBlocks block, double[] values, string id)
    {
        if (!Declared(declared, block))
        {
            int index = Array.FindIndex(values, value => value != 0);
            Assert.True(index < 0, $"{id} declares {block} zero, but entry {index} is {(index < 0 ? 0 : values[index])}");
        }
    }
}
