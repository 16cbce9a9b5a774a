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

/// <summary>
/// A hidden layer that reads a size as a number and a const field by name: the pre-activations
/// centred on their mean, scaled by a gain, <c>y = Gain * Tanh(u[i] - Sum_k u[k] / outputs)</c>,
/// <c>u = W z + c</c>.
/// </summary>
[HessianLayer]
public sealed partial class MeanCenteredTanhLayer(int inputs, int outputs)
{
    private const double Gain = 1.5;

    private readonly Vector z = Input(inputs);
    private readonly Matrix W = Parameter(outputs, inputs);
    private readonly Vector c = Parameter(outputs);

    private double Output(int i) =>
        Gain * Tanh(Sum(j => W[i, j] * z[j]) + c[i] - Sum(k => Sum(j => W[k, j] * z[j]) + c[k]) / outputs);
}

/// <summary>
/// A loss layer that divides by a size and reads a const field: the mean squared error with a
/// const weight, <c>Weight * Sum_k (u[k] - target[k])^2 / (2 outputs)</c>, <c>u = W z + c</c>.
/// </summary>
[HessianLayer]
public sealed partial class MeanSquaredErrorOverSizeLayer(int inputs, int outputs)
{
    private const double Weight = 0.75;

    private readonly Vector z = Input(inputs);
    private readonly Matrix W = Parameter(outputs, inputs);
    private readonly Vector c = Parameter(outputs);
    private readonly Vector target = Target(outputs);

    private double Loss() => Weight * Sum(k => Square(Sum(j => W[k, j] * z[j]) + c[k] - target[k])) / (2.0 * (double)outputs);
}

/// <summary>
/// A hidden layer of nested activations, whose derivatives the generator keeps as chains of
/// intermediates: <c>y = Tanh(Sigmoid(Softplus(Tanh(Exp(Tanh(u))))))</c>, <c>u = W z + c</c>.
/// </summary>
[HessianLayer]
public sealed partial class NestedActivationsLayer(int inputs, int outputs)
{
    private readonly Vector z = Input(inputs);
    private readonly Matrix W = Parameter(outputs, inputs);
    private readonly Vector c = Parameter(outputs);

    private double Output(int i) => Tanh(Sigmoid(Softplus(Tanh(Exp(Tanh(Sum(j => W[i, j] * z[j]) + c[i]))))));
}
