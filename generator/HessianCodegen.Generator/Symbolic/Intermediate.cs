using System.Collections.Generic;

namespace HessianCodegen.Generator.Symbolic;

/// <summary>
/// An intermediate value bound once, like a <c>let</c>: canonicalisation treats it as one opaque
/// operand and never flattens it into an enclosing product or sum. Derivatives of nested compositions
/// keep their chain as a chain of intermediates (each level reuses the one below), so they grow
/// linearly with the nesting instead of multiplying out into quadratically many factors.
/// </summary>
internal sealed class Intermediate : Node
{
    internal Intermediate(Node value)
        : base(NodeKind.Intermediate, value.GetHashCode() * 17, value.FreeIndices, value.HasDelta, value.BinderDepth) =>
        Value = value;

    public Node Value { get; }

    public override IEnumerable<Node> Children => new[] { Value };

    protected override bool EqualsCore(Node other) => ((Intermediate)other).Value.Equals(Value);

    public override string ToString() => "let(" + Value + ")";
}
