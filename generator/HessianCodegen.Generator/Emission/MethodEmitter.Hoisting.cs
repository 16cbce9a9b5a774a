using System.Collections.Generic;
using System.Linq;
using HessianCodegen.Generator.Functions;
using HessianCodegen.Generator.Differentiation;
using HessianCodegen.Generator.Helpers;
using HessianCodegen.Generator.Symbolic;

namespace HessianCodegen.Generator.Emission;

/// <content>Method-level hoisting of elementwise functions shared between loop nests.</content>
internal sealed partial class MethodEmitter
{
    /// <summary>
    /// Materializes an elementwise function of at most one index (tanh(u[i]), exp(e[k] - lse)) as a
    /// temporary when more than one nest reads it, or one nest reads it at two different indices
    /// (exp(e[i]) * exp(e[j])): loop-invariant code motion inside a nest cannot share those.
    /// </summary>
    private void HoistElementwiseFunctions()
    {
        var sites = _planned.Where(p => p.Nest is not null).Select(p => (Value: p.Nest!.Value, Extents: ExtentsOf(p.Nest!))).ToList();
        foreach (Temporary temporary in _temporaryOrder.Where(t => t.Definition is Reduction))
        {
            var reduction = (Reduction)temporary.Definition;
            Dictionary<string, Extent> extents = temporary.Extents.Select((extent, k) => (Temporary.FreeName(k), extent)).ToDictionary(p => p.Item1, p => p.extent);
            extents[reduction.Index] = reduction.Range;
            sites.Add((reduction.Body, extents));
        }

        var siteCount = new Dictionary<Node, int>();
        var repeated = new HashSet<Node>();
        var extentOf = new Dictionary<Node, Extent?>();
        var order = new List<Node>();
        foreach ((Node value, Dictionary<string, Extent> extents) in sites)
        {
            var instances = new Dictionary<Node, HashSet<Node>>();
            foreach (FunctionCall call in Functions(value, new HashSet<Node>()))
            {
                Node canonical = Canonical(call);
                if (!instances.TryGetValue(canonical, out HashSet<Node>? seen))
                {
                    instances[canonical] = seen = new HashSet<Node>();
                    siteCount[canonical] = siteCount.TryGetValue(canonical, out int count) ? count + 1 : 1;
                    if (!extentOf.ContainsKey(canonical))
                    {
                        extentOf[canonical] = call.FreeIndices.Length == 0 ? null : extents[call.FreeIndices[0]];
                        order.Add(canonical);
                    }
                }

                seen.Add(call);
                if (seen.Count > 1)
                {
                    repeated.Add(canonical);
                }
            }
        }

        List<Node> selected = order.Where(n => siteCount[n] > 1 || repeated.Contains(n)).OrderBy(Size).ToList();
        if (selected.Count == 0)
        {
            return;
        }

        var hoisted = new Dictionary<Node, Temporary>();
        var memo = new Dictionary<Node, Node>();
        foreach (Node canonical in selected)
        {
            var call = (FunctionCall)canonical;
            Node definition = Expr.Function(call.Function, Rewrite(call.Argument, hoisted, memo));
            Extent? extent = extentOf[canonical];
            var temporary = new Temporary(Local(new LocalPurpose(ElementaryFunctions.Of(call.Function).LocalName)), definition, extent is null ? new List<Extent>() : new List<Extent> { extent });
            hoisted[canonical] = temporary;
            _temporaryOrder.Add(temporary);
            memo.Clear();
        }

        for (int k = 0; k < _planned.Count; k++)
        {
            if (_planned[k].Nest is { } nest)
            {
                _planned[k] = _planned[k] with { Nest = nest with { Value = Rewrite(nest.Value, hoisted, memo) } };
            }
        }

        foreach (Temporary temporary in _temporaryOrder.Where(t => t.Definition is Reduction).ToList())
        {
            var reduction = (Reduction)temporary.Definition;
            Node body = Rewrite(reduction.Body, hoisted, memo);
            int position = _temporaryOrder.IndexOf(temporary);
            var rewritten = new Temporary(temporary.Name, Expr.MakeReduction(reduction.Operation, reduction.Index, reduction.Range, body, reduction.Hint), temporary.Extents);
            _temporaryOrder[position] = rewritten;
        }
    }

    /// <summary>
    /// A reduction at a label (<c>Sum_j W[label, j] z[j]</c>) that is one entry of a reduction already
    /// materialized for every class (<c>Sum_j W[k, j] z[j]</c>) reads that entry instead of summing again.
    /// </summary>
    private void ReuseTemporariesAtLabels()
    {
        var replacements = new Dictionary<string, Node>();
        foreach (Temporary temporary in _temporaryOrder.ToList())
        {
            // Scalar reductions only: their one free index after generalizing is the label's.
            string? label = FirstLabel(temporary.Definition);
            if (label is null || temporary.Definition is not Reduction || !temporary.IsScalar)
            {
                continue;
            }

            Node generalized = ReplaceLabel(temporary.Definition, label, IndexRef.Loop(Temporary.FreeName(0)));
            if (!_temporaries.TryGetValue(generalized, out Temporary? full) || ReferenceEquals(full, temporary))
            {
                continue;
            }

            var tensor = new TensorRef(full.Name, full.Extents.ToEquatableArray());
            replacements[temporary.Name] = Expr.Element(tensor, IndexRef.Label(label));
            _temporaryOrder.Remove(temporary);
        }

        if (replacements.Count == 0)
        {
            return;
        }

        var memo = new Dictionary<Node, Node>();
        Node Replace(Node node) => ReplaceElements(node, element =>
            IsTemporary(element.Tensor) && replacements.TryGetValue(element.Tensor.Name, out Node? entry) ? entry : null, memo);

        for (int k = 0; k < _planned.Count; k++)
        {
            if (_planned[k].Nest is { } nest)
            {
                _planned[k] = _planned[k] with { Nest = nest with { Value = Replace(nest.Value) } };
            }
        }

        for (int k = 0; k < _temporaryOrder.Count; k++)
        {
            Temporary temporary = _temporaryOrder[k];
            _temporaryOrder[k] = new Temporary(temporary.Name, Replace(temporary.Definition), temporary.Extents);
        }
    }

    private static string? FirstLabel(Node node)
    {
        if (node is TensorElement element)
        {
            return element.Indices.FirstOrDefault(index => index.IsLabel)?.Name;
        }

        foreach (Node child in node.Children)
        {
            if (FirstLabel(child) is { } label)
            {
                return label;
            }
        }

        return null;
    }

    private static Node ReplaceLabel(Node node, string label, IndexRef replacement) => ReplaceElements(node, element =>
        element.Indices.Any(index => index.IsLabel && index.Name == label)
            ? new TensorElement(element.Tensor, element.Indices.Select(index => index.IsLabel && index.Name == label ? replacement : index).ToEquatableArray())
            : null, new Dictionary<Node, Node>());

    /// <summary>Rebuilds a node with some tensor elements replaced (null from <paramref name="replace"/> keeps one).</summary>
    private static Node ReplaceElements(Node node, System.Func<TensorElement, Node?> replace, Dictionary<Node, Node> memo) =>
        Traversal.Rewrite(node, current => current is TensorElement element ? replace(element) ?? element : null, memo);

    /// <summary>Temporaries ordered so that each comes after the temporaries its definition reads.</summary>
    private List<Temporary> DependencyOrder(List<Temporary> temporaries)
    {
        var byName = temporaries.ToDictionary(t => t.Name);
        var ordered = new List<Temporary>();
        var done = new HashSet<string>();

        void Visit(Temporary temporary)
        {
            if (!done.Add(temporary.Name))
            {
                return;
            }

            foreach (string dependency in TemporariesRead(temporary.Definition, new HashSet<Node>()))
            {
                if (byName.TryGetValue(dependency, out Temporary? inner))
                {
                    Visit(inner);
                }
            }

            ordered.Add(temporary);
        }

        foreach (Temporary temporary in temporaries)
        {
            Visit(temporary);
        }

        return ordered;
    }

    private IEnumerable<string> TemporariesRead(Node node, HashSet<Node> visited)
    {
        if (!visited.Add(node))
        {
            yield break;
        }

        if (node is TensorElement element && IsTemporary(element.Tensor))
        {
            yield return element.Tensor.Name;
        }

        foreach (Node child in node.Children)
        {
            foreach (string name in TemporariesRead(child, visited))
            {
                yield return name;
            }
        }
    }

    private static Dictionary<string, Extent> ExtentsOf(LoopNest nest)
    {
        Dictionary<string, Extent> extents = nest.Loops.ToDictionary(l => l.Index, l => l.Range);
        if (nest.Reduction is not null)
        {
            extents[nest.Reduction.Index] = nest.Reduction.Range;
        }

        return extents;
    }

    private static IEnumerable<FunctionCall> Functions(Node node, HashSet<Node> visited)
    {
        if (!visited.Add(node))
        {
            yield break;
        }

        foreach (Node child in node.Children)
        {
            foreach (FunctionCall inner in Functions(child, visited))
            {
                yield return inner;
            }
        }

        if (node is FunctionCall call && call.FreeIndices.Length <= 1 && ElementaryFunctions.Of(call.Function).Hoistable)
        {
            yield return call;
        }
    }

    private static Node Canonical(FunctionCall call) =>
        call.FreeIndices.Length == 0 ? call : IndexSubstitution.Substitute(call, call.FreeIndices[0], IndexRef.Loop(Temporary.FreeName(0)));

    private static int Size(Node node) => 1 + node.Children.Sum(Size);

    private static Node Rewrite(Node node, Dictionary<Node, Temporary> hoisted, Dictionary<Node, Node> memo) =>
        Traversal.Rewrite(node, current =>
        {
            if (current is FunctionCall call && call.FreeIndices.Length <= 1 && hoisted.TryGetValue(Canonical(call), out Temporary? temporary))
            {
                var tensor = new TensorRef(temporary.Name, temporary.Extents.ToEquatableArray());
                return Expr.Element(tensor, call.FreeIndices.Select(IndexRef.Loop).ToArray());
            }

            // Reductions are temporaries by now; their bodies are rewritten where they are defined.
            return current is Reduction ? current : null;
        }, memo);

    /// <summary>One planned loop nest (or a clear of an overwritten output before accumulating nests).</summary>
    private sealed record PlannedNest(LoopNest? Nest, bool Overwrite, string? Clear, string What);
}
