using System.Collections.Generic;
using System.Linq;
using HessianCodegen.Generator.Helpers;

namespace HessianCodegen.Generator.Symbolic;

/// <summary>One entry of a tensor, <c>W[i, j]</c>; a rank-0 tensor (a scalar adjoint) has no subscripts.</summary>
internal sealed class TensorElement : Node
{
    internal TensorElement(TensorRef tensor, EquatableArray<IndexRef> indices)
        : base(
            NodeKind.Element,
            (tensor.GetHashCode() * 31) + indices.GetHashCode(),
            Sorted(indices.Where(index => !index.IsLabel).Select(index => index.Name)),
            false,
            0)
    {
        Tensor = tensor;
        Indices = indices;
    }

    public TensorRef Tensor { get; }

    public EquatableArray<IndexRef> Indices { get; }

    public override IEnumerable<Node> Children => Enumerable.Empty<Node>();

    protected override bool EqualsCore(Node other) =>
        ((TensorElement)other).Tensor.Equals(Tensor) && ((TensorElement)other).Indices.Equals(Indices);

    public override string ToString() => Tensor.Name + (Indices.Count == 0 ? string.Empty : "[" + string.Join(", ", Indices) + "]");
}
