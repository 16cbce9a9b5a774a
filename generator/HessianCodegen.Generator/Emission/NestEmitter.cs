using System;
using System.Collections.Generic;
using System.Linq;
using HessianCodegen.Generator.Helpers;
using HessianCodegen.Generator.Symbolic;

namespace HessianCodegen.Generator.Emission;

/// <summary>
/// Emits one <see cref="LoopNest"/>: picks the loop order that evaluates the least (see
/// <see cref="LoopOrderCost"/>), then declares
/// each loop-invariant or repeated subexpression as a named local at the outermost loop level where
/// its value is fixed (loop-invariant code motion plus common-subexpression elimination).
/// </summary>
internal sealed class NestEmitter
{
    /// <summary>Loop variable names, outermost first; nothing else in a generated method takes them.</summary>
    public static readonly string[] LoopNames = { "i", "j", "k", "l", "m", "n", "p", "q", "r", "s", "u", "v", "w" };


    private readonly MethodEmitter _method;

    public NestEmitter(MethodEmitter method) => _method = method;

    /// <summary>
    /// Writes the nest. With <paramref name="overwrite"/> the target ends up equal to the value (the
    /// nest either assigns, or clears the target span and accumulates); otherwise it accumulates.
    /// <paramref name="outerNames"/> maps indices bound by enclosing code to their C# names.
    /// </summary>
    /// <paramref name="sharedLocals"/>, when given, maps the code of locals declared before this nest's
    /// own loops (inside a fused loop) to their names, so nests fused together compute each once.
    public void Emit(SourceWriter writer, LoopNest nest, bool overwrite, IReadOnlyDictionary<string, string>? outerNames = null, Dictionary<string, string>? sharedLocals = null)
    {
        outerNames ??= new Dictionary<string, string>();
        List<Loop> all = nest.Loops.Concat(nest.Reduction is null ? Enumerable.Empty<Loop>() : new[] { nest.Reduction }).ToList();
        (List<Loop> order, bool clearFirst) = ChooseOrder(nest, all, overwrite);

        var names = outerNames.ToDictionary(pair => pair.Key, pair => pair.Value);
        var used = new HashSet<string>(outerNames.Values);
        foreach (Loop loop in order)
        {
            names[loop.Index] = LoopName(_method.HintFor(loop), used);
        }

        CodeBuilder builder = Builder(order, names);
        CodeNode root = builder.Lower(nest.Value);

        // A value written to two places is computed once, into a local.
        root.ForceLocal |= nest.Target.Mirror is not null && !root.IsTrivial;
        int depth = order.Count;
        List<CodeNode> locals = AssignLocals(root, depth);
        foreach (CodeNode local in locals.Where(l => l.Level > 0 || sharedLocals is null))
        {
            local.Local = _method.LocalName(local);
        }

        int opened = 0;
        foreach ((IndexRef left, IndexRef right) in nest.Conditions)
        {
            writer.WriteLine($"if ({IndexName(left, names)} == {IndexName(right, names)})");
            writer.WriteLine("{");
            writer.Indentation++;
            opened++;
        }

        bool reductionInnermost = nest.Reduction is not null && order[depth - 1] == nest.Reduction;
        bool scalarSum = nest.Reduction is not null && reductionInnermost && !clearFirst;
        if (clearFirst)
        {
            writer.WriteLine(nest.Target.Span + ".Clear();");
        }

        string target = RenderTarget(nest.Target, names);
        string? mirror = nest.Target.Mirror is null ? null : RenderTarget(nest.Target.Mirror, names);
        string? accumulator = null;
        WriteSharedLocals(writer, locals, sharedLocals);
        for (int level = 1; level <= depth; level++)
        {
            Loop loop = order[level - 1];
            if (scalarSum && level == depth)
            {
                // A sum over the innermost loop runs in a scalar and is stored once.
                accumulator = nest.Target.IsScalar ? nest.Target.Span : _method.Local(new LocalPurpose("total"));
                writer.WriteLine($"double {accumulator} = 0.0;");
            }

            string name = names[loop.Index];
            writer.WriteLine(LoopHeader(name, loop, names));
            writer.WriteLine("{");
            writer.Indentation++;
            WriteLocals(writer, locals, level);
        }

        string value = root.Render();
        if (sharedLocals is not null && sharedLocals.TryGetValue(value, out string? computed))
        {
            // The whole value is a local an earlier nest in the same loop already computed.
            value = computed;
        }

        if (accumulator is not null)
        {
            writer.WriteLine($"{accumulator} += {value};");
        }
        else if (overwrite && nest.Reduction is null && !clearFirst)
        {
            writer.WriteLine($"{(nest.Target.IsScalar ? "double " : string.Empty)}{target} = {value};");
            WriteMirror(writer, nest.Target, mirror, "=", value, names);
        }
        else
        {
            writer.WriteLine($"{target} += {value};");
            WriteMirror(writer, nest.Target, mirror, "+=", value, names);
        }

        for (int level = depth; level >= 1; level--)
        {
            writer.Indentation--;
            writer.WriteLine("}");
            if (accumulator is not null && level == depth && !nest.Target.IsScalar)
            {
                writer.WriteLine();
                writer.WriteLine($"{target} {(overwrite ? "=" : "+=")} {accumulator};");
                WriteMirror(writer, nest.Target, mirror, overwrite ? "=" : "+=", accumulator, names);
            }
        }

        for (int k = 0; k < opened; k++)
        {
            writer.Indentation--;
            writer.WriteLine("}");
        }
    }

    /// <summary>The <c>for</c> line of a loop: over its whole range, or up to the loop that bounds its triangle.</summary>
    public string LoopHeader(string name, Loop loop, IReadOnlyDictionary<string, string> names) => loop.UpTo is { } bound
        ? $"for (int {name} = 0; {name} <= {names[bound]}; {name}++)"
        : $"for (int {name} = 0; {name} < {_method.Size(loop.Range)}; {name}++)";

    /// <summary>The transposed write of a symmetric block's value; on a triangle, skipped on the diagonal, where it is the same entry.</summary>
    private void WriteMirror(SourceWriter writer, WriteTarget target, string? mirror, string operation, string value, IReadOnlyDictionary<string, string> names)
    {
        if (mirror is null)
        {
            return;
        }

        if (target.Diagonal is not { } diagonal)
        {
            writer.WriteLine($"{mirror} {operation} {value};");
            return;
        }

        writer.WriteLine($"if ({IndexName(diagonal.Column, names)} != {IndexName(diagonal.Row, names)})");
        writer.WriteLine("{");
        writer.WriteLine($"    {mirror} {operation} {value};");
        writer.WriteLine("}");
    }

    /// <summary>
    /// The name of a loop variable: the user's own index name when it is one of <see cref="LoopNames"/>
    /// (which nothing else in a method takes) and still free, else the first free one. Claims it in <paramref name="used"/>.
    /// </summary>
    public static string LoopName(string? hint, ISet<string> used) =>
        hint is not null && System.Array.IndexOf(LoopNames, hint) >= 0 && used.Add(hint) ? hint : LoopNames.First(used.Add);

    /// <summary>The cheapest loop order for a nest, and whether it must clear its target first.</summary>
    internal static (List<Loop> Order, bool ClearFirst) ChooseOrder(LoopNest nest, List<Loop> all, bool overwrite)
    {
        List<Loop>? best = null;
        bool bestClear = false;
        double bestCost = double.PositiveInfinity;
        foreach (List<Loop> order in Permutations(all))
        {
            if (!SymmetricBlocks.Respects(order))
            {
                continue;
            }

            bool reductionInnermost = nest.Reduction is null || order[order.Count - 1] == nest.Reduction;
            if (nest.Target.IsScalar && !reductionInnermost)
            {
                continue;
            }

            bool clear = overwrite && !reductionInnermost;
            double cost = LoopOrderCost.Of(nest, order, clear);
            if (cost < bestCost - 1e-9)
            {
                best = order;
                bestClear = clear;
                bestCost = cost;
            }
        }

        return (best!, bestClear);
    }

    /// <summary>
    /// The C# of a value whose indices are all bound by enclosing loops. Its repeated subexpressions (the
    /// links of a derivative's chain) are declared first as locals, once per distinct code in <paramref name="shared"/>.
    /// </summary>
    public string Render(SourceWriter writer, Node value, IReadOnlyDictionary<string, string> names, Dictionary<string, string> shared)
    {
        CodeNode root = Builder(new List<Loop>(), names).Lower(value);
        List<CodeNode> locals = AssignLocals(root, 0);
        root.Local = null;
        WriteSharedLocals(writer, locals.Where(local => local != root).ToList(), shared);
        return root.Render();
    }

    private CodeBuilder Builder(List<Loop> order, IReadOnlyDictionary<string, string> names)
    {
        var levels = new Dictionary<string, int>();
        for (int k = 0; k < order.Count; k++)
        {
            levels[order[k].Index] = k + 1;
        }

        return new CodeBuilder(
            index => levels.TryGetValue(index, out int level) ? level : 0,
            element => _method.ElementCode(element, index => IndexName(index, names)),
            _method.Size);
    }

    /// <summary>Counts uses and picks the nodes that become locals, in the order they must be declared.</summary>
    private static List<CodeNode> AssignLocals(CodeNode root, int depth)
    {
        List<CodeNode> nodes = root.PostOrder();
        foreach (CodeNode node in nodes)
        {
            foreach (CodeNode child in node.Children)
            {
                child.Uses++;
                child.DeepestUse = Math.Max(child.DeepestUse, node.Level);
            }
        }

        root.Uses++;
        root.DeepestUse = depth;
        var locals = new List<CodeNode>();
        foreach (CodeNode node in nodes)
        {
            if (!node.IsTrivial && (node.Uses >= 2 || node.ForceLocal || node.DeepestUse > node.Level))
            {
                node.Local = "local";
                locals.Add(node);
            }
        }

        return locals;
    }

    /// <summary>The locals outside this nest's loops; with <paramref name="shared"/>, each distinct code once.</summary>
    private void WriteSharedLocals(SourceWriter writer, List<CodeNode> locals, Dictionary<string, string>? shared)
    {
        if (shared is null)
        {
            WriteLocals(writer, locals, 0);
            return;
        }

        foreach (CodeNode local in locals.Where(l => l.Level == 0))
        {
            string code = local.Render(allowOwnLocal: false);
            if (shared.TryGetValue(code, out string? existing))
            {
                local.Local = existing;
                continue;
            }

            local.Local = _method.LocalName(local);
            shared[code] = local.Local;
            writer.WriteLine($"double {local.Local} = {code};");
        }
    }

    private static void WriteLocals(SourceWriter writer, List<CodeNode> locals, int level)
    {
        foreach (CodeNode local in locals.Where(l => l.Level == level))
        {
            writer.WriteLine($"double {local.Local} = {local.Render(allowOwnLocal: false)};");
        }
    }

    private string RenderTarget(WriteTarget target, IReadOnlyDictionary<string, string> names)
    {
        if (target.IsScalar)
        {
            return target.Span;
        }

        var parts = new List<string>();
        if (target.Offset != "0")
        {
            parts.Add(target.Offset);
        }

        foreach ((IndexRef index, string stride) in target.Terms)
        {
            string name = IndexName(index, names);
            parts.Add(stride == "1" ? name : name + " * " + stride);
        }

        return target.Span + "[" + (parts.Count == 0 ? "0" : string.Join(" + ", parts)) + "]";
    }

    private string IndexName(IndexRef index, IReadOnlyDictionary<string, string> names) =>
        index.IsLabel ? _method.Label(index.Name) : names.TryGetValue(index.Name, out string? name) ? name
            : throw new InvalidOperationException($"Index '{index.Name}' is not bound by any loop.");

    private static IEnumerable<List<Loop>> Permutations(List<Loop> loops)
    {
        if (loops.Count <= 1)
        {
            yield return new List<Loop>(loops);
            yield break;
        }

        for (int k = 0; k < loops.Count; k++)
        {
            List<Loop> rest = loops.Where((_, m) => m != k).ToList();
            foreach (List<Loop> tail in Permutations(rest))
            {
                tail.Insert(0, loops[k]);
                yield return tail;
            }
        }
    }
}
