using System;
using HessianCodegen.Layers;
using Xunit;

namespace HessianCodegen.Tests;

/// <summary>The flat parameter vector: layer after layer, each layer's parameters in its layout order.</summary>
public sealed class NetworkLayoutTests
{
    private static Network Network() => new(new TanhLayer(3, 4), new SigmoidLayer(4, 2), new SoftmaxCrossEntropyLayer(2, 3));

    [Fact]
    public void OffsetsFollowTheLayerSizes()
    {
        Network network = Network();

        // W is outputs x inputs, then c: 4*3+4 = 16, 2*4+2 = 10, 3*2+3 = 9.
        Assert.Equal(35, network.ParameterCount);
        Assert.Equal(0, network.ParameterOffset(0));
        Assert.Equal(16, network.ParameterOffset(1));
        Assert.Equal(26, network.ParameterOffset(2));
        Assert.Equal(3, network.Depth);
        Assert.Equal(3, network.InputSize);
        Assert.Equal(1, network.DataSize);
    }

    [Fact]
    public void SlicesAreViewsOfTheFlatVector()
    {
        Network network = Network();
        var parameters = new double[network.ParameterCount];
        network.ParameterSlice(parameters.AsSpan(), 1).Fill(7);
        ReadOnlySpan<double> view = network.ParameterSlice(parameters, 1);

        Assert.Equal(10, view.Length);
        Assert.Equal(0, parameters[15]);
        Assert.Equal(7, parameters[16]);
        Assert.Equal(7, parameters[25]);
        Assert.Equal(0, parameters[26]);
    }

    [Fact]
    public void LayerIndexOutsideTheChainIsRejected()
    {
        Network network = Network();
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => network.ParameterOffset(3));
        Assert.Contains("[0, 3)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RandomParametersAreReproducibleAndScaledByFanIn()
    {
        Network network = Network();
        double[] first = network.RandomParameters(42);
        Assert.Equal(first, network.RandomParameters(42));
        Assert.NotEqual(first, network.RandomParameters(43));

        // Layer 0's W entries lie within 1/sqrt(3), its c entries within 0.1.
        Assert.All(first.AsSpan(0, 12).ToArray(), value => Assert.InRange(Math.Abs(value), 0, 1 / Math.Sqrt(3)));
        Assert.All(first.AsSpan(12, 4).ToArray(), value => Assert.InRange(Math.Abs(value), 0, 0.1));
    }
}
