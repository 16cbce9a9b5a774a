using System;
using System.Linq;
using HessianCodegen.Tests.Infrastructure;
using Xunit;

namespace HessianCodegen.Tests;

/// <summary>
/// <c>H v</c> and <c>G v</c> of a <see cref="NetworkPoint"/>, which come from the batched sweeps
/// <c>TangentBatch</c> and <c>SecondOrderBatch</c>, against the per-example path they replaced: the same
/// network with every layer wrapped in a <see cref="CountingLayer"/>, which implements only the per-example
/// members and so runs the interface's per-example defaults.
/// </summary>
public sealed class BatchedHessianVectorTests
{
    public static TheoryData<string, int> Cases() => BatchedGradientTests.Cases();

    [Theory]
    [MemberData(nameof(Cases))]
    public void HessianVectorEqualsThePerExamplePath(string name, int count)
    {
        (NetworkPoint batched, NetworkPoint perExample, double[] v) = Points(name, count);
        double[] expected = perExample.HessianVector(v);

        Assert.InRange(Norms.RelativeError(batched.HessianVector(v), expected), 0, 1e-13);

        // A second product on the same point reuses its buffers and must not see the first one's values.
        double[] w = v.Select(x => -2 * x + 0.25).ToArray();
        Assert.InRange(Norms.RelativeError(batched.HessianVector(w), perExample.HessianVector(w)), 0, 1e-13);
    }

    [Theory]
    [InlineData("split-loss", 1)]
    [InlineData("split-loss", 64)]
    [InlineData("split-loss", 257)]
    public void GaussNewtonVectorEqualsThePerExamplePath(string name, int count)
    {
        (NetworkPoint batched, NetworkPoint perExample, double[] v) = Points(name, count);

        Assert.InRange(Norms.RelativeError(batched.GaussNewtonVector(v), perExample.GaussNewtonVector(v)), 0, 1e-13);
    }

    private static (NetworkPoint Batched, NetworkPoint PerExample, double[] V) Points(string name, int count)
    {
        (Network network, Batch batch) = BatchedGradientTests.Create(name, count);
        var perExample = new Network(network.Layers.Select(layer => (IHessianLayer)new CountingLayer(layer)).ToArray());
        double[] parameters = network.RandomParameters(seed: count);
        var random = new Random(7 + count);
        double[] v = Enumerable.Range(0, network.ParameterCount).Select(_ => 2 * random.NextDouble() - 1).ToArray();
        return (network.At(parameters, batch), perExample.At(parameters, batch), v);
    }
}
