using System.Collections.Generic;
using System.Linq;
using HessianCodegen.Generator.Differentiation;
using HessianCodegen.Generator.Functions;
using HessianCodegen.Generator.Helpers;
using HessianCodegen.Generator.Symbolic;

namespace HessianCodegen.Generator.Emission;

/// <summary>
/// Names a local by what its value is, from the IR it computes: an activation's derivative
/// (<c>tanhDerivative = 1 - tanh * tanh</c>) or second derivative, the output adjoint times one of
/// them, an activation's argument (<c>preActivation</c>). Values with no such purpose keep the printer's hint
/// (<c>factor</c>, <c>term</c>). Every local the printer declares is named through this one table.
/// </summary>
internal sealed class LocalPurposes
{
    private static readonly TensorRef Placeholder = new("__u", EquatableArray<Extent>.Empty);

    private readonly LayerTensors _tensors;
    private readonly Dictionary<string, FunctionKind> _functionTemporaries;
    private readonly Dictionary<Node, string> _known = new();
    private readonly HashSet<Node> _explored = new();

    /// <param name="tensors">The tensors of the layer's derivatives, to tell the output adjoint and the temporaries.</param>
    /// <param name="functionTemporaries">The temporaries that hold an elementary function's value, by name.</param>
    public LocalPurposes(LayerTensors tensors, IReadOnlyDictionary<string, FunctionKind> functionTemporaries)
    {
        _tensors = tensors;
        _functionTemporaries = functionTemporaries.ToDictionary(pair => pair.Key, pair => pair.Value);
    }

    /// <summary>Learns the derivatives and arguments of the activations a planned value reads.</summary>
    public void Learn(Node value)
    {
        foreach (Node activation in Activations(value))
        {
            Explore(activation);
        }
    }

    /// <summary>
    /// The name hint for a local holding <paramref name="value"/> (a part of a value learned before), or
    /// null when it has no recognised purpose.
    /// </summary>
    public string? NameFor(Node? value)
    {
        if (value is null)
        {
            return null;
        }

        if (_known.TryGetValue(value, out string? name))
        {
            return name;
        }

        // The output adjoint times a derivative: the weight a backward step multiplies by.
        if (value is Multiply product && product.Factors.Any(IsAdjoint))
        {
            Node rest = Expr.Multiply(product.Factors.Where(factor => !IsAdjoint(factor)));
            if (_known.TryGetValue(rest, out string? derivative))
            {
                return derivative.EndsWith("SecondDerivative", System.StringComparison.Ordinal) ? "adjointTimesSecondDerivative" : "adjointTimesDerivative";
            }
        }

        return null;
    }

    private bool IsAdjoint(Node factor) => factor is TensorElement element && element.Tensor.Equals(_tensors.Adjoint);

    private void Explore(Node activation)
    {
        if (!_explored.Add(activation))
        {
            return;
        }

        (FunctionKind kind, string name) = activation is FunctionCall call
            ? (call.Function, ElementaryFunctions.Of(call.Function).LocalName)
            : (_functionTemporaries[((TensorElement)activation).Tensor.Name], ((TensorElement)activation).Tensor.Name);

        // f'(f(u)) and f''(f(u)) written for a placeholder u, then for this activation.
        var u = new TensorElement(Placeholder, EquatableArray<IndexRef>.Empty);
        var generic = (FunctionCall)Expr.Function(kind, u);
        Node first = ElementaryFunctions.Of(kind).Derivative(generic);
        Node second = new Differentiator(element => element.Equals(u) ? Expr.One : Expr.Zero).Differentiate(first);
        Remember(For(first, generic, activation), name + "Derivative");
        Remember(For(second, generic, activation), name + "SecondDerivative");
        if (activation is FunctionCall { Argument: Add } call1)
        {
            // u in f(u): the layer math's pre-activation.
            Remember(call1.Argument, "preActivation");
        }
    }

    private void Remember(Node? value, string name)
    {
        if (value is not null && value is not Constant && !_known.ContainsKey(value))
        {
            _known[value] = name;
        }
    }

    /// <summary>The generic derivative with the placeholder call replaced by the activation; null when it still needs u itself.</summary>
    private static Node? For(Node generic, FunctionCall placeholderCall, Node activation)
    {
        Node? argument = activation is FunctionCall call ? call.Argument : null;
        var dependsOnU = false;
        Node result = Traversal.Rewrite(generic, node =>
        {
            if (node.Equals(placeholderCall))
            {
                return activation;
            }

            if (node is TensorElement element && element.Tensor.Equals(Placeholder))
            {
                dependsOnU |= argument is null;
                return argument ?? node;
            }

            return null;
        });

        return dependsOnU ? null : result;
    }

    /// <summary>The activations a value reads: elementary function calls, and temporaries holding one.</summary>
    private IEnumerable<Node> Activations(Node value)
    {
        var seen = new HashSet<Node>();
        var pending = new Stack<Node>();
        pending.Push(value);
        while (pending.Count > 0)
        {
            Node node = pending.Pop();
            if (!seen.Add(node))
            {
                continue;
            }

            if (node is FunctionCall || (node is TensorElement element && _tensors.RoleOf(element.Tensor) is null && _functionTemporaries.ContainsKey(element.Tensor.Name)))
            {
                yield return node;
            }

            foreach (Node child in node.Children)
            {
                pending.Push(child);
            }
        }
    }
}
