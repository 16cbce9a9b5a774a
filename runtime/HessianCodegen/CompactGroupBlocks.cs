using System;
using System.Runtime.Intrinsics.X86;

namespace HessianCodegen;

/// <summary>
/// Each group's <c>q x q</c> block of a layer's <c>Xxx</c> (<see cref="ParameterGroups"/>), copied one after the other in the
/// groups' order: row <c>i</c> of group <c>g</c>'s block holds <c>Xxx</c> at its parameters <c>i</c> and <c>j &lt;= i</c>, its
/// strict upper triangle zero. The low-rank route's gather of <c>X_g</c> (<see cref="LowRankPivotBlockFactor"/>) reads
/// these consecutive values instead of a few scattered lines per row of the dense <c>p x p</c> block: at batch 1, width 8,
/// 648 values (8 groups of 9, square blocks), 81 lines a layer, instead of two or three scattered lines per row of 72
/// (docs/algorithm.md section 12).
/// </summary>
internal static class CompactGroupBlocks
{
    /// <summary>The values <see cref="Gather"/> writes: the sum of <c>q^2</c> over the groups.</summary>
    public static int Length(ParameterGroups structure)
    {
        int length = 0;
        foreach (int[] parameters in structure.Parameters)
        {
            length = checked(length + (parameters.Length * parameters.Length));
        }

        return length;
    }

    /// <summary>
    /// The groups' blocks of <paramref name="xxx"/> (<c>p x p</c>, lower triangle read); empty where <paramref name="xxx"/>
    /// is empty (a zero <c>Xxx</c>, a ReLU layer's, copies nothing).
    /// </summary>
    public static double[] Gather(ParameterGroups structure, ReadOnlySpan<double> xxx, int p)
    {
        if (xxx.IsEmpty)
        {
            return [];
        }

        if (xxx.Length != p * p)
        {
            throw new ArgumentException($"Xxx has {xxx.Length} values; expected p^2 = {p * p}.", nameof(xxx));
        }

        PrefetchRows(structure, xxx, p);
        var blocks = new double[Length(structure)];
        int offset = 0;
        foreach (int[] parameters in structure.Parameters)
        {
            int q = parameters.Length;
            for (int i = 0; i < q; i++)
            {
                int row = parameters[i] * p;
                Span<double> target = blocks.AsSpan(offset + (i * q), q);
                for (int j = 0; j <= i; j++)
                {
                    target[j] = xxx[row + parameters[j]];
                }
            }

            offset += q * q;
        }

        return blocks;
    }

    /// <summary>
    /// Names, in each row of each group, the lines of <c>Xxx</c> at the group's first parameter and at the diagonal, all rows
    /// in one short loop, so that their misses overlap (the gather, a few values per row with the stores between, would wait
    /// for them row by row; a first factorization's <c>Xxx</c> is not in cache). A hint only: it changes no value.
    /// </summary>
    private static unsafe void PrefetchRows(ParameterGroups structure, ReadOnlySpan<double> xxx, int p)
    {
        if (!Sse.IsSupported)
        {
            return;
        }

        fixed (double* start = xxx)
        {
            foreach (int[] parameters in structure.Parameters)
            {
                foreach (int parameter in parameters)
                {
                    double* row = start + ((long)parameter * p);
                    Sse.Prefetch0(row + parameters[0]);
                    Sse.Prefetch0(row + parameter);
                }
            }
        }
    }
}
