using HessianCodegen.Generator.Functions;
using HessianCodegen.Generator.Symbolic;

namespace HessianCodegen.Generator.Differentiation;

/// <summary>
/// The derivative of each operation with respect to its argument, written in terms of the node's own
/// value where that is cheaper (tanh' = 1 - tanh^2, exp' = exp), so the emitted code reuses it.
/// </summary>
internal static class LocalDerivatives
{
    /// <summary>d node / d argument for an elementary function.</summary>
    public static Node Of(FunctionCall node) => ElementaryFunctions.Of(node.Function).Derivative(node);

    /// <summary>d base^e / d base = e base^(e-1).</summary>
    public static Node Of(Power node) =>
        Expr.Multiply(Expr.Constant(node.Exponent), Expr.Power(node.Base, node.Exponent - 1.0));

    /// <summary>
    /// d LogSumExp_k(e_k) / d e_k = exp(e_k - LogSumExp), the softmax weight, with the bound index of
    /// <paramref name="node"/> free.
    /// </summary>
    public static Node SoftmaxWeight(Reduction node) =>
        Expr.Function(FunctionKind.Exp, Expr.Subtract(node.Body, node));
}
