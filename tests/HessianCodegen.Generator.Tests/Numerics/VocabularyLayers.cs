using static HessianCodegen.LayerMath;

namespace HessianCodegen.Generator.Tests.Numerics;

/// <summary>
/// A hidden layer using the layer-math functions no standard layer uses (Exp, Log, Sqrt, Square,
/// Pow), composed, so that their derivative rules meet the finite-difference tests:
/// <c>y = Log(1 + Square(u)) + Pow(Sqrt(1 + Exp(u)), 3)</c>, <c>u = W z + c</c>.
/// </summary>
[HessianLayer]
public sealed partial class ComposedFunctionsLayer(int inputs, int outputs)
{
    private readonly Vector z = Input(inputs);
    private readonly Matrix W = Parameter(outputs, inputs);
    private readonly Vector c = Parameter(outputs);

    private double Output(int i) =>
        Log(1.0 + Square(Sum(j => W[i, j] * z[j]) + c[i])) + Pow(Sqrt(1.0 + Exp(Sum(j => W[i, j] * z[j]) + c[i])), 3.0);
}

/// <summary>
/// A loss layer in which the target multiplies the prediction rather than being subtracted:
/// <c>Sum_k Exp(-target[k] * u[k])</c>, <c>u = W z + c</c>.
/// </summary>
[HessianLayer]
public sealed partial class ExponentialLossLayer(int inputs, int outputs)
{
    private readonly Vector z = Input(inputs);
    private readonly Matrix W = Parameter(outputs, inputs);
    private readonly Vector c = Parameter(outputs);
    private readonly Vector target = Target(outputs);

    private double Loss() => Sum(k => Exp(-target[k] * (Sum(j => W[k, j] * z[j]) + c[k])));
}
