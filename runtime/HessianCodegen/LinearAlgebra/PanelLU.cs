using System;

namespace HessianCodegen.LinearAlgebra;

/// <summary>
/// LU factorization with partial pivoting of one block column of the block-tridiagonal system,
/// stacked on the rows of the next block below it: a tall panel <c>[A_kk; A_(k+1)k]</c> with the
/// columns to its right <c>[A_k(k+1); A_(k+1)(k+1)]</c> updated as the columns are eliminated.
/// </summary>
/// <remarks>
/// Behaves like LAPACK <c>dgetf2</c> on the tall panel (right-looking, row interchanges applied to
/// whole rows, left and right, so that <c>P [A_kk; A_(k+1)k] = [L11; L21] U11</c>), which makes the
/// whole factorization behave like <c>dgbtrf</c> on the band: the pivot search crosses the block
/// boundary. The pivot search of column <c>j</c> only visits rows that can hold a non-zero there
/// (<see cref="PanelShape.CandidateRowEnd"/>); rows outside hold exact zeros in that column, so
/// skipping them changes neither the pivots nor the result.
/// </remarks>
internal static class PanelLU
{
    /// <summary>
    /// Factorizes <paramref name="left"/> (<c>(N + Bottom) x N</c>, row-major) in place and applies the
    /// same row operations to <paramref name="right"/> (<c>(N + Bottom) x NextSize</c>).
    /// </summary>
    /// <returns>-1 on success, else the column whose largest candidate pivot was at most <paramref name="tinyPivot"/>.</returns>
    public static int Factor(in PanelShape shape, Span<double> left, Span<double> right, Span<int> pivots,
        double tinyPivot, ref long flops)
    {
        int n = shape.Size;
        int next = shape.NextSize;
        for (int j = 0; j < n; j++)
        {
            int end = shape.CandidateRowEnd(j);
            int pivotRow = j;
            double largest = Math.Abs(left[(j * n) + j]);
            for (int i = j + 1; i < end; i++)
            {
                double candidate = Math.Abs(left[(i * n) + j]);
                if (candidate > largest)
                {
                    largest = candidate;
                    pivotRow = i;
                }
            }

            if (!(largest > tinyPivot))
            {
                return j;
            }

            pivots[j] = pivotRow;
            if (pivotRow != j)
            {
                VectorKernels.Swap(left.Slice(j * n, n), left.Slice(pivotRow * n, n));
                if (next > 0)
                {
                    VectorKernels.Swap(right.Slice(j * next, next), right.Slice(pivotRow * next, next));
                }
            }

            // Rows that eliminate the parameter columns have no entries right of the block.
            bool rightActive = next > 0 && j >= shape.ParameterCount;
            double inversePivot = 1.0 / left[(j * n) + j];
            ReadOnlySpan<double> pivotLeft = left.Slice((j * n) + j + 1, n - j - 1);
            ReadOnlySpan<double> pivotRight = rightActive ? right.Slice(j * next, next) : default;
            for (int i = j + 1; i < end; i++)
            {
                double multiplier = left[(i * n) + j] * inversePivot;
                left[(i * n) + j] = multiplier;
                if (multiplier == 0)
                {
                    continue;
                }

                VectorKernels.Axpy(-multiplier, pivotLeft, left.Slice((i * n) + j + 1, n - j - 1));
                flops += 1 + (2L * (n - j - 1));
                if (rightActive)
                {
                    VectorKernels.Axpy(-multiplier, pivotRight, right.Slice(i * next, next));
                    flops += 2L * next;
                }
            }
        }

        return -1;
    }
}

/// <summary>
/// The shape of one panel: block <c>k</c> has <c>N = p + 2m</c> columns ordered
/// <c>(x_k [p], w_k [m], y_k [m])</c> and as many rows ordered <c>(E3_k [p], E1_k [m], E2_(k+1) [m])</c>;
/// below them sit the <see cref="Bottom"/> rows of block <c>k+1</c> that touch block <c>k</c>'s columns
/// (its <c>E3</c> and <c>E1</c> rows, non-zero there only in the <c>y_k</c> columns).
/// </summary>
/// <param name="ParameterCount"><c>p</c>, the parameters of the layer.</param>
/// <param name="StateCount"><c>m = B a</c>, the batch's outputs of the layer (0 for the loss layer).</param>
/// <param name="Bottom">Rows of the next block in the panel (0 for the last block).</param>
/// <param name="NextSize">Columns of the next block (0 for the last block).</param>
internal readonly record struct PanelShape(int ParameterCount, int StateCount, int Bottom, int NextSize)
{
    /// <summary><c>N = p + 2m</c>, the unknowns (and equations) of the block.</summary>
    public int Size => ParameterCount + (2 * StateCount);

    /// <summary>
    /// One past the last row that can be non-zero in column <paramref name="column"/> when it is
    /// eliminated: the x columns only meet the E3 and E1 rows of the block (E2 rows and the next
    /// block hold zeros there), the w columns also the E2 rows, and only the y columns reach into the
    /// next block. Row interchanges never move a non-zero past this bound, as each column's candidate
    /// rows include the earlier columns' ones.
    /// </summary>
    public int CandidateRowEnd(int column) =>
        column < ParameterCount ? ParameterCount + StateCount
        : column < ParameterCount + StateCount ? Size
        : Size + Bottom;
}
