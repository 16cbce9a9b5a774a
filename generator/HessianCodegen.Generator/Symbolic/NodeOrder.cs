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

        return (left, right) switch
        {
            (Constant a, Constant b) => a.Value.CompareTo(b.Value),
            (SizeValue a, SizeValue b) => a.Extent.CompareTo(b.Extent),
            (KroneckerDelta a, KroneckerDelta b) => Then(a.First.CompareTo(b.First), () => a.Second.CompareTo(b.Second)),
            (TensorElement a, TensorElement b) => Then(a.Tensor.CompareTo(b.Tensor), () => CompareIndices(a, b)),
            (FunctionCall a, FunctionCall b) => Then(((int)a.Function).CompareTo((int)b.Function), () => Compare(a.Argument, b.Argument)),
            (Power a, Power b) => Then(Compare(a.Base, b.Base), () => a.Exponent.CompareTo(b.Exponent)),
            (Reduction a, Reduction b) => Then(
                ((int)a.Operation).CompareTo((int)b.Operation),
                () => Then(a.Range.CompareTo(b.Range), () => Then(string.CompareOrdinal(a.Index, b.Index), () => Compare(a.Body, b.Body)))),
            (Multiply a, Multiply b) => CompareLists(a.Factors, b.Factors),
            (Add a, Add b) => CompareLists(a.Terms, b.Terms),
            _ => 0,
        };
    }

    private static int Then(int first, Func<int> next) => first != 0 ? first : next();

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
