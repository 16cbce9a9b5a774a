using System;
using System.Collections.Generic;

namespace HessianCodegen.Generator.Emission;

/// <summary>
/// What makes two code nodes the same computation: the operation (or a leaf's code) and the operand
/// nodes, compared by reference because operands are themselves shared.
/// </summary>
internal readonly record struct CodeKey(string Operation, CodeNode? First, CodeNode? Second, Symbolic.Node? Leaf = null);

/// <summary>Operator precedence of emitted C#, to parenthesize only where needed.</summary>
internal enum Precedence
{
    Additive,
    Multiplicative,
    Unary,
    Primary,
}

/// <summary>
/// One operation of the code to print for a loop nest: a binary tree whose operands are grouped by the
/// loop level they depend on, so that every loop-invariant partial result is its own node (and can
/// become a local declared outside the loops that do not change it). Nodes with equal
/// <see cref="Key"/> are shared.
/// </summary>
internal sealed class CodeNode
{
    private readonly Func<CodeNode[], string> _format;
    private Func<Symbolic.Node>? _sourceBuilder;
    private Symbolic.Node? _source;

    public CodeNode(CodeKey key, int level, Precedence precedence, CodeNode[] children, Func<CodeNode[], string> format, bool trivial, string nameHint)
    {
        Key = key;
        Level = level;
        Precedence = precedence;
        Children = children;
        _format = format;
        IsTrivial = trivial;
        NameHint = nameHint;
    }

    /// <summary>The structural identity: the operation and its (already shared) operands.</summary>
    public CodeKey Key { get; }

    /// <summary>The loop depth from which the node's value no longer changes (0: before all loops).</summary>
    public int Level { get; }

    public Precedence Precedence { get; }

    public CodeNode[] Children { get; }

    /// <summary>A leaf (literal, span read) that is never worth a local.</summary>
    public bool IsTrivial { get; }

    public string NameHint { get; }

    /// <summary>The IR value this code computes, when it is one IR node: what names the local by its purpose.</summary>
    public Symbolic.Node? Source => _source ??= _sourceBuilder?.Invoke();

    /// <summary>Sets how to build <see cref="Source"/>, unless it is known; built only for the nodes that become locals.</summary>
    public void DescribeAs(Func<Symbolic.Node> source)
    {
        if (_source is null && _sourceBuilder is null)
        {
            _sourceBuilder = source;
        }
    }

    /// <summary>Set when the node must be a local whatever its uses (the operand of x * x).</summary>
    public bool ForceLocal { get; set; }

    public int Uses { get; set; }

    public int DeepestUse { get; set; }

    public string? Local { get; set; }

    /// <summary>The node's code, using locals for operands that have them.</summary>
    public string Render(bool allowOwnLocal = true)
    {
        if (allowOwnLocal && Local is not null)
        {
            return Local;
        }

        return _format(Children);
    }

    /// <summary>The operand's code, parenthesized when it binds less tightly than <paramref name="context"/> needs.</summary>
    public string RenderAsOperand(Precedence context)
    {
        string code = Render();
        return EffectivePrecedence < context ? "(" + code + ")" : code;
    }

    /// <summary>The precedence the node has where it is used (a local is primary).</summary>
    public Precedence EffectivePrecedence => Local is not null ? Precedence.Primary : Precedence;

    /// <summary>This node and everything below it, each once, operands before the nodes that use them.</summary>
    public List<CodeNode> PostOrder()
    {
        var order = new List<CodeNode>();
        var visited = new HashSet<CodeNode>();
        var stack = new Stack<(CodeNode Node, int Next)>();
        stack.Push((this, 0));
        visited.Add(this);
        while (stack.Count > 0)
        {
            (CodeNode node, int next) = stack.Pop();
            if (next < node.Children.Length)
            {
                stack.Push((node, next + 1));
                CodeNode child = node.Children[next];
                if (visited.Add(child))
                {
                    stack.Push((child, 0));
                }
            }
            else
            {
                order.Add(node);
            }
        }

        return order;
    }
}
