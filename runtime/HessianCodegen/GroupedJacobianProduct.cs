using System;
using System.Buffers;
using System.Runtime.InteropServices;
using HessianCodegen.LinearAlgebra;

namespace HessianCodegen;

/// <summary>
/// <c>target -= Dx^T b</c> through the <see cref="ParameterGroups"/> of <c>Dx</c>: each non-zero row of <c>Dx</c> lies
/// in one group, so the product is, per group <c>g</c>, <c>target[params_g, :] -= Z_g^T b[rows_g, :]</c> with
/// <c>Z_g = Dx[rows_g, params_g]</c>. Read in place from <c>Dx</c>, without its transpose (which the low-rank route of
/// <see cref="RiccatiFactorization"/> needed for nothing else) and without scanning its zeros row by row.
/// </summary>
internal static class GroupedJacobianProduct
{
    /// <summary>
    /// <c>target -= Dx^T b</c> for <c>Dx</c> <paramref name="m"/> x <paramref name="p"/> whose groups are
    /// <paramref name="groups"/>, <c>b</c> <paramref name="m"/> x <paramref name="columns"/> and <c>target</c>
    /// <paramref name="p"/> x <paramref name="columns"/>, all row-major and dense.
    /// </summary>
    /// <returns>The floating-point operations performed.</returns>
    public static long SubtractTransposeProduct(ParameterGroups groups, ReadOnlySpan<double> dx, int p, int m,
        ReadOnlySpan<double> b, int columns, Span<double> target) =>
        SubtractTransposeProduct(groups, dx, p, m, b, columns, target, [], VectorWidth.Hardware);

    /// <summary>
    /// <see cref="SubtractTransposeProduct(ParameterGroups, ReadOnlySpan{double}, int, int, ReadOnlySpan{double}, int, Span{double})"/>
    /// with <see cref="FourRowCombination"/>'s four-parameter tiles at <paramref name="vectorBits"/> (0, 256 or 512; the tests take
    /// each; the pairs and single parameters left run at <see cref="System.Numerics.Vector{T}"/>'s width whatever it is); where
    /// <paramref name="transposedTarget"/> is not empty it receives the updated target's transpose, <paramref name="columns"/> x
    /// <paramref name="p"/> (each row of target is final after its group, so the four-parameter tiles write it while it is in L1, and
    /// the pairs, singles and parameters no group reaches are copied by <c>CopyRowsToColumns</c>: the factorization at a small
    /// state needed both layouts of <c>-(Dx^T P)</c> and transposed it whole in between).
    /// </summary>
    /// <returns>The floating-point operations performed.</returns>
    internal static long SubtractTransposeProduct(ParameterGroups groups, ReadOnlySpan<double> dx, int p, int m,
        ReadOnlySpan<double> b, int columns, Span<double> target, Span<double> transposedTarget, int vectorBits) =>
        SubtractTransposeProduct(groups, dx, p, m, b, columns, target, transposedTarget, vectorBits, lowerTriangle: false);

    /// <summary>
    /// <see cref="SubtractTransposeProduct(ParameterGroups, ReadOnlySpan{double}, int, int, ReadOnlySpan{double}, int, Span{double}, Span{double}, int)"/>;
    /// where <paramref name="lowerTriangle"/> is set, the target is <c>p x p</c> (<paramref name="columns"/> = <paramref name="p"/>), the
    /// product symmetric, and only its lower triangle is wanted: each parameter's row is updated up to its diagonal, rounded up to
    /// whole 16 columns (<see cref="FourRowCombination"/>'s widths), every value computed there the same as without the option; the rest of
    /// the upper triangle is left partly updated. Rows of groups of one row (batch 1) are updated whole. A non-empty
    /// <paramref name="transposedTarget"/> is refused then (<see cref="ArgumentException"/>), as is <paramref name="columns"/> other than <paramref name="p"/>.
    /// A whole pivot block's <c>Dx^T (P Dx)</c> at width 8, batch 8 (eight groups of nine parameters, <c>p = 72</c>; with
    /// <see cref="Layers.TanhLayer"/>'s layout, <c>W</c> then <c>c</c>, group <c>i</c> is parameters <c>8i..8i+7</c> and <c>64+i</c>, its
    /// <c>c</c> row updated whole) so takes about 44 of every 72 columns (3136 of 5184 values).
    /// </summary>
    internal static long SubtractTransposeProduct(ParameterGroups groups, ReadOnlySpan<double> dx, int p, int m,
        ReadOnlySpan<double> b, int columns, Span<double> target, Span<double> transposedTarget, int vectorBits, bool lowerTriangle)
    {
        VectorWidth.Validate(vectorBits);
        if (lowerTriangle && (columns != p || !transposedTarget.IsEmpty))
        {
            throw new ArgumentException($"A lower triangle alone is formed in a square target without its transpose; got {p} x {columns} and a transposed target of {transposedTarget.Length} values.", nameof(lowerTriangle));
        }

        if (!transposedTarget.IsEmpty && transposedTarget.Length < columns * p)
        {
            throw new ArgumentException($"The transposed target has {transposedTarget.Length} values; expected {columns} x {p}.", nameof(transposedTarget));
        }

        if (dx.Length != m * p || b.Length < m * columns || target.Length < p * columns)
        {
            throw new ArgumentException($"Dx has {dx.Length} values, b {b.Length} and the target {target.Length}; " +
                $"expected {m} x {p}, {m} x {columns} and {p} x {columns}.");
        }

        int largestRows = groups.LargestRowCount;
        if (largestRows == 0 || columns == 0)
        {
            CopyRowsToColumns(target, columns, p, 0, p, transposedTarget);
            return 0;
        }

        // The parameters no group with rows reaches keep their rows of target; their columns of the transpose are copied at the end.
        bool[]? reached = transposedTarget.IsEmpty ? null : ArrayPool<bool>.Shared.Rent(p);
        reached?.AsSpan(0, p).Clear();

        // Rented at the first group of more than one row: a layer at batch 1 has none.
        double[]? coefficients = null;
        double[]? gathered = null;
        try
        {
            long flops = 0;
            for (int g = 0; g < groups.Parameters.Length; g++)
            {
                int[] rows = groups.Rows[g];
                int count = rows.Length;
                if (count == 0)
                {
                    continue;
                }

                if (reached is not null)
                {
                    foreach (int j in groups.Parameters[g])
                    {
                        reached[j] = true;
                    }
                }

                // One row (batch 1): each parameter's row of target takes that row of b once, an axpy per non-zero of Dx.
                if (count == 1)
                {
                    flops += SubtractOneRow(groups.Parameters[g], dx.Slice(rows[0] * p, p), b.Slice(rows[0] * columns, columns), columns, target);
                    if (!transposedTarget.IsEmpty)
                    {
                        for (int i = 0; i < groups.Parameters[g].Length; i++)
                        {
                            CopyRowsToColumns(target, columns, p, groups.Parameters[g][i], 1, transposedTarget);
                        }
                    }

                    continue;
                }

                // The group's rows of b, read in place where they are evenly spaced (one per example), else gathered.
                ReadOnlySpan<double> rowsOfB;
                int stride;
                if (IsEvenlySpaced(rows))
                {
                    stride = (rows[1] - rows[0]) * columns; // count >= 2: one row went to SubtractOneRow
                    rowsOfB = b[(rows[0] * columns)..];
                }
                else
                {
                    // Rented at the first group that needs it: a dense layer's groups (one row per example) never do.
                    gathered ??= ArrayPool<double>.Shared.Rent(largestRows * columns);
                    for (int k = 0; k < count; k++)
                    {
                        b.Slice(rows[k] * columns, columns).CopyTo(gathered.AsSpan(k * columns, columns));
                    }

                    stride = columns;
                    rowsOfB = gathered;
                }

                // Row j of target takes column j of Z_g against the group's rows of b; four rows at a time in register tiles,
                // then two (RankUpdate.SubtractCombinations), then the one left (SubtractCombination), so that each vector of b
                // loaded feeds them all. Without explicit vectors the four-row tiles are plain loops, so where Vector<T> fuses
                // (AdvSimd on ARM64, whose Hardware width is 0) the pairs take every parameter.
                int[] parameters = groups.Parameters[g];
                coefficients ??= ArrayPool<double>.Shared.Rent(4 * largestRows);
                int position = 0;
                bool fourAtATime = vectorBits != 0 || !VectorWidth.FusedVectorT;
                Span<double> quadCoefficients = coefficients.AsSpan(0, 4 * count);
                for (; fourAtATime && position + 4 <= parameters.Length; position += 4)
                {
                    for (int k = 0; k < count; k++)
                    {
                        int start = rows[k] * p;
                        quadCoefficients[4 * k] = dx[start + parameters[position]];
                        quadCoefficients[(4 * k) + 1] = dx[start + parameters[position + 1]];
                        quadCoefficients[(4 * k) + 2] = dx[start + parameters[position + 2]];
                        quadCoefficients[(4 * k) + 3] = dx[start + parameters[position + 3]];
                    }

                    int quadWidth = lowerTriangle
                        ? LowerTriangleWidth(columns, Math.Max(Math.Max(parameters[position], parameters[position + 1]), Math.Max(parameters[position + 2], parameters[position + 3])))
                        : columns;
                    flops += FourRowCombination.SubtractLeadingColumns(target, columns, quadWidth, parameters[position], parameters[position + 1], parameters[position + 2],
                        parameters[position + 3], quadCoefficients, rowsOfB, stride, vectorBits, transposedTarget, p);
                }

                Span<double> column = coefficients.AsSpan(0, count);
                Span<double> nextColumn = coefficients.AsSpan(largestRows, count);
                for (; position + 2 <= parameters.Length; position += 2)
                {
                    int j = parameters[position];
                    int next = parameters[position + 1];
                    for (int k = 0; k < count; k++)
                    {
                        column[k] = dx[(rows[k] * p) + j];
                        nextColumn[k] = dx[(rows[k] * p) + next];
                    }

                    int pairWidth = lowerTriangle ? LowerTriangleWidth(columns, Math.Max(j, next)) : columns;
                    flops += RankUpdate.SubtractCombinations(target.Slice(j * columns, pairWidth), column, target.Slice(next * columns, pairWidth), nextColumn, rowsOfB, stride);
                    CopyRowsToColumns(target, columns, p, j, 1, transposedTarget);
                    CopyRowsToColumns(target, columns, p, next, 1, transposedTarget);
                }

                if (position < parameters.Length)
                {
                    int j = parameters[position];
                    for (int k = 0; k < count; k++)
                    {
                        column[k] = dx[(rows[k] * p) + j];
                    }

                    flops += RankUpdate.SubtractCombination(target.Slice(j * columns, lowerTriangle ? LowerTriangleWidth(columns, j) : columns), column, rowsOfB, stride);
                    CopyRowsToColumns(target, columns, p, j, 1, transposedTarget);
                }
            }

            for (int j = 0; reached is not null && j < p; j++)
            {
                if (!reached[j])
                {
                    CopyRowsToColumns(target, columns, p, j, 1, transposedTarget);
                }
            }

            return flops;
        }
        finally
        {
            if (coefficients is not null)
            {
                ArrayPool<double>.Shared.Return(coefficients);
            }

            if (reached is not null)
            {
                ArrayPool<bool>.Shared.Return(reached);
            }

            if (gathered is not null)
            {
                ArrayPool<double>.Shared.Return(gathered);
            }
        }
    }

    /// <summary>The columns a row of a lower triangle takes up to <paramref name="highestRow"/>'s diagonal: whole 16 columns, at most all.</summary>
    private static int LowerTriangleWidth(int columns, int highestRow) => Math.Min(columns, (highestRow + 16) & ~15);

    /// <summary>
    /// <c>target[j, :] -= dxRow[j] bRow</c> for the group's parameters <c>j</c>: a group of one row, where the general path's
    /// coefficient gather and a <see cref="RankUpdate.SubtractCombination"/> call of one term per parameter cost more than the axpy.
    /// </summary>
    /// <returns>The floating-point operations performed.</returns>
    private static long SubtractOneRow(int[] parameters, ReadOnlySpan<double> dxRow, ReadOnlySpan<double> bRow, int columns, Span<double> target)
    {
        long flops = 0;
        ref double bStart = ref MemoryMarshal.GetReference(bRow[..columns]);
        foreach (int j in parameters)
        {
            double coefficient = dxRow[j];
            if (coefficient != 0)
            {
                // Axpy's arithmetic inlined (the same bits): at batch 1 a call and its checks per row of 8 cost more than the row.
                VectorKernels.AxpyUnchecked(-coefficient, ref bStart, ref MemoryMarshal.GetReference(target.Slice(j * columns, columns)), columns);
                flops += 2L * columns;
            }
        }

        return flops;
    }

    /// <summary>Rows <paramref name="first"/> to <paramref name="first"/> + <paramref name="count"/> of target as columns of the transpose, where one is asked for.</summary>
    private static void CopyRowsToColumns(ReadOnlySpan<double> target, int columns, int p, int first, int count, Span<double> transposed)
    {
        if (transposed.IsEmpty)
        {
            return;
        }

        for (int j = first; j < first + count; j++)
        {
            for (int c = 0; c < columns; c++)
            {
                transposed[(c * p) + j] = target[(j * columns) + c];
            }
        }
    }

    /// <summary>Whether <paramref name="rows"/> are evenly spaced (one per example), and so read in place rather than gathered.</summary>
    internal static bool IsEvenlySpaced(int[] rows)
    {
        for (int k = 2; k < rows.Length; k++)
        {
            if (rows[k] - rows[k - 1] != rows[1] - rows[0])
            {
                return false;
            }
        }

        return true;
    }
}
