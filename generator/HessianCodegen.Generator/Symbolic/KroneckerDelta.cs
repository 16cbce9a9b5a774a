using System.Collections.Generic;
using System.Linq;

namespace HessianCodegen.Generator.Symbolic;

/// <summary>delta(a, b): 1 where the two indices are equal, else 0. Operands are stored in canonical order.</summary>
internal sealed class KroneckerDelta : Node
{
    internal KroneckerDelta(IndexRef first, IndexRef second)
        : base(
            NodeKind.Delta,
            (first.GetHashCode() * 31) + second.GetHashCode(),
            Sorted(new[] { first, second }.Where(index => !index.IsLabel).Select(index => index.Name)),
            true,
            0)
    {
        First = first;
        Second = second;
    }

    public IndexRef First { get; }

    public IndexRef Second { get; }

    public override IEnumerable<Node> Children => Enumerable.Empty<Node>();

    /// <summary>The other operand if <paramref name="index"/> is one of them, else null.</summary>
    public IndexRef? Partner(string index) =>
        !First.IsLabel && First.Name == index ? Second :
        !Second.IsLabel && Second.Name == index ? First :
        null;

    protected override bool EqualsCore(Node other) =>
        ((KroneckerDelta)other).First.Equals(First) && ((KroneckerDelta)other).Second.Equals(Second);

    public override string ToString() => $"delta({First}, {Second})";
}
