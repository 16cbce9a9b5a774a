using HessianCodegen.Layers;
using Xunit;

namespace HessianCodegen.Tests;

/// <summary>
/// What the derivatives keep: no equation reads the first layer's <c>Xzx</c>, <c>Xzz</c> (its input is
/// data) or the loss layer's <c>Dx</c>, <c>Dz</c> (its output is no state), so they are not stored. For a wide
/// first layer on a batch the first layer's <c>Xzx</c> (<c>B p a_in</c> values) is the largest block of all.
/// </summary>
public sealed class DerivativeStorageTests
{
    [Fact]
    public void BlocksNoEquationReadsAreNotStored()
    {
        const int batchSize = 3;
        var network = new Network(new TanhLayer(6, 4), new TanhLayer(4, 4), new SoftmaxCrossEntropyLayer(4, 3));
        var inputs = new double[batchSize, 6];
        NetworkPoint point = network.At(network.RandomParameters(1), Batch.WithLabels(inputs, [0, 1, 2]));
        HessianDerivatives derivatives = point.Derivatives();

        LayerDerivatives first = derivatives.Layer(0);
        Assert.Empty(first.Xzx.ToArray());
        Assert.Empty(first.Xzz.ToArray());
        Assert.Equal(batchSize * 4 * 28, first.Dx.Length);
        Assert.Equal(28 * 28, first.Xxx.Length);

        LayerDerivatives hidden = derivatives.Layer(1);
        Assert.Equal(batchSize * 20 * 4, hidden.Xzx.Length);
        Assert.Equal(batchSize * 4 * 4, hidden.Xzz.Length);

        LayerDerivatives loss = derivatives.Layer(2);
        Assert.Empty(loss.Dx.ToArray());
        Assert.Empty(loss.Dz.ToArray());
        Assert.Equal(batchSize * 15 * 4, loss.Xzx.Length);
    }
}
