using System;
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
/// them, an activation's argument (<c>preActivation</c>), and products and sums of those and of the
/// layer's tensors named after their parts (<c>curvatureTimesInput</c>). Values with no such purpose keep
/// the printer's hint (<c>factor</c>, <c>term</c>). Every local the printer declares is named through this one table.
/// </summary>
internal sealed class LocalPurposes
{
    private static readonly TensorRef Placeholder = new("__u", EquatableArray<Extent>.Empty);

    private readonly LayerTensors _tensors;
    private readonly System.Func<TensorElement, Node?> _temporaryTangent;
    private readonly Dictionary<string, FunctionKind> _functionTemporaries;
    private readonly Dictionary<Node, string> _known = new();
    private readonly HashSet<Node> _explored = new();

    /// <param name="tensors">The tensors of the layer's derivatives, to tell the output adjoint and the temporaries.</param>
    /// <param name="functionTemporaries">The temporaries that hold an elementary function's value, by name.</param>
    /// <param name="temporaryTangent">The temporary holding the tangent along (t, v) of a temporary's entry (the sum of the tangents for a sum), or null.</param>
    public LocalPurposes(LayerTensors tensors, IReadOnlyDictionary<string, FunctionKind> functionTemporaries, System.Func<TensorElement, Node?>? temporaryTangent = null)
    {
        _temporaryTangent = temporaryTangent ?? (_ => null);
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
    /// null when it has no recognised purpose. Asked once per local, in the naming pass, when every
    /// local of the method is known (<paramref name="locals"/> tells what the others are for).
    /// </summary>
    public string? NameFor(Node? value, LocalNames locals)
    {
        if (value is null)
        {
            return null;
        }

        return KnownName(value) ?? Composed(value, locals);
    }

    private string? KnownName(Node value)
    {
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
                return derivative.EndsWith("SecondDerivative", System.StringComparison.Ordinal) ? AdjointTimesSecondDerivative : AdjointTimesDerivative;
            }
        }

        return null;
    }

    private const string AdjointTimesDerivative = "adjointTimesDerivative";
    private const string AdjointTimesSecondDerivative = "adjointTimesSecondDerivative";

    // Names longer than this say less than the code they stand for: the printer's hint is kept instead.
    private const int MaxParts = 3;

    /// <summary>
    /// A product or sum named after its parts: <c>b f''(u) * z[j]</c> is <c>curvatureTimesInput</c>,
    /// <c>W[i, j] * adjointTimesSecondDerivative</c> <c>weightTimesCurvature</c>, <c>1 - sigmoid</c>
    /// <c>oneMinusSigmoid</c>. A coefficient other than a sign belongs to a derivative (the -2 of tanh'')
    /// or the value has no name. Null when a part has no noun or there are more than <see cref="MaxParts"/>.
    /// </summary>
    private string? Composed(Node value, LocalNames locals)
    {
        switch (value)
        {
            case Multiply product:
            {
                double coefficient = product.Factors.OfType<Constant>().Aggregate(1.0, (total, constant) => total * constant.Value);
                List<Node> factors = product.Factors.Where(f => f is not Constant).ToList();

                // The adjoint and the activation's values and derivatives first, named as one (curvature), then
                // the tensors and the pre-activation. A name never hides a sign: -b exp[k] is minusAdjointTimesDerivative.
                List<Node> activation = factors.Where(f => OwnNoun(f, locals) is null).ToList();
                var parts = new List<string>();
                bool negated = coefficient < 0;
                string? whole = null;
                if (activation.Count > 0)
                {
                    if (KnownName(Expr.Multiply(activation.Append(Expr.Constant(System.Math.Abs(coefficient))))) is { } known)
                    {
                        whole = known;
                    }
                    else if (KnownName(Expr.Multiply(activation.Append(Expr.Constant(-System.Math.Abs(coefficient))))) is { } opposite)
                    {
                        (whole, negated) = (opposite, !negated);
                    }
                    else if (System.Math.Abs(coefficient) == 1.0 && activation.All(f => f is TensorElement element && Noun(element, locals) is not null))
                    {
                        // No derivative among them: each read by its own noun (adjointTimesExp).
                        parts.AddRange(activation.Select(f => Noun((TensorElement)f, locals)!));
                    }
                    else
                    {
                        return null;
                    }
                }
                else if (System.Math.Abs(coefficient) != 1.0)
                {
                    return null;
                }

                if (whole is not null)
                {
                    parts.Add(NounOf(whole));
                }

                parts.AddRange(factors.Select(f => OwnNoun(f, locals)).OfType<string>());
                string? name = parts.Count == 1 && whole is not null ? whole : Join(parts, "Times");
                return name is null || !negated ? name : "minus" + Capitalized(name);
            }

            case Add sum:
            {
                var words = new List<string>();

                // What is added first, then what is subtracted: input - target, not -target + input.
                foreach (Node term in sum.Terms.OrderBy(IsNegative))
                {
                    bool negative = IsNegative(term);
                    Node positive = negative ? Expr.Negate(term) : term;
                    string? noun = positive switch
                    {
                        Constant { Value: 1.0 } => "one",
                        TensorElement element => Noun(element, locals),
                        _ => null,
                    };
                    if (noun is null)
                    {
                        return null;
                    }

                    words.Add(words.Count == 0 ? (negative ? "minus" + Capitalized(noun) : noun) : (negative ? "Minus" : "Plus") + Capitalized(noun));
                }

                return words.Count is > 1 and <= MaxParts ? string.Concat(words) : null;
            }

            default:
                return null;
        }
    }

    private static bool IsNegative(Node term) => term is Constant { Value: < 0 } || term is Multiply { Factors: [Constant { Value: -1.0 }, ..] };

    /// <summary>
    /// The noun of a factor named by itself in a product: the input, a weight, a target, a local, the
    /// pre-activation or its tangent; null for the adjoint, an activation's value or derivative.
    /// </summary>
    private string? OwnNoun(Node factor, LocalNames locals) => factor switch
    {
        TensorElement element when !IsAdjoint(element) && !_functionTemporaries.ContainsKey(element.Tensor.Name) => Noun(element, locals),
        _ when _known.TryGetValue(factor, out string? name) && name.StartsWith(PreActivation, System.StringComparison.Ordinal) => name,
        _ => null,
    };

    private const string PreActivation = "preActivation";

    /// <summary>The noun for a tensor read: by its role in the layer, or what the local it reads is for.</summary>
    private string? Noun(TensorElement element, LocalNames locals)
    {
        TensorRef tensor = element.Tensor;
        if (locals.HintOf(tensor.Name) is { } hint)
        {
            return NounOf(hint);
        }

        return _tensors.RoleOf(tensor) switch
        {
            TensorRole.OutputAdjoint => "adjoint",
            TensorRole.Input => "input",
            TensorRole.InputTangent => "inputTangent",
            TensorRole.ParameterDirection => "direction",
            TensorRole.Parameter => tensor.Rank == 2 && tensor.Name.Length == 1 ? "weight" : Uncapitalized(tensor.Name),
            TensorRole.Target => Uncapitalized(tensor.Name),
            _ => null,
        };
    }

    /// <summary>A name as a part of a longer one: the adjoint times a derivative is the slope, times a second derivative the curvature.</summary>
    private static string NounOf(string name) => name switch
    {
        AdjointTimesDerivative => "slope",
        AdjointTimesSecondDerivative => "curvature",
        _ => name,
    };

    private static string? Join(List<string> parts, string operation) =>
        parts.Count >= 2 && parts.Sum(Words) <= MaxParts ? parts[0] + string.Concat(parts.Skip(1).Select(part => operation + Capitalized(part))) : null;

    /// <summary>How many parts a name already joins (curvatureTimesInput: two).</summary>
    private static int Words(string name) => 1 + (name.Length - name.Replace("Times", string.Empty).Length) / "Times".Length;

    private static string Capitalized(string word) => word.Length == 0 ? word : char.ToUpperInvariant(word[0]) + word.Substring(1);

    private static string Uncapitalized(string word) => word.Length == 0 ? word : char.ToLowerInvariant(word[0]) + word.Substring(1);

    private bool IsAdjoint(Node factor) => factor is TensorElement element && element.Tensor.Equals(_tensors.Adjoint);

    private void Explore(Node activation)
    {
        if (!_explored.Add(activation))
        {
            return;
        }

        FunctionKind kind = activation is FunctionCall call ? call.Function : _functionTemporaries[((TensorElement)activation).Tensor.Name];
        string name = ElementaryFunctions.Of(kind).LocalName;

        // f'(f(u)) and f''(f(u)) written for a placeholder u, then for this activation.
        var u = new TensorElement(Placeholder, EquatableArray<IndexRef>.Empty);
        var generic = (FunctionCall)Expr.Function(kind, u);
        Node first = ElementaryFunctions.Of(kind).Derivative(generic);
        Node second = new Differentiator(element => element.Equals(u) ? Expr.One : Expr.Zero).Differentiate(first);
        Remember(For(first, generic, activation), name + "Derivative");
        Remember(For(second, generic, activation), name + "SecondDerivative");
        if (activation is FunctionCall { Argument: Add } call1)
        {
            // u in f(u): the layer math's pre-activation, and du along (t, v), its tangent.
            Remember(call1.Argument, PreActivation);
            Remember(Tangent(call1.Argument), PreActivation + "Tangent");
        }
    }

    /// <summary>The tangent along (t, v) of a value, reading the temporaries that hold its sums' tangents; null when one is not computed.</summary>
    private Node? Tangent(Node value)
    {
        Func<TensorElement, Node> direction = Seeds.Directional(_tensors);
        bool complete = true;
        Node tangent = new Differentiator(element =>
        {
            if (_tensors.RoleOf(element.Tensor) is not null)
            {
                return direction(element);
            }

            Node? held = _temporaryTangent(element);
            complete &= held is not null;
            return held ?? Expr.Zero;
        }).Differentiate(value);
        return complete ? tangent : null;
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
