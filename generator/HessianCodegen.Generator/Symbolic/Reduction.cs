using System;
using System.Collections.Generic;
using System.Linq;

namespace HessianCodegen.Generator.Symbolic;

/// <summary>The two reductions of the layer language.</summary>
internal enum ReductionKind
{
    Sum,
    LogSumExp,
}

/// <summary>
/// <c>Sum(index =&gt; body)</c> or <c>LogSumExp(index =&gt; body)</c> over <see cref="Range"/>. The bound
/// index is renamed canonically by nesting depth (<c>s1</c> innermost), so alpha-equivalent reductions
/// are equal and a free index can never be captured by substitution.
/// </summary>
internal sealed class Reduction : Node
{
    internal Reduction(ReductionKind reduction, string index, Extent range, Node body, string? hint = null)
        : base(
            NodeKind.Reduction,
            (((body.GetHashCode() * 31) + range.GetHashCode()) * 31) + (int)reduction,
            Without(body.FreeIndices, index),
            body.HasDelta,
            body.BinderDepth + 1)
    {
        Operation = reduction;
        Hint = hint;
        Index = index;
        Range = range;
        Body = body;
    }

    public ReductionKind Operation { get; }

    public string Index { get; }

    public Extent Range { get; }

    /// <summary>
    /// The name the user gave the bound index (<c>j</c> in <c>Sum(j =&gt; ...)</c>), for the emitted loop.
    /// Not part of equality: reductions that differ only in it are the same value (the layer model
    /// keeps the user's names separately, so renaming one still re-runs the generator).
    /// </summary>
    public string? Hint { get; }

    public Node Body { get; }

    public override IEnumerable<Node> Children => new[] { Body };

    /// <summary>The canonical name of the index bound at a given nesting depth.</summary>
    public static string BoundName(int depth) =>
        depth < BoundNames.Length ? BoundNames[depth] : "s" + depth.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static readonly string[] BoundNames = Enumerable.Range(0, 16).Select(d => "s" + d.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();

    private static string[] Without(string[] names, string removed)
    {
        int position = System.Array.IndexOf(names, removed);
        if (position < 0)
        {
            return names;
        }

        string[] result = new string[names.Length - 1];
        System.Array.Copy(names, 0, result, 0, position);
        System.Array.Copy(names, position + 1, result, position, names.Length - position - 1);
        return result;
    }

    protected override bool EqualsCore(Node other)
    {
        var reduction = (Reduction)other;
        return reduction.Operation == Operation && reduction.Index == Index &&
            reduction.Range.Equals(Range) && reduction.Body.Equals(Body);
    }

    public override string ToString() => $"{Operation}({Index} < {Range}: {Body})";
}
