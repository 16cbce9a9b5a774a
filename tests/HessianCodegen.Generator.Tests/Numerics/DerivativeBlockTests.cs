using Xunit;
using static HessianCodegen.Generator.Tests.Numerics.DenseAlgebra;
using static HessianCodegen.Generator.Tests.Numerics.NumericalDifferentiation;

namespace HessianCodegen.Generator.Tests.Numerics;

/// <summary>
/// Every dense derivative block against central finite differences: <c>Dx</c>, <c>Dz</c> of
/// <c>Forward</c>; <c>Xxx</c>, <c>Xzx</c>, <c>Xzz</c> of the gradients <c>b Dx</c> and <c>b Dz</c>
/// (whose agreement with the dense <c>Dx</c>, <c>Dz</c> <see cref="ProductTests"/> checks).
/// </summary>
public sealed class DerivativeBlockTests
{
    // Central differences with a relative step of 1e-5 reach about 1e-10 on these O(1) functions;
    // each row must agree to 1e-8 (relative to max(row norm, 1)).
    private const double Tolerance = 1e-8;

    public static TheoryData<string> Cases => LayerCases.Ids;

    [Theory]
    [MemberData(nameof(Cases))]
    public void JacobiansMatchFiniteDifferencesOfForward(string id)
    {
        var layerCase = LayerCases.All[id];
        var layer = layerCase.Create();
        var at = layerCase.Point();

        var (dx, dz) = LayerProbe.Jacobians(layer, at);

        AssertRowsClose("Dx", dx, Jacobian(x => LayerProbe.Forward(layer, at.WithParameters(x)), at.Parameters), layer.ParameterCount, Tolerance);
        AssertRowsClose("Dz", dz, Jacobian(z => LayerProbe.Forward(layer, at.WithInput(z)), at.Input), layer.InputSize, Tolerance);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void SecondDerivativesMatchFiniteDifferencesOfGradients(string id)
    {
        var layerCase = LayerCases.All[id];
        var layer = layerCase.Create();
        var at = layerCase.Point();

        var (xxx, xzx, xzz) = LayerProbe.SecondDerivatives(layer, at);

        // Row p of d(b Dx)/dx is row p of Xxx; d(b Dx)/dz is Xzx; d(b Dz)/dx is Xzx^T; d(b Dz)/dz is Xzz.
        int p = layer.ParameterCount;
        int aIn = layer.InputSize;
        AssertRowsClose("Xxx", xxx, Jacobian(x => LayerProbe.ParameterGradient(layer, at.WithParameters(x)), at.Parameters), p, Tolerance);
        AssertRowsClose("Xzx", xzx, Jacobian(z => LayerProbe.ParameterGradient(layer, at.WithInput(z)), at.Input), aIn, Tolerance);
        AssertRowsClose("Xzx^T", Transpose(xzx, p, aIn),
            Jacobian(x => LayerProbe.InputAdjoint(layer, at.WithParameters(x)), at.Parameters), p, Tolerance);
        AssertRowsClose("Xzz", xzz, Jacobian(z => LayerProbe.InputAdjoint(layer, at.WithInput(z)), at.Input), aIn, Tolerance);
    }
}
