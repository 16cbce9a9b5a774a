using System.Collections.Generic;
using System.Linq;
using HessianCodegen.Generator.Helpers;

namespace HessianCodegen.Generator.Symbolic;

/// <summary>A product of at least two factors in canonical order; a constant coefficient comes first.</summary>
internal sealed class Multiply : Node
{
    internal Multiply(EquatableArray<Node> factors)
        : base(NodeKind.Multiply, factors.GetHashCode(), Union(factors), AnyDelta(factors), MaxDepth(factors)) =>
        Factors = factors;

    public EquatableArray<Node> Factors { get; }

    public override IEnumerable<Node> Children => Factors;

    protected override bool EqualsCore(Node other) => ((Multiply)other).Factors.Equals(Factors);

    public override string ToString() => "(" + string.Join(" * ", Factors) + ")";
}
