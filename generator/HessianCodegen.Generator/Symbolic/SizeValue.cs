using System.Collections.Generic;
using System.Linq;

namespace HessianCodegen.Generator.Symbolic;

/// <summary>The value of an extent, as a real number (what a sum of an index-free term multiplies it by).</summary>
internal sealed class SizeValue : Node
{
    internal SizeValue(Extent extent)
        : base(NodeKind.Size, extent.GetHashCode(), null, false, 0) => Extent = extent;

    public Extent Extent { get; }

    public override IEnumerable<Node> Children => Enumerable.Empty<Node>();

    protected override bool EqualsCore(Node other) => ((SizeValue)other).Extent.Equals(Extent);

    public override string ToString() => Extent.ToString();
}
