using Xunit;
using static HessianCodegen.Generator.Tests.Numerics.DenseAlgebra;

namespace HessianCodegen.Generator.Tests.Numerics;

/// <summary>
/// Every matrix-free product against the same product formed from the dense blocks
/// (which <see cref="DerivativeBlockTests"/> checks against finite differences). Both are exact
/// formulas, so they must agree to round-off.
/// </summary>
public sealed class ProductTests
{
    private const double Tolerance = 1e-12;

    public static TheoryData<string> Cases => LayerCases.Ids;

    [Theory]
    [MemberData(nameof(Cases))]
    public void FirstOrderProductsMatchTheDenseJacobians(string id)
    {
        var layerCase = LayerCases.All[id];
        var layer = layerCase.Create();
        var at = layerCase.Point();
        var (dx, dz) = LayerProbe.Jacobians(layer, at);
        int a = layer.OutputSize;

        AssertClose("BackpropInput = b Dz", LayerProbe.InputAdjoint(layer, at),
            MultiplyTransposed(dz, layer.InputSize, at.OutputAdjoint), Tolerance);
        AssertClose("AddParameterGradient = b Dx", LayerProbe.ParameterGradient(layer, at),
            MultiplyTransposed(dx, layer.ParameterCount, at.OutputAdjoint), Tolerance);
        AssertClose("Tangent = Dz t + Dx v", LayerProbe.Tangent(layer, at),
            Add(Multiply(dz, a, at.InputTangent), Multiply(dx, a, at.ParameterDirection)), Tolerance);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void SecondOrderProductsMatchTheDenseSecondDerivatives(string id)
    {
        var layerCase = LayerCases.All[id];
        var layer = layerCase.Create();
        var at = layerCase.Point();
        var (xxx, xzx, xzz) = LayerProbe.SecondDerivatives(layer, at);
        int p = layer.ParameterCount;
        int aIn = layer.InputSize;

        AssertClose("SecondOrderInput = Xzz t + Xzx^T v", LayerProbe.SecondOrderInput(layer, at),
            Add(Multiply(xzz, aIn, at.InputTangent), MultiplyTransposed(xzx, aIn, at.ParameterDirection)), Tolerance);
        AssertClose("AddSecondOrderParameters = Xxx v + Xzx t", LayerProbe.SecondOrderParameters(layer, at),
            Add(Multiply(xxx, p, at.ParameterDirection), Multiply(xzx, p, at.InputTangent)), Tolerance);
    }
}
