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
    private const double Tolerance = 1e-6;

    public static TheoryData<string> Cases => LayerCases.Ids;

    [Theory]
    [MemberData(nameof(Cases))]
    public void JacobiansMatchFiniteDifferencesOfForward(string id)
    {
        var layerCase = LayerCases.All[id];
        var layer = layerCase.Create();
        var at = layerCase.Point();

        var (dx, dz) = LayerProbe.Jacobians(layer, at);

        AssertClose("Dx", dx, Jacobian(x => LayerProbe.Forward(layer, at.WithParameters(x)), at.Parameters), Tolerance);
        AssertClose("Dz", dz, Jacobian(z => LayerProbe.Forward(layer, at.WithInput(z)), at.Input), Tolerance);
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
        AssertClose("Xxx", xxx, Jacobian(x => LayerProbe.ParameterGradient(layer, at.WithParameters(x)), at.Parameters), Tolerance);
        AssertClose("Xzx", xzx, Jacobian(z => LayerProbe.ParameterGradient(layer, at.WithInput(z)), at.Input), Tolerance);
        AssertClose("Xzx^T", Transpose(xzx, layer.ParameterCount, layer.InputSize),
            Jacobian(x => LayerProbe.InputAdjoint(layer, at.WithParameters(x)), at.Parameters), Tolerance);
        AssertClose("Xzz", xzz, Jacobian(z => LayerProbe.InputAdjoint(layer, at.WithInput(z)), at.Input), Tolerance);
    }
}
