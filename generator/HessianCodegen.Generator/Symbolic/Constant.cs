using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace HessianCodegen.Generator.Symbolic;

/// <summary>A real constant.</summary>
internal sealed class Constant : Node
{
    internal Constant(double value)
        : base(NodeKind.Constant, value.GetHashCode(), null, false, 0) => Value = value;

    public double Value { get; }

    public override IEnumerable<Node> Children => Enumerable.Empty<Node>();

    protected override bool EqualsCore(Node other) => ((Constant)other).Value.Equals(Value);

    public override string ToString() => Value.ToString("R", CultureInfo.InvariantCulture);
}
