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
    private readonly Dictionary<Node, int> _callDepth = new();

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
            Power power => Chain(LocalDerivatives.Of(power), power.Base, node.FreeIndices),
            FunctionCall call => Chain(LocalDerivatives.Of(call), call.Argument, node.FreeIndices),
            Intermediate intermediate => ChainFactors.Bind(Differentiate(intermediate.Value), intermediate.FreeIndices),
            Reduction { Operation: ReductionKind.Sum } sum => Expr.Sum(sum.Index, sum.Range, Differentiate(sum.Body), sum.Hint),
            Reduction lse => Expr.Sum(lse.Index, lse.Range, Expr.Multiply(LocalDerivatives.SoftmaxWeight(lse), Differentiate(lse.Body)), lse.Hint),
            _ => Expr.Zero,
        };

        _memo[node] = derivative;
        return derivative;
    }

    /// <summary>
    /// d f(u) = f'(u) du. When u is itself a composition of calls (tanh(tanh(tanh(x)))), f'(u) joins
    /// the chain factor of du as a new intermediate instead of multiplying out, so each level of
    /// nesting adds a constant number of nodes. A single call keeps its derivative a plain product.
    /// </summary>
    private Node Chain(Node local, Node argument, string[] freeIndices)
    {
        Node inner = Differentiate(argument);
        return CallDepth(argument) >= 2 ? ChainFactors.Extend(local, inner, freeIndices) : Expr.Multiply(local, inner);
    }

    /// <summary>How deeply elementary functions nest in the node (memoised: arguments are shared).</summary>
    private int CallDepth(Node node)
    {
        if (!_callDepth.TryGetValue(node, out int depth))
        {
            depth = node is FunctionCall call ? 1 + CallDepth(call.Argument) : node.Children.Select(CallDepth).DefaultIfEmpty(0).Max();
            _callDepth[node] = depth;
        }

        return depth;
    }
}
