using System;
using System.Collections.Generic;
using System.Linq;
using HessianCodegen.Generator.Symbolic;

namespace HessianCodegen.Generator.Differentiation;

/// <summary>
/// The chain rule, written once. What differentiation is "with respect to" is the seed: the derivative
/// of each tensor element (a delta product for a partial derivative, the direction for a directional
/// one). Results are memoised per node, so shared subexpressions are differentiated once.
/// </summary>
internal sealed class Differentiator
{
    private readonly Func<TensorElement, Node> _seed;
    private readonly Dictionary<Node, Node> _memo = new();

    public Differentiator(Func<TensorElement, Node> seed) => _seed = seed;

    public Node Differentiate(Node node)
    {
        if (_memo.TryGetValue(node, out Node? known))
        {
            return known;
        }

        Node derivative = node switch
        {
            TensorElement element => _seed(element),
            Add sum => Expr.Add(sum.Terms.Select(Differentiate)),
            Multiply product => Expr.Add(product.Factors.Select((factor, k) => Expr.Multiply(
                product.Factors.Select((other, m) => m == k ? Differentiate(factor) : other)))),
            Power power => Expr.Multiply(LocalDerivatives.Of(power), Differentiate(power.Base)),
            FunctionCall call => Expr.Multiply(LocalDerivatives.Of(call), Differentiate(call.Argument)),
            Reduction { Operation: ReductionKind.Sum } sum => Expr.Sum(sum.Index, sum.Range, Differentiate(sum.Body), sum.Hint),
            Reduction lse => Expr.Sum(lse.Index, lse.Range, Expr.Multiply(LocalDerivatives.SoftmaxWeight(lse), Differentiate(lse.Body)), lse.Hint),
            _ => Expr.Zero,
        };

        _memo[node] = derivative;
        return derivative;
    }
}
