using System.Collections.Generic;
using System.Linq;
using HessianCodegen.Generator.Helpers;
using HessianCodegen.Generator.Symbolic;

namespace HessianCodegen.Generator.Emission;

/// <content>
/// Printing the planned steps: a step alone, or a fused loop whose body holds the steps bound to
/// its index; inside it, nests over the same inner range share their loop too, factors that do not
/// change in a shared loop are declared before it once, and equal code is computed once.
/// </content>
internal sealed partial class MethodEmitter
{
    private void EmitAlone(SourceWriter body, Step step)
    {
        if (step.Temporary is { } temporary)
        {
            body.WriteLine("// " + Describe(temporary));
            EmitTemporary(body, temporary);
            return;
        }

        body.WriteLine("// " + step.Planned!.What);
        _nests.Emit(body, step.Planned.Nest!, step.Planned.Overwrite);
    }

    /// <summary>One loop over the group's range; each step inside it, bound to that loop's index.</summary>
    private void EmitFused(SourceWriter body, StepGroup group)
    {
        string? hint = group.Steps.Select(s => s.Outer!.Hint).FirstOrDefault(h => h is not null) ?? HintFor(group.Outer!);
        string index = NestEmitter.LoopName(hint, new HashSet<string>());
        var work = new List<Work>();
        foreach (Step step in group.Steps)
        {
            var names = new Dictionary<string, string> { [step.Outer!.Index] = index };
            if (step.Temporary is { } temporary)
            {
                bool scalar = _scalarTemporaries.Contains(temporary.Name);
                WriteTarget target = scalar ? WriteTarget.Scalar(temporary.Name) : TemporaryTarget(temporary);
                LoopNest nest = temporary.Definition is Reduction sum
                    ? new LoopNest(new List<Loop>(), new Loop(sum.Index, sum.Range, sum.Hint), sum.Body, target, System.Array.Empty<(IndexRef, IndexRef)>())
                    : new LoopNest(new List<Loop>(), null, temporary.Definition, target, System.Array.Empty<(IndexRef, IndexRef)>());
                work.Add(new Work(nest, true, Describe(temporary, index), names, scalar ? temporary.Name : null));
            }
            else
            {
                LoopNest full = step.Planned!.Nest!;
                var inner = full with
                {
                    Loops = full.Loops.Where(loop => loop != step.Outer).ToList(),
                    Reduction = step.OuterIsReduction ? null : full.Reduction,
                };
                work.Add(new Work(inner, step.Planned.Overwrite && !step.OuterIsReduction, step.Planned.What, names, null));
            }
        }

        string temporaries = string.Join(", ", group.Steps.Where(s => s.Temporary is not null).Select(s => s.Temporary!.Name));
        body.WriteLine($"// For each {index} < {Size(group.Outer!.Range)}: " + (temporaries.Length == 0 ? "the updates below" : temporaries + ", then the updates below"));
        body.WriteLine($"for (int {index} = 0; {index} < {Size(group.Outer.Range)}; {index}++)");
        body.WriteLine("{");
        body.Indentation++;
        EmitWork(body, work.ToList(), new Dictionary<string, string>());
        body.Indentation--;
        body.WriteLine("}");
    }

    /// <summary>
    /// Emits nests inside an enclosing loop body; consecutive nests whose first loop runs over the same
    /// range share that loop (recursively), unless one reads a sum another accumulates in it.
    /// </summary>
    private void EmitWork(SourceWriter body, List<Work> items, Dictionary<string, string> shared)
    {
        int k = 0;
        while (k < items.Count)
        {
            Work item = items[k];
            Loop? first = SharableLoop(item);
            var run = new List<Work> { item };
            var accumulated = new HashSet<string>();
            if (item.Produces is not null)
            {
                accumulated.Add(item.Produces);
            }

            // Later nests over the same range join the run when they read nothing the run accumulates
            // or the nests they would move ahead of produce (outputs are never read).
            var skippedProduce = new HashSet<string>();
            for (int later = k + 1; first is not null && later < items.Count; later++)
            {
                Work candidate = items[later];
                var reads = TemporaryReads(candidate.Nest.Value).Select(read => read.Tensor.Name).ToList();
                if (SharableLoop(candidate) is { } loop && SameLoop(candidate, loop, item, first) &&
                    !reads.Any(name => accumulated.Contains(name) || skippedProduce.Contains(name)))
                {
                    if (candidate.Produces is not null)
                    {
                        accumulated.Add(candidate.Produces);
                    }

                    run.Add(candidate);
                    items.RemoveAt(later);
                    later--;
                }
                else
                {
                    skippedProduce.Add(candidate.Nest.Target.Span);
                }
            }

            int next = k + 1;

            // A nest with loops, or with a guarded mirror write, is set off from what follows by a blank line.
            bool hasLoops = item.Nest.Loops.Count > 0 || item.Nest.Reduction is not null;
            bool setOff = hasLoops || item.Nest.Target.Diagonal is not null;
            if (run.Count == 1)
            {
                if (hasLoops)
                {
                    body.WriteLine("// " + item.What);
                }

                _nests.Emit(body, item.Nest, item.Overwrite, item.Names, shared);
            }
            else
            {
                var taken = new HashSet<string>(run.SelectMany(w => w.Names.Values));
                string index = NestEmitter.LoopName(run.Select(SharableLoop).Select(loop => HintFor(loop!)).FirstOrDefault(h => h is not null), taken);
                var inner = new List<Work>();
                foreach (Work unhoisted in run)
                {
                    Work member = HoistInvariants(body, unhoisted, shared);
                    Loop shared1 = SharableLoop(member)!;
                    bool isReduction = shared1 == member.Nest.Reduction;
                    if (isReduction && member.Overwrite)
                    {
                        // A sum into a scalar: start it before the shared loop, add to it inside.
                        body.WriteLine($"double {member.Nest.Target.Span} = 0.0;");
                    }

                    var names = new Dictionary<string, string>(member.Names) { [shared1.Index] = index };
                    LoopNest stripped = member.Nest with
                    {
                        Loops = member.Nest.Loops.Where(l => l != shared1).ToList(),
                        Reduction = isReduction ? null : member.Nest.Reduction,
                    };
                    inner.Add(member with { Nest = stripped, Overwrite = member.Overwrite && !isReduction, Names = names, Produces = null });
                }

                string range = first!.UpTo is { } bound ? "<= " + item.Names[bound] : "< " + Size(first.Range);
                body.WriteLine($"// For each {index} {range}: {string.Join("; ", run.Select(w => w.What).Distinct())}");
                body.WriteLine(_nests.LoopHeader(index, first with { Index = index }, item.Names));
                body.WriteLine("{");
                body.Indentation++;
                EmitWork(body, inner.ToList(), new Dictionary<string, string>(shared));
                body.Indentation--;
                body.WriteLine("}");
            }

            if (setOff && next < items.Count)
            {
                body.WriteLine();
            }

            k = next;
        }
    }

    /// <summary>
    /// Before a shared loop: the factors of a nest's value that do not change in it (they read only
    /// indices bound outside) become locals declared here, once per distinct code, and the nest reads them.
    /// </summary>
    private Work HoistInvariants(SourceWriter body, Work member, Dictionary<string, string> shared)
    {
        Node Hoist(Node term)
        {
            if (term is not Multiply product)
            {
                return term;
            }

            List<Node> invariant = product.Factors.Where(f => f.FreeIndices.All(member.Names.ContainsKey) && !ReadsAccumulated(f)).ToList();
            if (invariant.Count(f => f is not Constant) == 0 || invariant.Count == product.Factors.Count && member.Nest.Loops.Count == 0 && member.Nest.Reduction is null)
            {
                return term;
            }

            if (invariant.Count == 1 && invariant[0] is TensorElement or Constant)
            {
                return term;
            }

            Node factor = Expr.Multiply(invariant);
            string code = _nests.Render(body, factor, member.Names, shared);
            if (!shared.TryGetValue(code, out string? local))
            {
                local = Local(new LocalPurpose("factor", factor));
                shared[code] = local;
                body.WriteLine($"double {local} = {code};");
            }

            var scalar = new TensorRef(local, Helpers.EquatableArray<Extent>.Empty);
            _scalarTemporaries.Add(local);
            return Expr.Multiply(product.Factors.Where(f => !invariant.Contains(f)).Concat(new[] { Expr.Element(scalar) }));
        }

        bool ReadsAccumulated(Node node) => member.Produces is not null && TemporaryReads(node).Any(read => read.Tensor.Name == member.Produces);

        Node value = member.Nest.Value;
        Node hoisted = value is Add sum ? Expr.Add(sum.Terms.Select(Hoist).ToList()) : Hoist(value);
        if (!member.Nest.Loops.Any() && member.Nest.Reduction is null && value is not Add && hoisted == value &&
            value.FreeIndices.All(member.Names.ContainsKey) && value is not TensorElement and not Constant)
        {
            // A single statement that does not change in the shared loop: its whole value is a local.
            string code = _nests.Render(body, value, member.Names, shared);
            if (!shared.TryGetValue(code, out string? local))
            {
                local = Local(new LocalPurpose("factor", value));
                shared[code] = local;
                body.WriteLine($"double {local} = {code};");
            }

            _scalarTemporaries.Add(local);
            hoisted = Expr.Element(new TensorRef(local, Helpers.EquatableArray<Extent>.Empty));
        }

        return ReferenceEquals(hoisted, value) ? member : member with { Nest = member.Nest with { Value = hoisted } };
    }

    /// <summary>Whether two nests' loops run over the same values: the same range, and the same enclosing loop bounding a triangle, if any.</summary>
    private static bool SameLoop(Work candidate, Loop loop, Work item, Loop first) =>
        loop.Range.Equals(first.Range) && Bound(candidate, loop) == Bound(item, first);

    private static string? Bound(Work work, Loop loop) =>
        loop.UpTo is null ? null : work.Names.TryGetValue(loop.UpTo, out string? name) ? name : "<" + loop.UpTo + ">";

    /// <summary>The first loop of a nest in its cheapest order, if the nest can share it with its neighbours.</summary>
    private Loop? SharableLoop(Work item)
    {
        // Asked for every pair of neighbours: the order search runs once per nest.
        if (_sharableLoops.TryGetValue((item.Nest, item.Overwrite), out Loop? known))
        {
            return known;
        }

        Loop? result = FindSharableLoop(item);
        _sharableLoops[(item.Nest, item.Overwrite)] = result;
        return result;
    }

    private static Loop? FindSharableLoop(Work item)
    {
        LoopNest nest = item.Nest;
        var all = nest.Loops.Concat(nest.Reduction is null ? Enumerable.Empty<Loop>() : new[] { nest.Reduction }).ToList();
        if (all.Count == 0 || nest.Conditions.Count > 0)
        {
            return null;
        }

        Loop first = NestEmitter.ChooseOrder(nest, all, item.Overwrite).Order[0];
        bool isReduction = first == nest.Reduction;
        if (item.Overwrite && (isReduction ? !nest.Target.IsScalar : nest.Reduction is not null))
        {
            return null;
        }

        return first;
    }

    /// <summary>A nest to print inside enclosing loops: the C# names those loops give its indices, and the scalar sum it starts, if any.</summary>
    private sealed record Work(LoopNest Nest, bool Overwrite, string What, Dictionary<string, string> Names, string? Produces);

    /// <summary>What a temporary holds, in the layer language: <c>sum[i] = Sum(j =&gt; W[i, j] * z[j])</c>.</summary>
    private string Describe(Temporary temporary, string? firstIndex = null)
    {
        var names = new Dictionary<string, string>();
        var used = new HashSet<string>();
        for (int k = 0; k < temporary.Extents.Count; k++)
        {
            names[Temporary.FreeName(k)] = k == 0 && firstIndex is not null && used.Add(firstIndex)
                ? firstIndex
                : NestEmitter.LoopName(HintFor(new Loop(Temporary.FreeName(k), temporary.Extents[k])), used);
        }

        string target = temporary.IsScalar ? temporary.Name : temporary.Name + "[" + string.Join(", ", names.Values) + "]";
        return target + " = " + IrDescription.Of(temporary.Definition, names, _tensors.Describe);
    }
}
