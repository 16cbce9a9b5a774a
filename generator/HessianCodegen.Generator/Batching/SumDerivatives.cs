using System.Collections.Generic;
using System.Linq;
using HessianCodegen.Generator.Differentiation;
using HessianCodegen.Generator.Model;
using HessianCodegen.Generator.Symbolic;

namespace HessianCodegen.Generator.Batching;

/// <summary>
/// The derivatives of a layer rewritten over its sums <c>Wz</c> (<see cref="InputSums"/>), sorted by what
/// the batched backward pass needs to compute them: the adjoint of the sums, and the parameter gradient
/// apart from <c>W</c>'s (which is a product with the inputs).
/// </summary>
internal sealed class SumDerivatives
{
    public SumDerivatives(InputSums sums)
    {
        Sums = sums;
        Derivatives = new SymbolicLayerDerivatives(sums.SumLayer);
        Slope = ElementwiseSlope(Derivatives);

        // A bias: a vector whose gradient is the adjoint of the sums (f reads c[e] only in Wz[e] + c[e]).
        var biases = new List<TensorDeclaration>();
        var others = new List<ParameterDerivative>();
        foreach (ParameterDerivative gradient in Derivatives.ParameterGradient.Where(g => g.Value is not Constant { Value: 0.0 }))
        {
            bool isBias = gradient.Indices.Length == 1 && gradient.Parameter.Dimensions[0].Equals(sums.Sums.Dimensions[0])
                && IndexSubstitution.Substitute(gradient.Value, gradient.Indices[0].Name, SymbolicLayerDerivatives.InputIndex).Equals(Derivatives.InputAdjoint);
            if (isBias)
            {
                biases.Add(gradient.Parameter);
            }
            else
            {
                others.Add(gradient);
            }
        }

        Biases = biases;
        OtherGradients = others;
    }

    public InputSums Sums { get; }

    /// <summary>The derivatives of the layer over its sums.</summary>
    public SymbolicLayerDerivatives Derivatives { get; }

    /// <summary>
    /// <c>d f[i] / d Wz[i]</c> (free index <c>i</c>) when output <c>i</c> depends on sum <c>i</c> alone, as in
    /// <c>Tanh(Wz[i] + c[i])</c>: the forward pass keeps it, and the adjoint of the sums is the output
    /// adjoint times it. Null for a loss or a layer that mixes sums.
    /// </summary>
    public Node? Slope { get; }

    /// <summary>The parameter vectors whose gradient is the sum over the examples of the sums' adjoint.</summary>
    public IReadOnlyList<TensorDeclaration> Biases { get; }

    /// <summary>The other non-zero parameter gradients, computed per example.</summary>
    public IReadOnlyList<ParameterDerivative> OtherGradients { get; }

    private static Node? ElementwiseSlope(SymbolicLayerDerivatives derivatives)
    {
        if (derivatives.OutputIndex is not { } output)
        {
            return null;
        }

        // Diagonal: Dz[i, l] = delta(i, l) Dz[i, i].
        Node jacobian = derivatives.InputJacobian;
        Node diagonal = IndexSubstitution.Substitute(jacobian, SymbolicLayerDerivatives.InputIndex.Name, output);
        return Expr.Multiply(Expr.Delta(output, SymbolicLayerDerivatives.InputIndex), diagonal).Equals(jacobian) ? diagonal : null;
    }
}
