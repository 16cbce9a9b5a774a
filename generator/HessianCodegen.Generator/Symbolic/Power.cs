using System.Collections.Generic;
using System.Globalization;

namespace HessianCodegen.Generator.Symbolic;

/// <summary><c>base^exponent</c> with a constant exponent (division is a power of -1).</summary>
internal sealed class Power : Node
{
    internal Power(Node @base, double exponent)
        : base(NodeKind.Power, (@base.GetHashCode() * 31) + exponent.GetHashCode(), @base.FreeIndices, @base.HasDelta, @base.BinderDepth)
    {
        Base = @base;
        Exponent = exponent;
    }

    public Node Base { get; }

    public double Exponent { get; }

    public override IEnumerable<Node> Children => new[] { Base };

    protected override bool EqualsCore(Node other) =>
        ((Power)other).Exponent.Equals(Exponent) && ((Power)other).Base.Equals(Base);

    public override string ToString() => $"({Base})^{Exponent.ToString("R", CultureInfo.InvariantCulture)}";
}
