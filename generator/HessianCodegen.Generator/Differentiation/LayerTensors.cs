using System.Collections.Generic;
using System.Linq;
using HessianCodegen.Generator.Helpers;
using HessianCodegen.Generator.Model;
using HessianCodegen.Generator.Symbolic;

namespace HessianCodegen.Generator.Differentiation;

/// <summary>What a tensor is to the layer's derivatives: differentiated (input, parameters), data, or a product's operand.</summary>
internal enum TensorRole
{
    /// <summary>The output adjoint b (one value per output; a scalar for a loss layer).</summary>
    OutputAdjoint,

    /// <summary>A parameter tensor.</summary>
    Parameter,

    /// <summary>The direction v of a parameter tensor (same shape).</summary>
    ParameterDirection,

    /// <summary>The layer input z.</summary>
    Input,

    /// <summary>The input tangent t (same shape as the input).</summary>
    InputTangent,

    /// <summary>A target vector: data, never differentiated.</summary>
    Target,
}

/// <summary>
/// The tensors of a layer's derivatives and their roles: the declared ones, the directions of the
/// input and the parameters, and the output adjoint. Those the layer does not declare are named with
/// a quote, which no C# identifier has, so they never meet a user's tensor; any other tensor the
/// emitter meets is one of its own temporaries.
/// </summary>
internal sealed class LayerTensors
{
    private readonly Dictionary<string, TensorRole> _roles = new();
    private readonly Dictionary<string, string> _directionOf = new();

    public LayerTensors(LayerModel layer)
    {
        foreach (TensorDeclaration tensor in layer.Tensors.Where(t => t.Kind != TensorKind.ClassLabel))
        {
            TensorRole role = tensor.Kind switch
            {
                TensorKind.Input => TensorRole.Input,
                TensorKind.Parameter => TensorRole.Parameter,
                _ => TensorRole.Target,
            };
            _roles[tensor.Name] = role;
            if (role is TensorRole.Input or TensorRole.Parameter)
            {
                string direction = tensor.Name + "'";
                _roles[direction] = role == TensorRole.Input ? TensorRole.InputTangent : TensorRole.ParameterDirection;
                _directionOf[direction] = tensor.Name;
            }
        }

        Adjoint = new TensorRef("b'", layer.IsLoss ? EquatableArray<Extent>.Empty : new EquatableArray<Extent>(new[] { layer.OutputExtent! }));
        _roles[Adjoint.Name] = TensorRole.OutputAdjoint;
    }

    /// <summary>The output adjoint b.</summary>
    public TensorRef Adjoint { get; }

    /// <summary>The role of a tensor of the layer's derivatives; null for a tensor they do not have (an emitter's temporary).</summary>
    public TensorRole? RoleOf(TensorRef tensor) => _roles.TryGetValue(tensor.Name, out TensorRole role) ? role : null;

    /// <summary>The same-shaped tensor that carries an input's or a parameter's direction (t for the input, v for a parameter).</summary>
    public TensorRef Direction(TensorRef tensor) => new(tensor.Name + "'", tensor.Dimensions);

    /// <summary>The name a tensor has in the contract's formulas and the layer language: t, vW, b, or its own.</summary>
    public string Describe(TensorRef tensor) => RoleOf(tensor) switch
    {
        TensorRole.InputTangent => "t",
        TensorRole.ParameterDirection => "v" + _directionOf[tensor.Name],
        TensorRole.OutputAdjoint => "b",
        _ => tensor.Name,
    };
}
