using System.Collections.Generic;
using System.Linq;
using HessianCodegen.Generator.Differentiation;
using HessianCodegen.Generator.Model;
using HessianCodegen.Generator.Symbolic;

namespace HessianCodegen.Generator.Emission;

/// <summary>
/// The sizes, the parameter count and the parameter offsets: fixed when the layer is constructed, so
/// they are computed once, as fields initialized from the primary constructor's sizes, and named once
/// for the whole class; every method reads them by these names.
/// </summary>
internal sealed class LayerMembers
{
    /// <summary>The parameter names of the contract's per-example methods, which a member must not take.</summary>
    private static readonly string[] ContractParameters =
        ContractMembers.PerExample.SelectMany(member => member.ParameterNames).Distinct().ToArray();

    public LayerMembers(SymbolicLayerDerivatives derivatives)
    {
        LayerModel layer = derivatives.Layer;
        // A size field takes the size's own name unless the user's part already declares a member so named.
        var names = new NameScope(ContractParameters.Concat(NestEmitter.LoopNames).Concat(MethodLocals(layer)).Concat(layer.MemberNames));
        Sizes = layer.SizeParameters.ToDictionary(size => size, size => names.Claim(size));
        ParameterCount = names.Claim("parameterCount");

        // The first parameter starts at 0; a parameter the math never reads has no offset to keep.
        var read = ParametersRead(derivatives.Output);
        Offsets = layer.Parameters.Skip(1).Where(parameter => read.Contains(parameter.Name))
            .ToDictionary(parameter => parameter.Name, parameter => names.Claim(parameter.Name + "Offset"));
    }

    /// <summary>The field holding each size parameter's value, by size parameter.</summary>
    public IReadOnlyDictionary<string, string> Sizes { get; }

    public string ParameterCount { get; }

    /// <summary>The field holding where each parameter tensor starts in the flat parameter vector, for all but the first.</summary>
    public IReadOnlyDictionary<string, string> Offsets { get; }

    /// <summary>The names methods give their span views and the adjoint, which the fields must leave free.</summary>
    public static IEnumerable<string> MethodLocals(LayerModel layer) =>
        layer.Tensors.Select(tensor => tensor.Name)
            .Concat(layer.Tensors.Select(tensor => "__" + tensor.Name))
            .Concat(layer.Parameters.Select(parameter => "v" + parameter.Name))
            .Concat(new[] { "t", "b" });

    private static HashSet<string> ParametersRead(Node output)
    {
        var read = new HashSet<string>();
        var seen = new HashSet<Node>();
        var pending = new Stack<Node>();
        pending.Push(output);
        while (pending.Count > 0)
        {
            Node node = pending.Pop();
            if (!seen.Add(node))
            {
                continue;
            }

            if (node is TensorElement element)
            {
                read.Add(element.Tensor.Name);
            }

            foreach (Node child in node.Children)
            {
                pending.Push(child);
            }
        }

        return read;
    }
}
