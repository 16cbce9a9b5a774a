using System;
using System.Collections.Generic;
using System.Linq;
using HessianCodegen.Generator.Functions;
using HessianCodegen.Generator.Symbolic;

namespace HessianCodegen.Generator.Emission;

/// <summary>
/// Lowers a reduction-free IR expression to <see cref="CodeNode"/>s for one loop order: operands of
/// sums and products are grouped by the loop level they depend on (so loop-invariant partial results
/// are separate nodes), and equal code is shared (common-subexpression elimination).
/// </summary>
internal sealed class CodeBuilder
{
    private readonly Dictionary<CodeKey, CodeNode> _nodes = new();
    private readonly Dictionary<Node, CodeNode> _lowered = new();
    private readonly Func<string, int> _levelOf;
    private readonly Func<TensorElement, string> _element;
    private readonly Func<Extent, string> _size;

    public CodeBuilder(Func<string, int> levelOf, Func<TensorElement, string> element, Func<Extent, string> size)
    {
        _levelOf = levelOf;
        _element = element;
        _size = size;
    }

    public CodeNode Lower(Node node)
    {
        if (!_lowered.TryGetValue(node, out CodeNode? lowered))
        {
            _lowered[node] = lowered = LowerOnce(node);
            lowered.DescribeAs(() => node);
        }

        return lowered;
    }

    private CodeNode LowerOnce(Node node)
    {
        switch (node)
        {
            case Constant constant:
                return Leaf(node, () => CodeLiterals.Double(constant.Value), 0, constant.Value < 0 ? Precedence.Unary : Precedence.Primary);
            case SizeValue size:
                return Leaf(node, () => "(double)" + _size(size.Extent), 0, Precedence.Unary);
            case TensorElement element:
                int level = LevelOf(node);
                return Leaf(node, () => _element(element), level, Precedence.Primary);
            case FunctionCall call:
                return Function(call.Function, Lower(call.Argument));
            case Power power:
                return LowerPower(power);
            case Intermediate intermediate:
                // Printed like its value: the code nodes are shared, so a value used twice becomes one local.
                return Lower(intermediate.Value);
            case Multiply product:
                return LowerProduct(product);
            case Add sum:
                return LowerSum(sum);
            default:
                throw new InvalidOperationException($"The emitter cannot print '{node}' directly; reductions and deltas must be resolved first.");
        }
    }

    private int LevelOf(Node node) => node.FreeIndices.Length == 0 ? 0 : node.FreeIndices.Max(_levelOf);

    /// <summary>A literal or span read, keyed by its IR node; its code is only written if it is printed.</summary>
    private CodeNode Leaf(Node node, Func<string> code, int level, Precedence precedence)
    {
        var key = new CodeKey("leaf", null, null, node);
        string? text = null;
        return Share(key, () => new CodeNode(key, level, precedence, Array.Empty<CodeNode>(), _ => text ??= code(), trivial: true, "value"));
    }

    private CodeNode Share(CodeKey key, Func<CodeNode> create)
    {
        if (!_nodes.TryGetValue(key, out CodeNode? node))
        {
            _nodes[key] = node = create();
        }

        return node;
    }

    private CodeNode Function(FunctionKind kind, CodeNode argument)
    {
        ElementaryFunction function = Functions.ElementaryFunctions.Of(kind);
        var key = new CodeKey(function.LocalName, argument, null);
        return Share(key, () => new CodeNode(
            key, argument.Level, Precedence.Primary, new[] { argument },
            operands => function.Emit(operands[0].Render()), trivial: false, function.LocalName));
    }

    private CodeNode Binary(CodeNode left, string op, CodeNode right)
    {
        Precedence precedence = op is "+" or "-" ? Precedence.Additive : Precedence.Multiplicative;
        var key = new CodeKey(op, left, right);
        return Share(key, () => new CodeNode(
            key, Math.Max(left.Level, right.Level), precedence, new[] { left, right },
            operands => operands[0].RenderAsOperand(precedence) + " " + op + " " + operands[1].RenderAsOperand(precedence + 1),
            trivial: false, op is "+" or "-" ? "term" : "factor"));
    }

    private CodeNode Negate(CodeNode operand)
    {
        var key = new CodeKey("negate", operand, null);
        return Share(key, () => new CodeNode(
            key, operand.Level, Precedence.Unary, new[] { operand },
            operands => "-" + (operands[0].EffectivePrecedence <= Precedence.Unary ? "(" + operands[0].Render() + ")" : operands[0].Render()),
            trivial: operand.IsTrivial, "term"));
    }

    private CodeNode LowerPower(Power power)
    {
        double exponent = power.Exponent;
        if (exponent < 0)
        {
            return Binary(Lower(Expr.One), "/", Lower(Expr.Power(power.Base, -exponent)));
        }

        CodeNode @base = Lower(power.Base);
        if (exponent is 2.0 or 3.0)
        {
            @base.ForceLocal |= !@base.IsTrivial;
            int times = (int)exponent;
            var key = new CodeKey(times == 2 ? "square" : "cube", @base, null);
            return Share(key, () => new CodeNode(
                key, @base.Level, Precedence.Multiplicative, new[] { @base },
                operands => string.Join(" * ", Enumerable.Repeat(operands[0].RenderAsOperand(Precedence.Unary), times)),
                trivial: false, "factor"));
        }

        string name = exponent == 0.5 ? "global::System.Math.Sqrt" : "global::System.Math.Pow";
        string suffix = exponent == 0.5 ? string.Empty : ", " + CodeLiterals.Double(exponent);
        var powKey = new CodeKey(name + suffix, @base, null);
        return Share(powKey, () => new CodeNode(
            powKey, @base.Level, Precedence.Primary, new[] { @base },
            operands => name + "(" + operands[0].Render() + suffix + ")", trivial: false, "power"));
    }

    private CodeNode LowerProduct(Multiply product)
    {
        double coefficient = 1.0;
        var items = new List<(CodeNode Node, bool Divide)>();
        var factors = new Dictionary<CodeNode, Node>();
        foreach (Node factor in product.Factors)
        {
            if (factor is Constant constant)
            {
                coefficient *= constant.Value;
            }
            else if (factor is Power { Exponent: < 0 } reciprocal)
            {
                items.Add((Lower(Expr.Power(reciprocal.Base, -reciprocal.Exponent)), true));
                factors[items[items.Count - 1].Node] = factor;
            }
            else
            {
                items.Add((Lower(factor), false));
                factors[items[items.Count - 1].Node] = factor;
            }
        }

        // Lowest level first: a product of loop-invariant factors is computed outside the loop.
        StableSortByLevel(items, item => item.Node.Level, item => item.Divide);

        // A negative coefficient is written on the first operand: (-a) * b is the same number as -(a * b).
        CodeNode? result = coefficient == 1.0 ? null : Lower(Expr.Constant(coefficient));

        // Each partial product (a loop-invariant part may become a local) knows its IR value, for its name.
        var consumed = new List<Node> { Expr.Constant(coefficient) };
        if (coefficient == -1.0 && items.Count > 0 && !items[0].Divide)
        {
            result = Negate(items[0].Node);
            consumed.Add(factors[items[0].Node]);
            Node[] negated = consumed.ToArray();
            result.DescribeAs(() => Expr.Multiply(negated));
            items.RemoveAt(0);
        }

        foreach ((CodeNode node, bool divide) in items)
        {
            result = result is null
                ? divide ? Binary(Lower(Expr.One), "/", node) : node
                : Binary(result, divide ? "/" : "*", node);
            consumed.Add(factors[node]);
            Node[] partial = consumed.ToArray();
            result.DescribeAs(() => Expr.Multiply(partial));
        }

        return result ?? Lower(Expr.One);
    }

    private CodeNode LowerSum(Add sum)
    {
        var items = new List<(CodeNode Node, bool Subtract)>();
        foreach (Node term in sum.Terms)
        {
            bool negative = term is Constant { Value: < 0 } || (term is Multiply { Factors: var factors } && factors[0] is Constant { Value: < 0 });
            items.Add((Lower(negative ? Expr.Negate(term) : term), negative));
        }

        StableSortByLevel(items, item => item.Node.Level, item => item.Subtract);

        CodeNode? result = null;
        foreach ((CodeNode node, bool subtract) in items)
        {
            result = result is null
                ? subtract ? Negate(node) : node
                : Binary(result, subtract ? "-" : "+", node);
        }

        return result!;
    }

    /// <summary>Orders operands by level, inverse operands (divisors, subtrahends) last within a level, otherwise as given.</summary>
    private static void StableSortByLevel<T>(List<T> items, Func<T, int> level, Func<T, bool> inverse)
    {
        // Insertion sort: operand lists are short, and it keeps equal operands in their canonical order.
        for (int k = 1; k < items.Count; k++)
        {
            T item = items[k];
            int m = k - 1;
            while (m >= 0 && (level(items[m]) > level(item) || (level(items[m]) == level(item) && inverse(items[m]) && !inverse(item))))
            {
                items[m + 1] = items[m];
                m--;
            }

            items[m + 1] = item;
        }
    }
}
