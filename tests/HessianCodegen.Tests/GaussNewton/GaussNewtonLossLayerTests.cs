using System;
using HessianCodegen.Layers;
using HessianCodegen.Tests.ReferenceLayers;
using Xunit;
using Xunit.Abstractions;

namespace HessianCodegen.Tests.GaussNewton;

/// <summary>
/// Gauss-Newton needs the loss as its own parameterless layer; asked of a fused loss layer, both entry
/// points refuse with a message that names the split to make.
/// </summary>
public sealed class GaussNewtonLossLayerTests(ITestOutputHelper output)
{
    [Fact]
    public void FusedSoftmaxCrossEntropyNamesTheSplit()
    {
        var network = new Network(new TanhLayer(4, 16), new SoftmaxCrossEntropyLayer(16, 10));
        NetworkPoint point = network.At(network.RandomParameters(1), Batch.WithLabels(new double[,] { { 1, 2, 3, 4 } }, [3]));

        string message = AssertRefused(point);
        Assert.Contains("layer 1 (SoftmaxCrossEntropyLayer) has 170 parameters", message, StringComparison.Ordinal);
        Assert.Contains("use LinearLayer(16, 10) followed by SoftmaxCrossEntropyLoss(10)", message, StringComparison.Ordinal);
    }

    [Fact]
    public void FusedMeanSquaredErrorNamesTheSplit()
    {
        var network = new Network(new TanhLayer(2, 5), new MeanSquaredErrorLayer(5, 3));
        NetworkPoint point = network.At(network.RandomParameters(2), Batch.WithTargets(new double[,] { { 1, 2 } }, new double[,] { { 0, 1, 2 } }));

        string message = AssertRefused(point);
        Assert.Contains("use LinearLayer(5, 3) followed by SquaredErrorLoss(3)", message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnyOtherLossWithParametersIsToldToMoveThem()
    {
        var network = new Network(new TanhLayer(2, 3), new SoftmaxCrossEntropyReferenceLayer(3, 2));
        NetworkPoint point = network.At(network.RandomParameters(3), Batch.WithLabels(new double[,] { { 1, 2 } }, [1]));

        string message = AssertRefused(point);
        Assert.Contains("layer 1 (SoftmaxCrossEntropyReferenceLayer) has 8 parameters", message, StringComparison.Ordinal);
        Assert.Contains("move its parameters into a hidden layer before it", message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheHessianPathStillAcceptsAFusedLoss()
    {
        var network = new Network(new TanhLayer(2, 3), new SoftmaxCrossEntropyLayer(3, 2));
        NetworkPoint point = network.At(network.RandomParameters(4), Batch.WithLabels(new double[,] { { 1, 2 } }, [1]));
        Assert.Equal(Curvature.Hessian, point.Derivatives().Curvature);
        Assert.Equal(Curvature.Hessian, point.Derivatives(Curvature.Hessian).Curvature);
    }

    [Fact]
    public void AnUndefinedCurvatureIsRefused()
    {
        var network = new Network(new LinearLayer(2, 2), new SoftmaxCrossEntropyLoss(2));
        NetworkPoint point = network.At(network.RandomParameters(5), Batch.WithLabels(new double[,] { { 1, 2 } }, [1]));
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => point.Derivatives((Curvature)7));
        Assert.Equal("curvature", error.ParamName);
    }

    private string AssertRefused(NetworkPoint point)
    {
        var fromDerivatives = Assert.Throws<InvalidOperationException>(() => point.Derivatives(Curvature.GaussNewton));
        var fromProduct = Assert.Throws<InvalidOperationException>(() => point.GaussNewtonVector(new double[point.Network.ParameterCount]));
        Assert.Equal(fromDerivatives.Message, fromProduct.Message);
        Assert.StartsWith("Gauss-Newton needs the loss as its own parameterless last layer", fromDerivatives.Message, StringComparison.Ordinal);
        output.WriteLine(fromDerivatives.Message);
        return fromDerivatives.Message;
    }
}
