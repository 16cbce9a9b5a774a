using System;
using HessianCodegen.Layers;
using Xunit;

namespace HessianCodegen.Tests;

/// <summary>
/// The layer language's declarations at run time: sizes must be positive, and the generated
/// <c>ParameterCountFor</c> gives what a constructed layer has, before constructing one.
/// </summary>
public sealed class LayerDeclarationTests
{
    [Fact]
    public void NonPositiveSizesAreRejectedNamingTheSize()
    {
        AssertRejects(() => LayerMath.Input(0), "length", 0);
        AssertRejects(() => LayerMath.Parameter(-2), "length", -2);
        AssertRejects(() => LayerMath.Parameter(0, 3), "rows", 0);
        AssertRejects(() => LayerMath.Parameter(3, -1), "columns", -1);
        AssertRejects(() => LayerMath.Target(0), "length", 0);
        AssertRejects(() => LayerMath.ClassLabel(0), "classes", 0);
        AssertRejects(() => new TanhLayer(0, 4), "length", 0);
    }

    [Fact]
    public void ParameterCountForMatchesTheDeclarations()
    {
        // W is outputs x inputs, then c: 5 * 3 + 5 = 20 for every standard layer at (3, 5).
        Assert.Equal(20, LinearLayer.ParameterCountFor(3, 5));
        Assert.Equal(20, TanhLayer.ParameterCountFor(3, 5));
        Assert.Equal(20, SigmoidLayer.ParameterCountFor(3, 5));
        Assert.Equal(20, SoftplusLayer.ParameterCountFor(3, 5));
        Assert.Equal(20, ReluLayer.ParameterCountFor(3, 5));
        Assert.Equal(20, SoftmaxCrossEntropyLayer.ParameterCountFor(3, 5));
        Assert.Equal(20, MeanSquaredErrorLayer.ParameterCountFor(3, 5));
        Assert.Equal(6 * 2 + 6, TanhLayer.ParameterCountFor(2, 6));
        Assert.Equal(new SoftmaxCrossEntropyLayer(7, 4).ParameterCount, SoftmaxCrossEntropyLayer.ParameterCountFor(7, 4));
    }

    private static void AssertRejects(Action declare, string size, int value)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(declare);
        Assert.Equal(size, error.ParamName);
        Assert.Equal(value, error.ActualValue);
        Assert.Contains($"{size} was {value}", error.Message, StringComparison.Ordinal);
        Assert.Contains("positive", error.Message, StringComparison.Ordinal);
    }
}
