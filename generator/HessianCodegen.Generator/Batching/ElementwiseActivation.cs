using System.Linq;
using HessianCodegen.Generator.Functions;
using HessianCodegen.Generator.Model;
using HessianCodegen.Generator.Symbolic;

namespace HessianCodegen.Generator.Batching;

/// <summary>
/// A layer over its sums that is one elementary function with a batch kernel applied to each sum, plus
/// perhaps a bias: <c>f[i] = g(Wz[i] + c[i])</c> or <c>g(Wz[i])</c>. Its batched forward pass is then one
/// vectorized kernel over the whole block of sums, values and slopes together, instead of a call per value;
/// its <c>H v</c> is matrix products and vectorized passes too, from the slopes and curvatures
/// (<see cref="DerivativesKernel"/>) and the chain rule through <c>g</c>, with no per-example code at all.
/// </summary>
/// <param name="Function">g, with its <see cref="ElementaryFunction.BatchKernel"/>.</param>
/// <param name="Bias">c, a parameter vector as long as the sums, or null.</param>
internal sealed record ElementwiseActivation(ElementaryFunction Function, TensorDeclaration? Bias)
{
    /// <summary>The <c>BatchKernels</c> method computing <c>g'</c> and <c>g''</c> over a block of sums (<c>TanhDerivatives</c> beside <c>Tanh</c>).</summary>
    public string DerivativesKernel => Function.BatchKernel + "Derivatives";

    /// <summary>The activation of a layer whose output i depends on its sum i alone, or null when it is not one function of the sum.</summary>
    public static ElementwiseActivation? Find(SumDerivatives derivatives)
    {
        if (derivatives.Slope is null || derivatives.Derivatives.OutputIndex is not { } output
            || derivatives.Derivatives.Output is not FunctionCall call || ElementaryFunctions.Of(call.Function) is not { BatchKernel: not null } function)
        {
            return null;
        }

        TensorDeclaration sums = derivatives.Sums.Sums;
        bool IsSum(Node node) => node is TensorElement e && e.Tensor.Name == sums.Name && e.Indices.Count == 1 && e.Indices[0] == output;
        if (IsSum(call.Argument))
        {
            return new ElementwiseActivation(function, null);
        }

        if (call.Argument is not Add { Terms.Count: 2 } add || !add.Terms.Any(IsSum))
        {
            return null;
        }

        TensorDeclaration? bias = add.Terms.First(term => !IsSum(term)) is TensorElement { Indices.Count: 1 } element && element.Indices[0] == output
            ? derivatives.Sums.SumLayer.Parameters.FirstOrDefault(p => p.Name == element.Tensor.Name && p.Dimensions.Count == 1 && p.Dimensions[0].Equals(sums.Dimensions[0]))
            : null;
        return bias is null ? null : new ElementwiseActivation(function, bias);
    }
}
