using System.Collections.Generic;
using System.Linq;
using HessianCodegen.Generator.Helpers;

namespace HessianCodegen.Generator.Symbolic;

/// <summary>A sum of at least two terms in canonical order; a constant term comes first.</summary>
internal sealed class Add : Node
{
    internal Add(EquatableArray<Node> terms)
        : base(NodeKind.Add, terms.GetHashCode() * 7, Union(terms), AnyDelta(terms), MaxDepth(terms)) =>
        Terms = terms;

    public EquatableArray<Node> Terms { get; }

    public override IEnumerable<Node> Children => Terms;

    protected override bool EqualsCore(Node other) => ((Add)other).Terms.Equals(Terms);

    public override string ToString() => "(" + string.Join(" + ", Terms) + ")";
}
