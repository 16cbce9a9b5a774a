using System;
using System.Collections.Generic;
using System.Linq;
using HessianCodegen.Generator.Helpers;

namespace HessianCodegen.Generator.Symbolic;

/// <summary>
/// The only way to build IR nodes. Every factory canonicalises: constants fold, <c>+0</c> and <c>*1</c>
/// vanish, nested sums and products flatten, like terms and equal factors combine, operands sort in
/// <see cref="NodeOrder"/>. Equal expressions therefore come out as equal nodes.
/// </summary>
internal static class Expr
{
    public static readonly Node Zero = new Constant(0.0);
    public static readonly Node One = new Constant(1.0);
    public static readonly Node MinusOne = new Constant(-1.0);

    public static Node Constant(double value) =>
        value == 0.0 ? Zero : value == 1.0 ? One : new Constant(value);

    public static Node Size(Extent extent) =>
        extent.Parameter is null ? Constant(extent.Literal) : new SizeValue(extent);

    public static Node Delta(IndexRef first, IndexRef second)
    {
        if (first.Equals(second))
        {
            return One;
        }

        return first.CompareTo(second) <= 0 ? new KroneckerDelta(first, second) : new KroneckerDelta(second, first);
    }

    public static Node Element(TensorRef tensor, params IndexRef[] indices) =>
        new TensorElement(tensor, new EquatableArray<IndexRef>(indices));

    public static Node Negate(Node value) => Multiply(MinusOne, value);

    public static Node Subtract(Node left, Node right) => Add(left, Negate(right));

    public static Node Divide(Node numerator, Node denominator) => Multiply(numerator, Power(denominator, -1.0));

    public static Node Add(params Node[] terms) => Add((IEnumerable<Node>)terms);

    public static Node Add(IEnumerable<Node> terms)
    {
        // Fast path: most sums built by differentiation have at most one non-zero term.
        var nonZero = new List<Node>();
        foreach (Node term in terms)
        {
            if (term is not Constant { Value: 0.0 })
            {
                nonZero.Add(term);
            }
        }

        if (nonZero.Count <= 1)
        {
            return nonZero.Count == 0 ? Zero : nonZero[0];
        }

        return AddCanonical(nonZero);
    }

    private static Node AddCanonical(List<Node> terms)
    {
        double constant = 0.0;
        var coefficients = new Dictionary<Node, double>();
        var order = new List<Node>();
        foreach (Node term in Flatten<Add>(terms, add => add.Terms))
        {
            if (term is Constant value)
            {
                constant += value.Value;
                continue;
            }

            (double coefficient, Node rest) = SplitCoefficient(term);
            if (coefficients.TryGetValue(rest, out double existing))
            {
                coefficients[rest] = existing + coefficient;
            }
            else
            {
                coefficients[rest] = coefficient;
                order.Add(rest);
            }
        }

        order.Sort(NodeOrder.Instance);
        var result = new List<Node>(order.Count + 1);
        foreach (Node rest in order)
        {
            if (coefficients[rest] == 0.0)
            {
                continue;
            }

            result.Add(coefficients[rest] == 1.0 ? rest : Multiply(Constant(coefficients[rest]), rest));
        }

        if (constant != 0.0)
        {
            result.Insert(0, Constant(constant));
        }

        return result.Count switch
        {
            0 => Zero,
            1 => result[0],
            _ => new Add(new EquatableArray<Node>(result.ToArray())),
        };
    }

    public static Node Multiply(params Node[] factors) => Multiply((IEnumerable<Node>)factors);

    public static Node Multiply(IEnumerable<Node> factors)
    {
        // Fast path: a zero factor (most product-rule terms) or a single non-unit factor.
        var nonUnit = new List<Node>();
        foreach (Node factor in factors)
        {
            if (factor is Constant { Value: 0.0 })
            {
                return Zero;
            }

            if (factor is not Constant { Value: 1.0 })
            {
                nonUnit.Add(factor);
            }
        }

        if (nonUnit.Count <= 1)
        {
            return nonUnit.Count == 0 ? One : nonUnit[0];
        }

        return MultiplyCanonical(nonUnit);
    }

    private static Node MultiplyCanonical(List<Node> factors)
    {
        double coefficient = 1.0;
        var exponents = new Dictionary<Node, double>();
        var order = new List<Node>();
        foreach (Node factor in Flatten<Multiply>(factors, product => product.Factors))
        {
            (Node @base, double exponent) = factor switch
            {
                Power power => (power.Base, power.Exponent),
                _ => (factor, 1.0),
            };

            if (@base is Constant value)
            {
                coefficient *= Math.Pow(value.Value, exponent);
                continue;
            }

            if (exponents.TryGetValue(@base, out double existing))
            {
                // A delta is 0 or 1: it is its own square.
                exponents[@base] = @base is KroneckerDelta ? 1.0 : existing + exponent;
            }
            else
            {
                exponents[@base] = exponent;
                order.Add(@base);
            }
        }

        if (coefficient == 0.0)
        {
            return Zero;
        }

        var result = new List<Node>();
        foreach (Node @base in order)
        {
            Node factor = Power(@base, exponents[@base]);
            if (factor is Constant value)
            {
                coefficient *= value.Value;
            }
            else if (factor is Multiply product)
            {
                result.AddRange(product.Factors);
            }
            else
            {
                result.Add(factor);
            }
        }

        result.Sort(NodeOrder.Instance);
        if (coefficient != 1.0 || result.Count == 0)
        {
            result.Insert(0, Constant(coefficient));
        }

        return result.Count == 1 ? result[0] : new Multiply(new EquatableArray<Node>(result.ToArray()));
    }

    public static Node Power(Node @base, double exponent)
    {
        if (exponent == 0.0)
        {
            return One;
        }

        if (exponent == 1.0)
        {
            return @base;
        }

        bool integral = exponent == Math.Floor(exponent);
        return @base switch
        {
            Constant value => Constant(Math.Pow(value.Value, exponent)),
            Power inner when integral => Power(inner.Base, inner.Exponent * exponent),
            Multiply product when integral => Multiply(product.Factors.Select(factor => Power(factor, exponent))),
            KroneckerDelta when exponent > 0.0 => @base,
            _ => new Power(@base, exponent),
        };
    }

    public static Node Function(FunctionKind function, Node argument) =>
        argument is Constant value ? Constant(Functions.ElementaryFunctions.Of(function).Evaluate(value.Value)) : new FunctionCall(function, argument);

    /// <summary>
    /// <paramref name="value"/> bound as one intermediate; a leaf, a constant or an intermediate needs no
    /// binding. It must carry no delta: deltas stay outside, where sums eliminate them.
    /// </summary>
    public static Node Intermediate(Node value) =>
        value is Symbolic.Constant or TensorElement or SizeValue or Symbolic.Intermediate || value.HasDelta ? value : new Intermediate(value);

    /// <summary>A sum over <paramref name="index"/>, with Kronecker deltas on that index eliminated.</summary>
    public static Node Sum(string index, Extent range, Node body, string? hint = null) => DeltaElimination.Sum(index, range, body, hint);

    public static Node LogSumExp(string index, Extent range, Node body, string? hint = null) =>
        MakeReduction(ReductionKind.LogSumExp, index, range, body, hint);

    public static Node Reduce(ReductionKind reduction, string index, Extent range, Node body, string? hint = null) =>
        reduction == ReductionKind.Sum ? Sum(index, range, body, hint) : LogSumExp(index, range, body, hint);

    /// <summary>Builds a reduction node, renaming its bound index to the canonical name for its depth.</summary>
    internal static Node MakeReduction(ReductionKind reduction, string index, Extent range, Node body, string? hint = null)
    {
        string canonical = Reduction.BoundName(body.BinderDepth + 1);
        Node renamed = canonical == index ? body : IndexSubstitution.Substitute(body, index, IndexRef.Loop(canonical));
        return new Reduction(reduction, canonical, range, renamed, hint);
    }

    private static (double Coefficient, Node Remainder) SplitCoefficient(Node term)
    {
        if (term is Multiply product && product.Factors[0] is Constant coefficient)
        {
            Node rest = product.Factors.Count == 2
                ? product.Factors[1]
                : new Multiply(new EquatableArray<Node>(product.Factors.Skip(1).ToArray()));
            return (coefficient.Value, rest);
        }

        return (1.0, term);
    }

    private static IEnumerable<Node> Flatten<T>(IEnumerable<Node> nodes, Func<T, IEnumerable<Node>> operands)
        where T : Node
    {
        foreach (Node node in nodes)
        {
            if (node is T nested)
            {
                foreach (Node operand in operands(nested))
                {
                    yield return operand;
                }
            }
            else
            {
                yield return node;
            }
        }
    }
}
