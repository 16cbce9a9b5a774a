using System;
using System.Collections.Generic;
using HessianCodegen.Generator.Symbolic;

namespace HessianCodegen.Generator.Emission;

/// <summary>
/// Estimates what a loop nest costs in a given loop order, straight from the IR: every operation is
/// evaluated once per iteration of the loops its operands depend on (the emitter hoists the rest),
/// transcendental calls are expensive, strided reads and stores in the innermost loop cost extra.
/// Sizes are unknown at generation time, so every symbolic extent counts as the same moderate size.
/// </summary>
internal static class LoopOrderCost
{
    private const double AssumedExtent = 32.0;
    private const double TranscendentalCost = 20.0;
    private const double StridePenalty = 1.0;
    private const double StoreCost = 0.5;

    public static double Of(LoopNest nest, IReadOnlyList<Loop> order, bool clearFirst)
    {
        int depth = order.Count;
        var levels = new Dictionary<string, int>(StringComparer.Ordinal);
        double[] iterations = new double[depth + 1];
        iterations[0] = 1.0;
        for (int k = 0; k < depth; k++)
        {
            levels[order[k].Index] = k + 1;
            iterations[k + 1] = iterations[k] * Size(order[k].Range);
        }

        string? innermost = depth == 0 ? null : order[depth - 1].Index;
        double cost = 0.0;
        var visited = new HashSet<Node>();
        var levelBuffer = new List<int>();

        int LevelOf(Node node)
        {
            int level = 0;
            foreach (string index in node.FreeIndices)
            {
                if (levels.TryGetValue(index, out int position))
                {
                    level = Math.Max(level, position);
                }
            }

            return level;
        }

        void Visit(Node node)
        {
            if (!visited.Add(node))
            {
                return;
            }

            int level = LevelOf(node);
            switch (node)
            {
                case TensorElement element:
                    IndexRef? last = element.Indices.Count == 0 ? null : element.Indices[element.Indices.Count - 1];
                    if (depth > 0 && level == depth && (last is null || last.IsLabel || last.Name != innermost))
                    {
                        cost += StridePenalty * iterations[depth];
                    }

                    return;
                case FunctionCall call:
                    cost += Functions.ElementaryFunctions.Of(call.Function).Cost * iterations[level];
                    Visit(call.Argument);
                    return;
                case Power power:
                    double exponent = Math.Abs(power.Exponent);
                    cost += (exponent is 1.0 or 2.0 or 3.0 ? exponent : TranscendentalCost) * iterations[level];
                    Visit(power.Base);
                    return;
                case Intermediate intermediate:
                    Visit(intermediate.Value);
                    return;
                case Multiply or Add:
                    // Operands combine in order of level: each combination runs at its operand's level.
                    levelBuffer.Clear();
                    foreach (Node child in node.Children)
                    {
                        // A constant coefficient folds into the lowest-level operand (or a subtraction).
                        if (child is not Constant)
                        {
                            levelBuffer.Add(LevelOf(child));
                        }
                    }

                    levelBuffer.Sort();
                    for (int k = 1; k < levelBuffer.Count; k++)
                    {
                        cost += iterations[levelBuffer[k]];
                    }

                    foreach (Node child in node.Children)
                    {
                        Visit(child);
                    }

                    return;
            }
        }

        Visit(nest.Value);

        bool writesInInnerLoop = nest.Reduction is null || depth == 0 || order[depth - 1] != nest.Reduction;
        if (writesInInnerLoop && depth > 0)
        {
            bool contiguous = nest.Target.Terms.Count > 0 && nest.Target.Terms[nest.Target.Terms.Count - 1].Index.Name == innermost;
            cost += iterations[depth] * (contiguous ? StoreCost : StoreCost + StridePenalty);
        }

        if (clearFirst)
        {
            double cleared = 1.0;
            foreach (Loop loop in nest.Loops)
            {
                cleared *= Size(loop.Range);
            }

            cost += cleared;
        }

        return cost;
    }

    private static double Size(Extent extent) => extent.Parameter is null ? extent.Literal : AssumedExtent;
}
