using System;
using System.Collections.Generic;
using System.Linq;

namespace HessianCodegen.Generator.Symbolic;

/// <summary>
/// The one traversal under every rewrite of the IR (substitution, replacing reductions by
/// temporaries, hoisting, replacing tensor elements): a node rebuilds itself from new children
/// through <see cref="Expr"/>'s canonicalising factories, and a rewrite is a function that says
/// what a node becomes, or null to rewrite its children (after mathnet-symbolics' Structure.map).
/// </summary>
internal static class Traversal
{
    /// <summary>The node with each child replaced by <paramref name="map"/> of it, re-canonicalised.</summary>
    public static Node Rebuild(Node node, Func<Node, Node> map) => node switch
    {
        FunctionCall call => Expr.Function(call.Function, map(call.Argument)),
        Power power => Expr.Power(map(power.Base), power.Exponent),
        Multiply product => Expr.Multiply(product.Factors.Select(map).ToList()),
        Add sum => Expr.Add(sum.Terms.Select(map).ToList()),
        Intermediate intermediate => Expr.Intermediate(map(intermediate.Value)),
        Reduction reduction => Expr.MakeReduction(reduction.Operation, reduction.Index, reduction.Range, map(reduction.Body), reduction.Hint),
        _ => node,
    };

    /// <summary>
    /// Rewrites a node bottom-up: at each node <paramref name="replace"/> is asked first (its result,
    /// when not null, is final); otherwise the node is rebuilt from its rewritten children. Memoised,
    /// so a subexpression shared in the DAG is rewritten once.
    /// </summary>
    public static Node Rewrite(Node node, Func<Node, Node?> replace, Dictionary<Node, Node>? memo = null)
    {
        memo ??= new Dictionary<Node, Node>();

        Node Visit(Node current)
        {
            if (memo.TryGetValue(current, out Node? known))
            {
                return known;
            }

            Node result = replace(current) ?? Rebuild(current, Visit);
            memo[current] = result;
            return result;
        }

        return Visit(node);
    }
}
