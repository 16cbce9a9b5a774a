using System;
using System.Collections.Generic;

namespace HessianCodegen.Generator.Symbolic;

/// <summary>Node kinds, in the order canonical operand lists sort them.</summary>
internal enum NodeKind
{
    Constant,
    Size,
    Delta,
    Element,
    Function,
    Power,
    Reduction,
    Intermediate,
    Multiply,
    Add,
}

/// <summary>
/// An immutable node of the symbolic IR. Build nodes only through <see cref="Expr"/>, whose factories
/// canonicalise, so that equal expressions compare equal. The hash, the free loop indices and whether
/// a Kronecker delta occurs below are computed once, in the constructor.
/// </summary>
internal abstract class Node : IEquatable<Node>
{
    private static readonly string[] NoIndices = Array.Empty<string>();

    protected Node(NodeKind kind, int hash, string[]? freeIndices, bool hasDelta, int binderDepth)
    {
        Kind = kind;
        Hash = unchecked((hash * 397) ^ (int)kind);
        FreeIndices = freeIndices ?? NoIndices;
        HasDelta = hasDelta;
        BinderDepth = binderDepth;
    }

    public NodeKind Kind { get; }

    /// <summary>The loop indices (not labels) this node depends on, sorted ordinally.</summary>
    public string[] FreeIndices { get; }

    /// <summary>Whether a Kronecker delta occurs in this node.</summary>
    public bool HasDelta { get; }

    /// <summary>The nesting depth of the reductions inside (0 when there are none).</summary>
    public int BinderDepth { get; }

    protected int Hash { get; }

    public bool DependsOn(string index) => Array.BinarySearch(FreeIndices, index, StringComparer.Ordinal) >= 0;

    public abstract IEnumerable<Node> Children { get; }

    public bool Equals(Node? other) =>
        ReferenceEquals(this, other) ||
        (other is not null && other.Hash == Hash && other.Kind == Kind && EqualsCore(other));

    public override bool Equals(object? obj) => Equals(obj as Node);

    public override int GetHashCode() => Hash;

    protected abstract bool EqualsCore(Node other);

    /// <summary>A readable form for debugging and test messages (not the emitted C#).</summary>
    public abstract override string ToString();

    /// <summary>The sorted union of the operands' free indices (a merge of sorted arrays).</summary>
    protected static string[] Union(Helpers.EquatableArray<Node> nodes)
    {
        string[] result = NoIndices;
        foreach (Node node in nodes.AsSpan())
        {
            result = Merge(result, node.FreeIndices);
        }

        return result;
    }

    protected static string[] Merge(string[] first, string[] second)
    {
        if (second.Length == 0 || ReferenceEquals(first, second))
        {
            return first;
        }

        if (first.Length == 0)
        {
            return second;
        }

        var merged = new List<string>(first.Length + second.Length);
        int a = 0, b = 0;
        while (a < first.Length || b < second.Length)
        {
            int order = a == first.Length ? 1 : b == second.Length ? -1 : string.CompareOrdinal(first[a], second[b]);
            if (order <= 0)
            {
                merged.Add(first[a]);
                b += order == 0 ? 1 : 0;
                a++;
            }
            else
            {
                merged.Add(second[b++]);
            }
        }

        return merged.Count == first.Length ? first : merged.ToArray();
    }

    protected static bool AnyDelta(Helpers.EquatableArray<Node> nodes)
    {
        foreach (Node node in nodes.AsSpan())
        {
            if (node.HasDelta)
            {
                return true;
            }
        }

        return false;
    }

    protected static int MaxDepth(Helpers.EquatableArray<Node> nodes)
    {
        int depth = 0;
        foreach (Node node in nodes.AsSpan())
        {
            depth = Math.Max(depth, node.BinderDepth);
        }

        return depth;
    }

    protected static string[] Sorted(IEnumerable<string> names)
    {
        var set = new SortedSet<string>(names, StringComparer.Ordinal);
        string[] result = new string[set.Count];
        set.CopyTo(result);
        return result;
    }
}
