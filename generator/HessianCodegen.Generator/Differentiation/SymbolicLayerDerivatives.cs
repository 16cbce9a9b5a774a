using System.Collections.Generic;
using System.Linq;
using HessianCodegen.Generator.Helpers;
using HessianCodegen.Generator.Model;
using HessianCodegen.Generator.Symbolic;

namespace HessianCodegen.Generator.Differentiation;

/// <summary>A derivative with respect to one parameter tensor, with its fresh free indices.</summary>
internal sealed record ParameterDerivative(TensorDeclaration Parameter, IndexRef[] Indices, Node Value);

/// <summary>A second derivative with respect to two parameter tensors, the first at or before the second in the layout.</summary>
internal sealed record ParameterPairDerivative(
    TensorDeclaration First, IndexRef[] FirstIndices, TensorDeclaration Second, IndexRef[] SecondIndices, Node Value);

/// <summary>
/// Every quantity of <c>IHessianLayer</c> as an IR expression over free indices, derived from the
/// layer's math f. With psi = Sum_i b[i] f[i] and phi = Sum_i b[i] (directional derivative of f[i]):
/// the products are derivatives of psi and phi, the dense blocks derivatives of f and psi.
/// </summary>
internal sealed class SymbolicLayerDerivatives
{
    /// <summary>Free index of derivatives with respect to the input.</summary>
    public static readonly IndexRef InputIndex = IndexRef.Loop("l");

    /// <summary>Free index of second derivatives with respect to the input.</summary>
    public static readonly IndexRef SecondInputIndex = IndexRef.Loop("n");

    public SymbolicLayerDerivatives(LayerModel layer)
    {
        Layer = layer;
        Output = layer.Expression;
        Input = layer.Input.ToTensorRef();
        Tensors = new LayerTensors(layer);
        Adjoint = Tensors.Adjoint;

        Tangent = new Differentiator(Seeds.Directional(Tensors)).Differentiate(Output);
        Node psi = ContractWithAdjoint(Output);
        Node phi = ContractWithAdjoint(Tangent);

        InputAdjoint = WithRespectToInput(psi, InputIndex);
        ParameterGradient = WithRespectToParameters(psi, "x");
        SecondOrderInput = WithRespectToInput(phi, InputIndex);
        SecondOrderParameters = WithRespectToParameters(phi, "x");

        InputJacobian = WithRespectToInput(Output, InputIndex);
        ParameterJacobians = WithRespectToParameters(Output, "x");

        var parameterInput = new List<ParameterDerivative>();
        var parameterPairs = new List<ParameterPairDerivative>();
        for (int k = 0; k < ParameterGradient.Count; k++)
        {
            ParameterDerivative first = ParameterGradient[k];
            parameterInput.Add(first with { Value = WithRespectToInput(first.Value, InputIndex) });

            // The block of (Q, P) is the transpose of that of (P, Q): only P <= Q is differentiated.
            foreach (ParameterDerivative second in WithRespectToParameters(first.Value, "y", from: k))
            {
                parameterPairs.Add(new ParameterPairDerivative(
                    first.Parameter, first.Indices, second.Parameter, second.Indices, second.Value));
            }
        }

        ParameterInput = parameterInput;
        ParameterPairs = parameterPairs;
        InputInput = WithRespectToInput(InputAdjoint, SecondInputIndex);
    }

    public LayerModel Layer { get; }

    public TensorRef Input { get; }

    public TensorRef Adjoint { get; }

    /// <summary>The tensors these derivatives read, with their roles.</summary>
    public LayerTensors Tensors { get; }

    /// <summary>f: one output element (free index i), or the loss.</summary>
    public Node Output { get; }

    /// <summary>Dz t + Dx v, one output element.</summary>
    public Node Tangent { get; }

    /// <summary>(b Dz)[l].</summary>
    public Node InputAdjoint { get; }

    /// <summary>(b Dx) per parameter tensor.</summary>
    public IReadOnlyList<ParameterDerivative> ParameterGradient { get; }

    /// <summary>(Xzz t + Xzx^T v)[l].</summary>
    public Node SecondOrderInput { get; }

    /// <summary>(Xxx v + Xzx t) per parameter tensor.</summary>
    public IReadOnlyList<ParameterDerivative> SecondOrderParameters { get; }

    /// <summary>Dz[i, l].</summary>
    public Node InputJacobian { get; }

    /// <summary>Dx[i, (P, k..)] per parameter tensor.</summary>
    public IReadOnlyList<ParameterDerivative> ParameterJacobians { get; }

    /// <summary>Xzx[(P, k..), l] per parameter tensor.</summary>
    public IReadOnlyList<ParameterDerivative> ParameterInput { get; }

    /// <summary>Xxx[(P, k..), (Q, m..)] per pair of parameter tensors with P at or before Q in the layout (Xxx is symmetric).</summary>
    public IReadOnlyList<ParameterPairDerivative> ParameterPairs { get; }

    /// <summary>Xzz[l, n].</summary>
    public Node InputInput { get; }

    /// <summary>The output index and its range, for a hidden layer.</summary>
    public IndexRef? OutputIndex => Layer.IsLoss ? null : IndexRef.Loop(LayerModel.OutputIndex);

    private Node ContractWithAdjoint(Node perOutput) => Layer.IsLoss
        ? Expr.Multiply(Expr.Element(Adjoint), perOutput)
        : Expr.Sum(LayerModel.OutputIndex, Layer.OutputExtent!, Expr.Multiply(Expr.Element(Adjoint, OutputIndex!), perOutput), Layer.OutputIndexName);

    private Node WithRespectToInput(Node value, IndexRef index) =>
        new Differentiator(Seeds.Partial(Input, new[] { index })).Differentiate(value);

    private IReadOnlyList<ParameterDerivative> WithRespectToParameters(Node value, string prefix, int from = 0) =>
        Layer.Parameters.Skip(from).Select(parameter =>
        {
            IndexRef[] indices = Enumerable.Range(0, parameter.Dimensions.Count)
                .Select(k => IndexRef.Loop(prefix + k.ToString(System.Globalization.CultureInfo.InvariantCulture)))
                .ToArray();
            Node derivative = new Differentiator(Seeds.Partial(parameter.ToTensorRef(), indices)).Differentiate(value);
            return new ParameterDerivative(parameter, indices, derivative);
        }).ToList();
}
