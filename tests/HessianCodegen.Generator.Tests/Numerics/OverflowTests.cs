using System;
using System.Linq;
using Xunit;

namespace HessianCodegen.Generator.Tests.Numerics;

/// <summary>
/// Pre-activations in the thousands, where a naive <c>exp</c> overflows: LayerMath promises a
/// max-shifted LogSumExp and an overflow-free Softplus, so every member must stay finite.
/// </summary>
public sealed class OverflowTests
{
    // Entries of W and c up to 1000, of z up to 3: |u| reaches thousands, exp(u) overflows above about 709.
    private const double ParameterScale = 1000.0;

    private const double InputScale = 3.0;

    public static TheoryData<string> Cases => LayerCases.FiniteEverywhereIds;

    [Theory]
    [MemberData(nameof(Cases))]
    public void EveryMemberStaysFiniteAtHugePreActivations(string id)
    {
        var layerCase = LayerCases.All[id];
        var layer = layerCase.Create();
        var point = layerCase.Point();
        var at = point with
        {
            Parameters = point.Parameters.Select(value => value * ParameterScale).ToArray(),
            Input = point.Input.Select(value => value * InputScale).ToArray(),
        };
        Assert.Contains(ForwardTests.PreActivation(layer, at), u => Math.Abs(u) > 800.0);

        var (dx, dz) = LayerProbe.Jacobians(layer, at);
        var (xxx, xzx, xzz) = LayerProbe.SecondDerivatives(layer, at);
        AssertFinite("Forward", LayerProbe.Forward(layer, at));
        AssertFinite("BackpropInput", LayerProbe.InputAdjoint(layer, at));
        AssertFinite("AddParameterGradient", LayerProbe.ParameterGradient(layer, at));
        AssertFinite("Tangent", LayerProbe.Tangent(layer, at));
        AssertFinite("SecondOrderInput", LayerProbe.SecondOrderInput(layer, at));
        AssertFinite("AddSecondOrderParameters", LayerProbe.SecondOrderParameters(layer, at));
        AssertFinite("Dx", dx);
        AssertFinite("Dz", dz);
        AssertFinite("Xxx", xxx);
        AssertFinite("Xzx", xzx);
        AssertFinite("Xzz", xzz);
    }

    private static void AssertFinite(string quantity, double[] values)
    {
        int bad = Array.FindIndex(values, value => !double.IsFinite(value));
        Assert.True(bad < 0, $"{quantity}[{bad}] is {(bad < 0 ? 0 : values[bad])} at huge pre-activations.");
    }
}
