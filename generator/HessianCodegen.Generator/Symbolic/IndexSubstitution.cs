using System.Collections.Generic;
using System.Linq;
using HessianCodegen.Generator.Helpers;

namespace HessianCodegen.Generator.Symbolic;

/// <summary>Replaces a free loop index by another index or a label, re-canonicalising on the way up.</summary>
internal static class IndexSubstitution
{
    public static Node Substitute(Node node, string index, IndexRef replacement)
    {
        if (!node.DependsOn(index))
        {
            return node;
        }

        var memo = new Dictionary<Node, Node>();
        Node? Replace(Node current) => current switch
        {
            _ when !current.DependsOn(index) => current,
            TensorElement element => new TensorElement(
                element.Tensor,
                element.Indices.Select(i => Rename(i, index, replacement)).ToEquatableArray()),
            KroneckerDelta delta => Expr.Delta(Rename(delta.First, index, replacement), Rename(delta.Second, index, replacement)),

            // A sum is rebuilt in full: the substitution may have put a delta on its index.
            Reduction reduction => Expr.Reduce(
                reduction.Operation, reduction.Index, reduction.Range, Traversal.Rewrite(reduction.Body, Replace, memo), reduction.Hint),
            _ => null,
        };

        return Traversal.Rewrite(node, Replace, memo);
    }

    private static IndexRef Rename(IndexRef candidate, string index, IndexRef replacement) =>
        !candidate.IsLabel && candidate.Name == index ? replacement : candidate;
}
