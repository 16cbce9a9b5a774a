using System.Linq;
using HessianCodegen.Generator.Symbolic;

namespace HessianCodegen.Generator.Differentiation;

/// <summary>The seeds that say what a <see cref="Differentiator"/> differentiates with respect to.</summary>
internal static class Seeds
{
    /// <summary>
    /// The directional derivative along (t, v): the input element z[j] becomes t[j] and a parameter
    /// element P[..] becomes vP[..]; data has no direction.
    /// </summary>
    public static System.Func<TensorElement, Node> Directional(LayerTensors tensors) => element => tensors.RoleOf(element.Tensor) switch
    {
        TensorRole.Input or TensorRole.Parameter => new TensorElement(tensors.Direction(element.Tensor), element.Indices),
        _ => Expr.Zero,
    };

    /// <summary>
    /// The partial derivative with respect to <paramref name="tensor"/>[<paramref name="indices"/>]:
    /// d X[a, b] / d X[k, m] = delta(a, k) delta(b, m), and zero for every other tensor.
    /// </summary>
    public static System.Func<TensorElement, Node> Partial(TensorRef tensor, IndexRef[] indices) =>
        element => element.Tensor.Equals(tensor)
            ? Expr.Multiply(element.Indices.Select((index, k) => Expr.Delta(index, indices[k])))
            : Expr.Zero;
}
