using System.Collections.Generic;
using System.Linq;
using HessianCodegen.Generator.Symbolic;

namespace HessianCodegen.Generator.Emission;

/// <content>
/// Planning the order of a method's work: temporaries and kernels become steps, and steps whose
/// outermost loop runs over the same range, and that read what the others compute only at that
/// loop's own index, share one loop (loop fusion). A temporary read only inside its fused loop
/// becomes a scalar local there instead of a span.
/// </content>
internal sealed partial class MethodEmitter
{
    /// <summary>
    /// One unit of work: a temporary to compute or a planned nest, with the loop it can share with
    /// its neighbours (null when it cannot be fused) and the temporaries it reads, at which indices.
    /// </summary>
    private sealed class Step
    {
        public Step(Temporary? temporary, PlannedNest? planned, Loop? outer, bool outerIsReduction, List<TensorElement> reads)
        {
            Temporary = temporary;
            Planned = planned;
            Outer = outer;
            OuterIsReduction = outerIsReduction;
            Reads = reads;
        }

        public Temporary? Temporary { get; }

        public PlannedNest? Planned { get; }

        public Loop? Outer { get; }

        public bool OuterIsReduction { get; }

        public List<TensorElement> Reads { get; }
    }

    /// <summary>Steps that run in one loop over <see cref="Outer"/> (or alone, when it is null).</summary>
    private sealed record StepGroup(Loop? Outer, List<Step> Steps);

    private List<Step> PlanSteps(IEnumerable<Temporary> temporaries)
    {
        var steps = new List<Step>();
        foreach (Temporary temporary in temporaries)
        {
            Loop? outer = null;
            bool fusable = temporary.Extents.Count == 1 &&
                (temporary.Definition is not Reduction || ((Reduction)temporary.Definition).Operation == ReductionKind.Sum);
            if (fusable)
            {
                outer = new Loop(Temporary.FreeName(0), temporary.Extents[0]);
            }

            steps.Add(new Step(temporary, null, outer, false, TemporaryReads(temporary.Definition)));
        }

        foreach (PlannedNest planned in _planned)
        {
            if (planned.Nest is not { } nest)
            {
                continue;
            }

            var all = nest.Loops.Concat(nest.Reduction is null ? Enumerable.Empty<Loop>() : new[] { nest.Reduction }).ToList();
            Loop? outer = null;
            bool outerIsReduction = false;
            if (all.Count > 0 && nest.Conditions.Count == 0)
            {
                Loop first = NestEmitter.ChooseOrder(nest, all, planned.Overwrite).Order[0];
                outerIsReduction = first == nest.Reduction;

                // An overwriting nest with a sum inside cannot be split around a shared loop.
                if (!(planned.Overwrite && nest.Reduction is not null && !outerIsReduction))
                {
                    outer = first;
                }
            }

            steps.Add(new Step(null, planned, outer, outerIsReduction, TemporaryReads(nest.Value)));
        }

        return steps;
    }

    /// <summary>Groups steps into fused loops, pulling a later step forward when everything it reads is ready.</summary>
    private static List<StepGroup> Fuse(List<Step> steps)
    {
        var groups = new List<StepGroup>();
        var produced = new HashSet<string>();
        var remaining = new List<Step>(steps);
        while (remaining.Count > 0)
        {
            Step first = remaining[0];
            remaining.RemoveAt(0);
            var group = new StepGroup(first.Outer, new List<Step> { first });
            if (first.Outer is not null)
            {
                var inGroup = new HashSet<string>();
                if (first.Temporary is not null)
                {
                    inGroup.Add(first.Temporary.Name);
                }

                for (int k = 0; k < remaining.Count; k++)
                {
                    Step candidate = remaining[k];
                    if (candidate.Outer is null || !candidate.Outer.Range.Equals(first.Outer.Range))
                    {
                        continue;
                    }

                    bool ready = candidate.Reads.All(read =>
                        produced.Contains(read.Tensor.Name) ||
                        (inGroup.Contains(read.Tensor.Name) && read.Indices.Count == 1 && !read.Indices[0].IsLabel && read.Indices[0].Name == candidate.Outer.Index));
                    if (!ready)
                    {
                        continue;
                    }

                    group.Steps.Add(candidate);
                    if (candidate.Temporary is not null)
                    {
                        inGroup.Add(candidate.Temporary.Name);
                    }

                    remaining.RemoveAt(k);
                    k--;
                }
            }

            foreach (Step step in group.Steps.Where(s => s.Temporary is not null))
            {
                produced.Add(step.Temporary!.Name);
            }

            groups.Add(group);
        }

        return groups;
    }

    /// <summary>Temporaries computed in a fused loop and read nowhere else: scalar locals there.</summary>
    private static HashSet<string> ScalarTemporaries(List<StepGroup> groups)
    {
        var scalars = new HashSet<string>();
        foreach (StepGroup group in groups.Where(g => g.Outer is not null && g.Steps.Count > 1))
        {
            foreach (Step producer in group.Steps.Where(s => s.Temporary is not null))
            {
                string name = producer.Temporary!.Name;
                bool readOnlyHere = groups.All(other => other.Steps.All(step => step.Reads.All(read =>
                    read.Tensor.Name != name ||
                    (ReferenceEquals(other, group) && read.Indices.Count == 1 && !read.Indices[0].IsLabel && read.Indices[0].Name == step.Outer!.Index))));
                if (readOnlyHere)
                {
                    scalars.Add(name);
                }
            }
        }

        return scalars;
    }

    private List<TensorElement> TemporaryReads(Node node)
    {
        var reads = new List<TensorElement>();
        var visited = new HashSet<Node>();

        void Visit(Node current)
        {
            if (!visited.Add(current))
            {
                return;
            }

            if (current is TensorElement element && IsTemporary(element.Tensor))
            {
                reads.Add(element);
            }

            foreach (Node child in current.Children)
            {
                Visit(child);
            }
        }

        Visit(node);
        return reads;
    }
}
