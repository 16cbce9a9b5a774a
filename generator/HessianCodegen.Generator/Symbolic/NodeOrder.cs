using System;
using System.Collections.Generic;

namespace HessianCodegen.Generator.Symbolic;

/// <summary>
/// The deterministic total order in which canonical sums and products list their operands
/// (kind first, then content), so that the emitted code is the same on every run.
/// </summary>
internal sealed class NodeOrder : IComparer<Node>
{
    public static readonly NodeOrder Instance = new();

    public int Compare(Node? left, Node? right)
    {
        if (ReferenceEquals(left, right))
        {
            return 0;
        }

        if (left is null || right is null)
        {
            return left is null ? -1 : 1;
        }

        int byKind = ((int)left.Kind).CompareTo((int)right.Kind);
        if (byKind != 0)
        {
            return byKind;
        }

        switch (left)
        {
            case Constant a:
                return a.Value.CompareTo(((Constant)right).Value);
            case SizeValue a:
                return a.Extent.CompareTo(((SizeValue)right).Extent);
            case KroneckerDelta a:
            {
                var b = (KroneckerDelta)right;
                int byFirst = a.First.CompareTo(b.First);
                return byFirst != 0 ? byFirst : a.Second.CompareTo(b.Second);
            }

            case TensorElement a:
            {
                var b = (TensorElement)right;
                int byTensor = a.Tensor.CompareTo(b.Tensor);
                return byTensor != 0 ? byTensor : CompareIndices(a, b);
            }

            case FunctionCall a:
            {
                var b = (FunctionCall)right;
                int byFunction = ((int)a.Function).CompareTo((int)b.Function);
                return byFunction != 0 ? byFunction : Compare(a.Argument, b.Argument);
            }

            case Power a:
            {
                var b = (Power)right;
                int byBase = Compare(a.Base, b.Base);
                return byBase != 0 ? byBase : a.Exponent.CompareTo(b.Exponent);
            }

            case Reduction a:
            {
                var b = (Reduction)right;
                int order = ((int)a.Operation).CompareTo((int)b.Operation);
                order = order != 0 ? order : a.Range.CompareTo(b.Range);
                order = order != 0 ? order : string.CompareOrdinal(a.Index, b.Index);
                return order != 0 ? order : Compare(a.Body, b.Body);
            }

            case Intermediate a:
                return Compare(a.Value, ((Intermediate)right).Value);
            case Multiply a:
                return CompareLists(a.Factors, ((Multiply)right).Factors);
            case Add a:
                return CompareLists(a.Terms, ((Add)right).Terms);
            default:
                return 0;
        }
    }

    private static int CompareIndices(TensorElement a, TensorElement b)
    {
        for (int k = 0; k < Math.Min(a.Indices.Count, b.Indices.Count); k++)
        {
            int byIndex = a.Indices[k].CompareTo(b.Indices[k]);
            if (byIndex != 0)
            {
                return byIndex;
            }
        }

        return a.Indices.Count.CompareTo(b.Indices.Count);
    }

    private int CompareLists(Helpers.EquatableArray<Node> first, Helpers.EquatableArray<Node> second)
    {
        ReadOnlySpan<Node> a = first.AsSpan();
        ReadOnlySpan<Node> b = second.AsSpan();
        for (int k = 0; k < Math.Min(a.Length, b.Length); k++)
        {
            int byOperand = Compare(a[k], b[k]);
            if (byOperand != 0)
            {
                return byOperand;
            }
        }

        return a.Length.CompareTo(b.Length);
    }
}
