using System.Collections.Generic;
using System.Linq;
using HessianCodegen.Generator.Helpers;

namespace HessianCodegen.Generator.Symbolic;

/// <summary>Replaces a free loop index by another index or a label, re-canonicalising on the way up.</summary>
internal static class IndexSubstitution
{
    public static Node Substitute(Node node, string index, IndexRef replacement) =>
        node.DependsOn(index) ? Substitute(node, index, replacement, new Dictionary<Node, Node>()) : node;

    // Memoised per call: shared subexpressions (a DAG) are rewritten once, not once per path.
    private static Node Substitute(Node node, string index, IndexRef replacement, Dictionary<Node, Node> memo)
    {
        if (!node.DependsOn(index))
        {
            return node;
        }

        if (memo.TryGetValue(node, out Node? known))
        {
            return known;
        }

        Node result = node switch
        {
            TensorElement element => new TensorElement(
                element.Tensor,
                element.Indices.Select(i => Replace(i, index, replacement)).ToEquatableArray()),
            KroneckerDelta delta => Expr.Delta(Replace(delta.First, index, replacement), Replace(delta.Second, index, replacement)),
            FunctionCall call => Expr.Function(call.Function, Substitute(call.Argument, index, replacement, memo)),
            Power power => Expr.Power(Substitute(power.Base, index, replacement, memo), power.Exponent),
            Multiply product => Expr.Multiply(product.Factors.Select(f => Substitute(f, index, replacement, memo)).ToList()),
            Add sum => Expr.Add(sum.Terms.Select(t => Substitute(t, index, replacement, memo)).ToList()),
            Reduction reduction => Expr.Reduce(
                reduction.Operation, reduction.Index, reduction.Range, Substitute(reduction.Body, index, replacement, memo), reduction.Hint),
            _ => node,
        };

        memo[node] = result;
        return result;
    }

    private static IndexRef Replace(IndexRef candidate, string index, IndexRef replacement) =>
        !candidate.IsLabel && candidate.Name == index ? replacement : candidate;
}
