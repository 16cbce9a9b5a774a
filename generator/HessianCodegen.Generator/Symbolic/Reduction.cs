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
    internal Reduction(ReductionKind reduction, string index, Extent range, Node body)
        : base(
            NodeKind.Reduction,
            (((body.GetHashCode() * 31) + range.GetHashCode()) * 31) + (int)reduction,
            body.FreeIndices.Where(name => name != index).ToArray(),
            body.HasDelta,
            body.BinderDepth + 1)
    {
        Operation = reduction;
        Index = index;
        Range = range;
        Body = body;
    }

    public ReductionKind Operation { get; }

    public string Index { get; }

    public Extent Range { get; }

    public Node Body { get; }

    public override IEnumerable<Node> Children => new[] { Body };

    /// <summary>The canonical name of the index bound at a given nesting depth.</summary>
    public static string BoundName(int depth) => "s" + depth.ToString(System.Globalization.CultureInfo.InvariantCulture);

    protected override bool EqualsCore(Node other)
    {
        var reduction = (Reduction)other;
        return reduction.Operation == Operation && reduction.Index == Index &&
            reduction.Range.Equals(Range) && reduction.Body.Equals(Body);
    }

    public override string ToString() => $"{Operation}({Index} < {Range}: {Body})";
}
