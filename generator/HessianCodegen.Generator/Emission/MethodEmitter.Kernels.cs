using System;
using System.Collections.Generic;
using System.Linq;
using HessianCodegen.Generator.Helpers;
using HessianCodegen.Generator.Symbolic;

namespace HessianCodegen.Generator.Emission;

/// <content>Planning kernels: deltas become loop bindings, reductions become temporaries.</content>
internal sealed partial class MethodEmitter
{
    /// <summary>
    /// Adds <c>target = value</c> (or <c>+=</c> when not <paramref name="overwrite"/>) for every value of
    /// the free loops. Deltas between free indices bind one loop to another (or to a label), so only
    /// the entries that can be non-zero are visited. <paramref name="what"/> says which quantity or
    /// block it computes (the comment above its loops). <paramref name="symmetricIn"/> names pairs of
    /// free indices whose swap may leave the value unchanged (a diagonal block of a Hessian): where the
    /// swap provably does (see <see cref="SymmetricBlocks"/>), an accumulating nest visits one triangle.
    /// </summary>
    public void AddKernel(string what, WriteTarget target, IReadOnlyList<Loop> freeLoops, Node value, bool overwrite,
        IReadOnlyList<(IndexRef First, IndexRef Second)>? symmetricIn = null)
    {
        var nests = new List<(LoopNest Nest, string What)>();
        bool restricted = false;
        foreach ((Node deltas, Node body) in GroupByDeltas(value))
        {
            (Dictionary<string, IndexRef> bindings, List<(IndexRef, IndexRef)> conditions) = Resolve(deltas, freeLoops);
            restricted |= bindings.Count > 0 || conditions.Count > 0;
            Node bound = bindings.Aggregate(body, (node, binding) => IndexSubstitution.Substitute(node, binding.Key, binding.Value));
            List<Loop> loops = freeLoops.Where(loop => !bindings.ContainsKey(loop.Index)).ToList();
            (Loop? reduction, Node inner) = ExtractTopReduction(bound);
            var extents = loops.ToDictionary(loop => loop.Index, loop => loop.Range);
            if (reduction is not null)
            {
                extents[reduction.Index] = reduction.Range;
            }

            Node replaced = ReplaceReductions(inner, extents, new Dictionary<Node, Node>());
            var nest = new LoopNest(loops, reduction, replaced, target.Substitute(bindings), conditions);
            if (!overwrite && symmetricIn is not null && SymmetricBlocks.SwappedPairs(symmetricIn, bindings, loops, bound) is { } swapped)
            {
                nests.Add((SymmetricBlocks.Triangle(nest, swapped), what + ", one triangle, mirrored"));
                continue;
            }

            nests.Add((nest, what));
        }

        if (overwrite && nests.Count == 1 && !restricted)
        {
            _planned.Add(new PlannedNest(nests[0].Nest, Overwrite: true, Clear: null, what));
            return;
        }

        if (overwrite)
        {
            _planned.Add(new PlannedNest(null, Overwrite: false, Clear: target.Span, what));
        }

        foreach ((LoopNest nest, string nestWhat) in nests)
        {
            _planned.Add(new PlannedNest(nest, Overwrite: false, Clear: null, nestWhat));
        }
    }

    private static IEnumerable<(Node Deltas, Node Body)> GroupByDeltas(Node value)
    {
        if (value is Constant { Value: 0.0 })
        {
            yield break;
        }

        if (!value.HasDelta)
        {
            yield return (Expr.One, value);
            yield break;
        }

        var groups = new Dictionary<Node, List<Node>>();
        var order = new List<Node>();
        foreach (Node term in DeltaElimination.ExpandDeltas(value))
        {
            IReadOnlyList<Node> factors = term is Multiply product ? product.Factors : new[] { term };
            Node deltas = Expr.Multiply(factors.Where(f => f is KroneckerDelta));
            if (!groups.TryGetValue(deltas, out List<Node>? members))
            {
                groups[deltas] = members = new List<Node>();
                order.Add(deltas);
            }

            members.Add(Expr.Multiply(factors.Where(f => f is not KroneckerDelta)));
        }

        foreach (Node deltas in order)
        {
            Node body = Expr.Add(groups[deltas]);
            if (body is not Constant { Value: 0.0 })
            {
                yield return (deltas, body);
            }
        }
    }

    /// <summary>
    /// Turns the deltas of a term into loop bindings: indices a delta joins share one loop (the
    /// first free loop of their class), or take a label's value; two labels become a condition.
    /// </summary>
    private static (Dictionary<string, IndexRef> Bindings, List<(IndexRef, IndexRef)> Conditions) Resolve(Node deltas, IReadOnlyList<Loop> freeLoops)
    {
        var bindings = new Dictionary<string, IndexRef>();
        var conditions = new List<(IndexRef, IndexRef)>();
        IReadOnlyList<Node> factors = deltas is Multiply product ? product.Factors : new[] { deltas };
        var classes = new List<List<IndexRef>>();
        foreach (KroneckerDelta delta in factors.OfType<KroneckerDelta>())
        {
            List<IndexRef>? first = classes.FirstOrDefault(c => c.Contains(delta.First));
            List<IndexRef>? second = classes.FirstOrDefault(c => c.Contains(delta.Second));
            if (first is null && second is null)
            {
                classes.Add(new List<IndexRef> { delta.First, delta.Second });
            }
            else if (first is null)
            {
                second!.Add(delta.First);
            }
            else if (second is null)
            {
                first.Add(delta.Second);
            }
            else if (!ReferenceEquals(first, second))
            {
                first.AddRange(second);
                classes.Remove(second);
            }
        }

        var loopOrder = freeLoops.Select(l => l.Index).ToList();
        foreach (List<IndexRef> members in classes)
        {
            foreach (IndexRef member in members.Where(m => !m.IsLabel && !loopOrder.Contains(m.Name)))
            {
                throw new InvalidOperationException($"The delta index '{member.Name}' is neither summed nor free.");
            }

            List<IndexRef> labels = members.Where(m => m.IsLabel).ToList();
            IndexRef representative = labels.Count > 0
                ? labels[0]
                : members.OrderBy(m => loopOrder.IndexOf(m.Name)).First();
            foreach (IndexRef label in labels.Skip(1))
            {
                conditions.Add((representative, label));
            }

            foreach (IndexRef member in members.Where(m => !m.IsLabel && !m.Equals(representative)))
            {
                bindings[member.Name] = representative;
            }
        }

        return (bindings, conditions);
    }

    /// <summary>A sum at the top of a term (possibly times loop-invariant factors) runs inside the nest itself.</summary>
    private static (Loop? Reduction, Node Inner) ExtractTopReduction(Node value)
    {
        if (value is Reduction { Operation: ReductionKind.Sum } sum)
        {
            return (new Loop(sum.Index, sum.Range, sum.Hint), sum.Body);
        }

        if (value is Multiply product)
        {
            List<Reduction> sums = product.Factors.OfType<Reduction>().Where(r => r.Operation == ReductionKind.Sum).ToList();
            if (sums.Count == 1)
            {
                Reduction only = sums[0];
                Node rest = Expr.Multiply(product.Factors.Where(f => !ReferenceEquals(f, only)).Concat(new[] { only.Body }));
                return (new Loop(only.Index, only.Range, only.Hint), rest);
            }
        }

        return (null, value);
    }

    /// <summary>Replaces every reduction by a read of its temporary, registering temporaries inner first.</summary>
    private Node ReplaceReductions(Node node, Dictionary<string, Extent> extents, Dictionary<Node, Node> memo) =>
        Traversal.Rewrite(node, current =>
        {
            if (current.BinderDepth == 0)
            {
                return current;
            }

            if (current is not Reduction reduction)
            {
                return null;
            }

            var inner = new Dictionary<string, Extent>(extents) { [reduction.Index] = reduction.Range };
            Node body = ReplaceReductions(reduction.Body, inner, new Dictionary<Node, Node>());
            Node definition = Expr.MakeReduction(reduction.Operation, reduction.Index, reduction.Range, body, reduction.Hint);
            string[] free = definition.FreeIndices;
            for (int k = 0; k < free.Length; k++)
            {
                definition = IndexSubstitution.Substitute(definition, free[k], IndexRef.Loop(Temporary.FreeName(k)));
            }

            if (!_temporaries.TryGetValue(definition, out Temporary? temporary))
            {
                string hint = reduction.Operation == ReductionKind.Sum ? "sum" : "logSumExp";
                temporary = new Temporary(Local(new LocalPurpose(hint)), (Reduction)definition, free.Select(index => extents[index]).ToList());
                _temporaries[definition] = temporary;
                _temporaryOrder.Add(temporary);
            }

            var tensor = new TensorRef(temporary.Name, temporary.Extents.ToEquatableArray());
            return Expr.Element(tensor, free.Select(IndexRef.Loop).ToArray());
        }, memo);
}
