using System;

namespace HessianCodegen;

/// <summary>
/// The vocabulary of layer math. Bring it in with <c>using static HessianCodegen.LayerMath;</c>.
/// The generator reads expressions written with these members; at run time only the
/// declarations (<see cref="Input"/>, <see cref="Parameter(int)"/>, ...) execute, to record sizes.
/// </summary>
public static class LayerMath
{
    /// <summary>Declares the layer's input: the previous layer's activations for one example.</summary>
    public static Vector Input(int length) => new(RequirePositive(length, nameof(length)));

    /// <summary>Declares a parameter vector.</summary>
    public static Vector Parameter(int length) => new(RequirePositive(length, nameof(length)));

    /// <summary>Declares a parameter matrix, stored row-major.</summary>
    public static Matrix Parameter(int rows, int columns) =>
        new(RequirePositive(rows, nameof(rows)), RequirePositive(columns, nameof(columns)));

    /// <summary>Declares a target vector: per-example data of a loss layer, never differentiated.</summary>
    public static Vector Target(int length) => new(RequirePositive(length, nameof(length)));

    /// <summary>Declares a class label in <c>[0, classes)</c>: per-example data of a loss layer, used as an index.</summary>
    public static Label ClassLabel(int classes) => new(RequirePositive(classes, nameof(classes)));

    /// <summary>Sum of <paramref name="term"/> over an index whose range follows from the tensors it indexes.</summary>
    public static double Sum(Func<int, double> term) => throw NotExecutable();

    /// <summary>log(sum_k exp(term(k))), evaluated max-shifted so that it never overflows.</summary>
    public static double LogSumExp(Func<int, double> term) => throw NotExecutable();

    /// <summary>Hyperbolic tangent.</summary>
    public static double Tanh(double x) => Math.Tanh(x);

    /// <summary>Logistic sigmoid 1 / (1 + e^-x).</summary>
    public static double Sigmoid(double x) => 1.0 / (1.0 + Math.Exp(-x));

    /// <summary>log(1 + e^x), evaluated without overflow.</summary>
    public static double Softplus(double x) => x > 0 ? x + Math.Log(1.0 + Math.Exp(-x)) : Math.Log(1.0 + Math.Exp(x));

    /// <summary>
    /// max(x, 0), with the almost-everywhere convention: its derivative is the step
    /// (1 for x &gt; 0, else 0) and its second derivative is zero.
    /// </summary>
    public static double Relu(double x) => x > 0 ? x : 0.0;

    /// <summary>e^x.</summary>
    public static double Exp(double x) => Math.Exp(x);

    /// <summary>Natural logarithm.</summary>
    public static double Log(double x) => Math.Log(x);

    /// <summary>Square root.</summary>
    public static double Sqrt(double x) => Math.Sqrt(x);

    /// <summary>x * x.</summary>
    public static double Square(double x) => x * x;

    /// <summary>x to a power that must be a compile-time constant.</summary>
    public static double Pow(double x, double exponent) => Math.Pow(x, exponent);

    internal static InvalidOperationException NotExecutable() => new(
        "Layer math is read by the HessianCodegen generator and never executed; call the generated IHessianLayer members instead.");

    private static int RequirePositive(int size, string name) => size > 0
        ? size
        : throw new ArgumentOutOfRangeException(name, size, $"A layer size must be positive; {name} was {size}.");
}
