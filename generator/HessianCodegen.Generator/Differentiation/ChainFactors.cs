using System.Collections.Generic;
using System.Linq;
using HessianCodegen.Generator.Symbolic;

namespace HessianCodegen.Generator.Differentiation;

/// <summary>
/// Splits a derivative into chain factors and what they multiply. Each term's factors that depend only
/// on the indices of the point being differentiated (the value's own free indices) and carry no delta
/// form the chain factor; the others (the seed: a delta, a tensor element at the differentiation
/// index) stay outside. Terms with the same outside part share one intermediate chain factor:
/// <c>d tanh(u) = Intermediate(tanh'(u) * chain(du)) * seed</c>.
/// </summary>
internal static class ChainFactors
{
    /// <summary><paramref name="derivative"/> with each group's chain factor bound as an intermediate.</summary>
    public static Node Bind(Node derivative, string[] freeIndices) => Extend(Expr.One, derivative, freeIndices);

    /// <summary><paramref name="local"/> times <paramref name="derivative"/>, with the local joining each group's chain factor.</summary>
    public static Node Extend(Node local, Node derivative, string[] freeIndices)
    {
        var chains = new Dictionary<Node, List<Node>>();
        var order = new List<Node>();
        foreach (Node term in Terms(derivative, freeIndices))
        {
            IReadOnlyList<Node> factors = term is Multiply product ? product.Factors : new[] { term };
            Node seed = Expr.Multiply(factors.Where(factor => !IsChainFactor(factor, freeIndices)));
            if (!chains.TryGetValue(seed, out List<Node>? members))
            {
                chains[seed] = members = new List<Node>();
                order.Add(seed);
            }

            members.Add(Expr.Multiply(factors.Where(factor => IsChainFactor(factor, freeIndices))));
        }

        return Expr.Add(order.Select(seed => Expr.Multiply(Expr.Intermediate(Expr.Multiply(local, Expr.Add(chains[seed]))), seed)));
    }

    /// <summary>
    /// The node as a sum of terms, with products distributed over the sums that are not chain factors
    /// (the grouped derivatives one level down), so that every seed stands as a factor of its term.
    /// </summary>
    private static IEnumerable<Node> Terms(Node node, string[] freeIndices)
    {
        if (node is Add sum)
        {
            return sum.Terms.SelectMany(term => Terms(term, freeIndices));
        }

        if (node is not Multiply product || product.Factors.All(factor => factor is not Add || IsChainFactor(factor, freeIndices)))
        {
            return new[] { node };
        }

        IEnumerable<Node> terms = new[] { Expr.One };
        foreach (Node factor in product.Factors)
        {
            IReadOnlyList<Node> choices = factor is Add && !IsChainFactor(factor, freeIndices) ? Terms(factor, freeIndices).ToList() : new[] { factor };
            terms = terms.SelectMany(term => choices.Select(choice => Expr.Multiply(term, choice))).ToList();
        }

        return terms;
    }

    private static bool IsChainFactor(Node factor, string[] freeIndices) =>
        !factor.HasDelta && factor.FreeIndices.All(index => System.Array.IndexOf(freeIndices, index) >= 0);
}
