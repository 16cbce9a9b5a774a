using System;
using HessianCodegen.Layers;
using Xunit;

namespace HessianCodegen.Generator.Tests;

/// <summary>
/// The generator ran inside the real build of the runtime. A generator compiled against a newer
/// Roslyn than the SDK's compiler is silently skipped (a warning at most), leaving the standard
/// layers without their <see cref="IHessianLayer"/> members; these tests catch that trap.
/// </summary>
public sealed class RealBuildTests
{
    public static TheoryData<Type> StandardLayerTypes => new(
        typeof(LinearLayer), typeof(MeanSquaredErrorLayer), typeof(ReluLayer), typeof(SigmoidLayer),
        typeof(SoftmaxCrossEntropyLayer), typeof(SoftplusLayer), typeof(TanhLayer));

    [Theory]
    [MemberData(nameof(StandardLayerTypes))]
    public void EveryStandardLayerImplementsTheContract(Type layerType)
    {
        Assert.True(typeof(IHessianLayer).IsAssignableFrom(layerType),
            $"{layerType.Name} does not implement IHessianLayer: the generator did not run in the build of the runtime.");
    }

    [Fact]
    public void TheGeneratedTanhLayerCountsItsParameters()
    {
        // Compiles only if the generator ran: W is 2 x 3 and c has 2 entries.
        IHessianLayer layer = new TanhLayer(3, 2);

        Assert.Equal(8, layer.ParameterCount);
        Assert.Equal(3, layer.InputSize);
        Assert.Equal(2, layer.OutputSize);
    }
}
