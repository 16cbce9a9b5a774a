using System;
using System.Linq;
using Xunit;

namespace HessianCodegen.Generator.Tests.Numerics;

/// <summary>
/// Pre-activations in the thousands, where a naive <c>exp</c> overflows: LayerMath promises a
/// max-shifted LogSumExp and an overflow-free Softplus, so every member must stay finite and every
/// block must equal its overflow-free closed form (<see cref="ClosedForms"/>) to 1e-12.
/// </summary>
public sealed class OverflowTests
{
    // Entries of W and c up to 1000, of z up to 3: |u| reaches thousands, exp(u) overflows above about 709.
    private const double ParameterScale = 1000.0;

    private const double InputScale = 3.0;

    // Both sides evaluate the same formulas in a different order: round-off only.
    private const double Tolerance = 1e-12;

    public static TheoryData<string> Cases => LayerCases.FiniteEverywhereIds;

    [Theory]
    [MemberData(nameof(Cases))]
    public void EveryMemberStaysFiniteAtHugePreActivations(string id)
    {
        var layerCase = LayerCases.All[id];
        var layer = layerCase.Create();
        var point = layerCase.Point();
        // An affine layer's u = W z + c grows with W, c and z; a parameterless layer's u is z, which then
        // takes the whole scale. W enters the blocks as the factor weightScale (a parameterless layer has none).
        var at = layerCase.Affine
            ? point with
            {
                Parameters = point.Parameters.Select(value => value * ParameterScale).ToArray(),
                Input = point.Input.Select(value => value * InputScale).ToArray(),
            }
            : point with { Input = point.Input.Select(value => value * ParameterScale * InputScale).ToArray() };
        double weightScale = layerCase.Affine ? ParameterScale : 1.0;
        Assert.Contains(layerCase.PreActivation(layer, at), u => Math.Abs(u) > 800.0);

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

        // Finite is not enough: a softplus that returned 0 would be finite. Compare with the closed forms.
        if (ClosedForms.Knows(layerCase.Name))
        {
            ClosedForms.Blocks expected = ClosedForms.Of(layerCase, layer, at);
            int p = layer.ParameterCount;
            int aIn = layer.InputSize;
            // Rows that nearly cancel are held to round-off in the size of their terms: W enters
            // Dz and Xzx once and Xzz twice, so their floors are weightScale and its square.
            DenseAlgebra.AssertRowsClose("Forward", LayerProbe.Forward(layer, at), expected.Forward, 1, Tolerance);
            DenseAlgebra.AssertRowsClose("Dx", dx, expected.Dx, p, Tolerance);
            DenseAlgebra.AssertRowsClose("Dz", dz, expected.Dz, aIn, Tolerance, floor: weightScale);
            DenseAlgebra.AssertRowsClose("Xxx", xxx, expected.Xxx, p, Tolerance);
            DenseAlgebra.AssertRowsClose("Xzx", xzx, expected.Xzx, aIn, Tolerance, floor: weightScale);
            DenseAlgebra.AssertRowsClose("Xzz", xzz, expected.Xzz, aIn, Tolerance, floor: weightScale * weightScale);
        }
    }

    [Fact]
    public void EveryFiniteEverywhereLayerHasAClosedForm()
    {
        // So that the comparison above is never skipped for a layer that should have it.
        Assert.All(LayerCases.All.Values.Where(layerCase => layerCase.FiniteEverywhere), layerCase => Assert.True(ClosedForms.Knows(layerCase.Name), layerCase.Name));
    }

    private static void AssertFinite(string quantity, double[] values)
    {
        int bad = Array.FindIndex(values, value => !double.IsFinite(value));
        Assert.True(bad < 0, $"{quantity}[{bad}] is {(bad < 0 ? 0 : values[bad])} at huge pre-activations.");
    }
}
