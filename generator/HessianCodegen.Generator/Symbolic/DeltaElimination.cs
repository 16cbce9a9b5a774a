using System.Collections.Generic;
using System.Linq;

namespace HessianCodegen.Generator.Symbolic;

/// <summary>
/// Builds sums the way derivatives need them: <c>Sum_j delta(j, e) F(j) = F(e)</c>, terms carrying
/// deltas are distributed out of products so every delta reaches a sum or the top level, deltas on
/// other indices and j-independent factors are pulled in front of the sum.
/// </summary>
internal static class DeltaElimination
{
    public static Node Sum(string index, Extent range, Node body, string? hint = null)
    {
        var eliminated = new List<Node>();
        var groups = new Dictionary<Node, List<Node>>();
        var groupOrder = new List<Node>();
        foreach (Node term in ExpandDeltas(body))
        {
            IReadOnlyList<Node> factors = term is Multiply product ? product.Factors : new[] { term };
            KroneckerDelta? onIndex = factors.OfType<KroneckerDelta>().FirstOrDefault(d => d.Partner(index) is not null);
            if (onIndex is not null)
            {
                Node rest = Expr.Multiply(factors.Where(f => !ReferenceEquals(f, onIndex)));
                eliminated.Add(IndexSubstitution.Substitute(rest, index, onIndex.Partner(index)!));
                continue;
            }

            Node deltas = Expr.Multiply(factors.Where(f => f is KroneckerDelta));
            if (!groups.TryGetValue(deltas, out List<Node>? members))
            {
                groups[deltas] = members = new List<Node>();
                groupOrder.Add(deltas);
            }

            members.Add(Expr.Multiply(factors.Where(f => f is not KroneckerDelta)));
        }

        foreach (Node deltas in groupOrder)
        {
            eliminated.Add(Expr.Multiply(deltas, PullOutInvariants(index, range, Expr.Add(groups[deltas]), hint)));
        }

        return Expr.Add(eliminated);
    }

    /// <summary>
    /// Splits a node into terms so that no delta hides inside a sum that is a factor of a product:
    /// products distribute over those sums (and over positive integer powers of them).
    /// </summary>
    public static IReadOnlyList<Node> ExpandDeltas(Node node)
    {
        if (!node.HasDelta)
        {
            return new[] { node };
        }

        switch (node)
        {
            case Add sum:
                return sum.Terms.SelectMany(ExpandDeltas).ToList();
            case Multiply product:
                // Only the factors that carry a delta are expanded; the others join each term once,
                // so a long product costs one multiplication per term, not one per factor.
                var plain = new List<Node>();
                var choiceLists = new List<IReadOnlyList<Node>>();
                foreach (Node factor in product.Factors)
                {
                    if (factor.HasDelta)
                    {
                        choiceLists.Add(ExpandFactor(factor));
                    }
                    else
                    {
                        plain.Add(factor);
                    }
                }

                var selections = new List<List<Node>> { new() };
                foreach (IReadOnlyList<Node> choices in choiceLists)
                {
                    selections = selections.SelectMany(chosen => choices.Select(choice => new List<Node>(chosen) { choice })).ToList();
                }

                var terms = selections.Select(chosen => Expr.Multiply(plain.Concat(chosen))).ToList();
                return terms.SelectMany(term => term is Add ? ExpandDeltas(term) : new[] { term }).ToList();
            default:
                return new[] { node };
        }
    }

    private static IReadOnlyList<Node> ExpandFactor(Node factor)
    {
        if (!factor.HasDelta)
        {
            return new[] { factor };
        }

        if (factor is Power { Base: Add @base } power && power.Exponent > 0 && power.Exponent == System.Math.Floor(power.Exponent))
        {
            IReadOnlyList<Node> choices = ExpandDeltas(@base);
            IReadOnlyList<Node> terms = choices;
            for (int repeat = 1; repeat < (int)power.Exponent; repeat++)
            {
                terms = terms.SelectMany(term => choices.Select(choice => Expr.Multiply(term, choice))).ToList();
            }

            return terms;
        }

        return factor is Add ? ExpandDeltas(factor) : new[] { factor };
    }

    private static Node PullOutInvariants(string index, Extent range, Node body, string? hint)
    {
        if (body is Constant { Value: 0.0 })
        {
            return Expr.Zero;
        }

        if (!body.DependsOn(index))
        {
            return Expr.Multiply(Expr.Size(range), body);
        }

        IReadOnlyList<Node> factors = body is Multiply product ? product.Factors : new[] { body };
        Node inside = Expr.Multiply(factors.Where(f => f.DependsOn(index)));
        Node outside = Expr.Multiply(factors.Where(f => !f.DependsOn(index)));
        return Expr.Multiply(outside, Expr.MakeReduction(ReductionKind.Sum, index, range, inside, hint));
    }
}
