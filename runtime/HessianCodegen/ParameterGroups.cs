using System;
using System.Numerics;
using System.Runtime.Intrinsics;

namespace HessianCodegen;

/// <summary>
/// The block structure of a pivot block's <c>X = Xxx + eps I</c> and <c>Dx</c>, read from their zero pattern:
/// the parameters fall into groups such that <c>Xxx</c> couples no two groups and each non-zero row of
/// <c>Dx</c> touches one group only (the connected components of the parameters, joined by a non-zero of
/// <c>Xxx</c>'s lower triangle or by a row of <c>Dx</c>). For a dense layer a group is one output unit's
/// weights and bias, and its rows are that unit's over the batch; nothing here assumes a layer type.
/// Then <c>X</c> is block-diagonal and <c>Dx X^-1 Dx^T</c> is block-diagonal over the groups' rows.
/// </summary>
internal sealed class ParameterGroups
{
    private ParameterGroups(int[][] parameters, int[][] rows)
    {
        Parameters = parameters;
        Rows = rows;
        AtMostOneRowPerGroup = rows.Length > 0;
        foreach (int[] group in rows)
        {
            LargestRowCount = Math.Max(LargestRowCount, group.Length);
            AtMostOneRowPerGroup &= group.Length <= 1;
        }

        foreach (int[] group in parameters)
        {
            LargestParameterCount = Math.Max(LargestParameterCount, group.Length);
        }

        // The groups' parameters one after the other, and where each group starts in them, in the low-rank route's values and in its
        // core: found once here, so that a factorization's layers make no per-group objects or arrays to find them (the route's
        // factors view these and the storage by offset).
        int count = parameters.Length;
        ParameterStarts = new int[count + 1];
        FactorValueStarts = new int[count + 1];
        CoreStarts = new int[count + 1];
        for (int g = 0; g < count; g++)
        {
            int q = parameters[g].Length;
            int c = rows[g].Length;
            ParameterStarts[g + 1] = ParameterStarts[g] + q;
            FactorValueStarts[g + 1] = FactorValueStarts[g] + LowRankPivotBlockFactor.GroupValueCount(q, c);
            CoreStarts[g + 1] = CoreStarts[g] + Math.Min(q, c);
        }

        AllParameters = new int[ParameterStarts[count]];
        for (int g = 0; g < count; g++)
        {
            parameters[g].CopyTo(AllParameters, ParameterStarts[g]);
        }
    }

    /// <summary>The last <see cref="LowRankFlops"/> found, with the state's rows it was found for.</summary>
    private RouteFlops? routeFlops;

    /// <summary>Each group's parameters, ascending; every parameter is in exactly one group.</summary>
    public int[][] Parameters { get; }

    /// <summary>Each group's rows of <c>Dx</c>, ascending; a row of zeros is in none.</summary>
    public int[][] Rows { get; }

    /// <summary>Every group's <see cref="Parameters"/>, group after group: group <c>g</c>'s from <c>ParameterStarts[g]</c>.</summary>
    public int[] AllParameters { get; }

    /// <summary>Where each group's parameters start in <see cref="AllParameters"/>, and their total last (one more than the groups).</summary>
    public int[] ParameterStarts { get; }

    /// <summary>
    /// Where each group's values start in the low-rank route's layout (<c>L_g</c>, QR and <c>tau</c>,
    /// <see cref="LowRankPivotBlockFactor.GroupValueCount"/> a group), and their total last.
    /// </summary>
    public int[] FactorValueStarts { get; }

    /// <summary>Where each group's rows of the low-rank route's core start (<c>min(q, c)</c> a group), and the core's order last.</summary>
    public int[] CoreStarts { get; }

    /// <summary>
    /// The low-rank route's estimated flops for a state of <paramref name="m"/> rows (<see cref="LowRankPivotBlockFactor.EstimatedFlops"/>),
    /// kept for the last <paramref name="m"/> asked: they depend on the groups and <paramref name="m"/> alone, and each factorization
    /// asked them two or three times per layer (the route's prediction for the prefetch and the layer, then the route itself), about 3 %
    /// of a width-8 batch-1 factorization. Safe under concurrent use: the kept pair is one immutable object, replaced whole.
    /// </summary>
    internal double LowRankFlops(int m)
    {
        RouteFlops? kept = routeFlops;
        if (kept is not null && kept.StateCount == m)
        {
            return kept.Flops;
        }

        double flops = LowRankPivotBlockFactor.EstimatedFlops(this, m);
        routeFlops = new RouteFlops(m, flops);
        return flops;
    }

    /// <summary>The most rows of any group (0 when there are none): what a scratch sized for every group holds.</summary>
    public int LargestRowCount { get; }

    /// <summary>The most parameters of any group.</summary>
    public int LargestParameterCount { get; }

    /// <summary>
    /// Whether every group has at most one row of <c>Dx</c> (a dense layer at batch 1; a group with none is a weight whose input is
    /// exactly 0, a ReLU output or a zero pixel, or a dead unit): the low-rank route then takes each group in one pass
    /// (<see cref="LinearAlgebra.OneRowGroupKernel"/>).
    /// </summary>
    public bool AtMostOneRowPerGroup { get; }

    /// <summary>
    /// The groups of <paramref name="xxx"/> (<c>p x p</c>, lower triangle read; empty where the layer's <c>Xxx</c> is zero,
    /// and then the groups are <paramref name="dx"/>'s alone) and <paramref name="dx"/> (<c>m x p</c>), in the order of their first parameter.
    /// </summary>
    public static ParameterGroups Find(ReadOnlySpan<double> xxx, ReadOnlySpan<double> dx, int p, int m)
    {
        if ((!xxx.IsEmpty && xxx.Length != p * p) || dx.Length != m * p)
        {
            throw new ArgumentException($"Xxx has {xxx.Length} values and Dx {dx.Length}; expected {p} x {p} and {m} x {p}.");
        }

        var parent = new int[p];
        for (int i = 0; i < p; i++)
        {
            parent[i] = i;
        }

        for (int i = 0; i < p && !xxx.IsEmpty; i++)
        {
            int anchor = i;
            JoinNonZeros(parent, xxx.Slice(i * p, i), ref anchor);
        }

        var rowFirst = new int[m];
        for (int r = 0; r < m; r++)
        {
            int first = -1;
            JoinNonZeros(parent, dx.Slice(r * p, p), ref first);
            rowFirst[r] = first;
        }

        // Number the groups by their first parameter (a root's number is set at its set's first member), then count and list
        // each group's members and rows, both ascending.
        var group = new int[p];
        var numberOfRoot = new int[p];
        numberOfRoot.AsSpan().Fill(-1);
        int count = 0;
        for (int i = 0; i < p; i++)
        {
            int root = Root(parent, i);
            if (numberOfRoot[root] < 0)
            {
                numberOfRoot[root] = count++;
            }

            group[i] = numberOfRoot[root];
        }

        var parameterCounts = new int[count];
        var rowCounts = new int[count];
        foreach (int g in group)
        {
            parameterCounts[g]++;
        }

        foreach (int first in rowFirst)
        {
            if (first >= 0)
            {
                rowCounts[group[first]]++;
            }
        }

        var parameters = new int[count][];
        var rows = new int[count][];
        for (int g = 0; g < count; g++)
        {
            parameters[g] = new int[parameterCounts[g]];
            rows[g] = rowCounts[g] == 0 ? [] : new int[rowCounts[g]];
            parameterCounts[g] = 0;
            rowCounts[g] = 0;
        }

        for (int i = 0; i < p; i++)
        {
            parameters[group[i]][parameterCounts[group[i]]++] = i;
        }

        for (int r = 0; r < m; r++)
        {
            if (rowFirst[r] >= 0)
            {
                int g = group[rowFirst[r]];
                rows[g][rowCounts[g]++] = r;
            }
        }

        return new ParameterGroups(parameters, rows);
    }

    /// <summary>
    /// Joins every position of <paramref name="values"/> whose value is not zero (NaN counts as not zero, <c>-0.0</c> as zero) with
    /// <paramref name="anchor"/>; where the anchor is -1, the first such position becomes it. Four values are compared at a time and
    /// their non-zeros read from a bit mask: most of <c>Xxx</c> is zero, and the scan is most of finding the groups.
    /// </summary>
    private static void JoinNonZeros(int[] parent, ReadOnlySpan<double> values, ref int anchor)
    {
        int j = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; j + Vector256<double>.Count <= values.Length; j += Vector256<double>.Count)
            {
                uint zeros = Vector256.Equals(Vector256.Create(values.Slice(j, Vector256<double>.Count)), Vector256<double>.Zero).ExtractMostSignificantBits();
                for (uint nonZeros = ~zeros & 0xF; nonZeros != 0; nonZeros &= nonZeros - 1)
                {
                    JoinOne(parent, j + BitOperations.TrailingZeroCount(nonZeros), ref anchor);
                }
            }
        }

        for (; j < values.Length; j++)
        {
            if (values[j] != 0.0)
            {
                JoinOne(parent, j, ref anchor);
            }
        }
    }

    private static void JoinOne(int[] parent, int position, ref int anchor)
    {
        if (anchor < 0)
        {
            anchor = position;
        }
        else
        {
            Join(parent, anchor, position);
        }
    }

    private static void Join(int[] parent, int i, int j)
    {
        int a = Root(parent, i);
        int b = Root(parent, j);
        if (a != b)
        {
            parent[Math.Max(a, b)] = Math.Min(a, b);
        }
    }

    /// <summary>The representative of <paramref name="i"/>'s set, halving the path on the way.</summary>
    private static int Root(int[] parent, int i)
    {
        while (parent[i] != i)
        {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }

        return i;
    }

    /// <summary>The route's estimated flops for a state of <see cref="StateCount"/> rows.</summary>
    private sealed record RouteFlops(int StateCount, double Flops);
}
