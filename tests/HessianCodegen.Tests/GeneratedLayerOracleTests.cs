using System;
using HessianCodegen.Tests.Infrastructure;
using HessianCodegen.Tests.ReferenceLayers;
using Xunit;
using Xunit.Abstractions;

namespace HessianCodegen.Tests;

/// <summary>
/// The product as users build it: the generated standard layers (HessianCodegen.Layers) through
/// <see cref="ReferenceCase.Load(string)"/>, against the PyTorch answer key, plus a cross-check of
/// every derivative block against the hand-written reference layers.
/// </summary>
public sealed class GeneratedLayerOracleTests(ITestOutputHelper output) : OracleTests(output)
{
    protected override ReferenceCase Load(string name) => ReferenceCase.Load(OracleFiles.PathOf(name));

    [Theory]
    [MemberData(nameof(OracleFiles.Names), MemberType = typeof(OracleFiles))]
    public void DerivativeBlocksMatchTheReferenceLayers(string name)
    {
        ReferenceCase generated = Load(name);
        ReferenceCase reference = ReferenceCase.Load(OracleFiles.PathOf(name), ReferenceLayerFactory.Create);
        HessianDerivatives fromGenerated = generated.Network.At(generated.Parameters, generated.Batch).Derivatives();
        HessianDerivatives fromReference = reference.Network.At(reference.Parameters, reference.Batch).Derivatives();
        for (int l = 0; l < generated.Network.Depth; l++)
        {
            LayerDerivatives actual = fromGenerated.Layer(l);
            LayerDerivatives expected = fromReference.Layer(l);
            if (l == generated.Network.Depth - 1)
            {
                // The solve never needs the loss layer's Jacobians, so neither side stores them:
                // there is nothing to compare, and a comparison of two empty blocks could not fail.
                Assert.Equal(0, actual.Dx.Length + actual.Dz.Length);
                Assert.Equal(0, expected.Dx.Length + expected.Dz.Length);
            }
            else
            {
                AssertClose(actual.Dx, expected.Dx, $"{name} layer {l} Dx");
                AssertClose(actual.Dz, expected.Dz, $"{name} layer {l} Dz");
            }

            AssertClose(actual.Xxx, expected.Xxx, $"{name} layer {l} Xxx");
            if (l == 0)
            {
                // The first layer's input is data: no equation reads its Xzx or Xzz, so neither side stores them.
                Assert.Equal(0, actual.Xzx.Length + actual.Xzz.Length);
                Assert.Equal(0, expected.Xzx.Length + expected.Xzz.Length);
            }
            else
            {
                AssertClose(actual.Xzx, expected.Xzx, $"{name} layer {l} Xzx");
                AssertClose(actual.Xzz, expected.Xzz, $"{name} layer {l} Xzz");
            }
        }
    }

    private static void AssertClose(Span<double> actual, Span<double> expected, string block)
    {
        Assert.True(expected.Length > 0, $"{block}: the reference block is empty; the comparison would prove nothing");
        double error = Norms.RelativeError(actual.ToArray(), expected.ToArray());
        Assert.True(error <= Tolerance, $"{block}: relative error {error:E2}");
    }
}
