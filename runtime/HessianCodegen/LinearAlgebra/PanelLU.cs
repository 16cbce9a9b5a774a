using System;
using System.Runtime.CompilerServices;

namespace HessianCodegen.LinearAlgebra;

/// <summary>
/// LU factorization with partial pivoting of one block column of the block-tridiagonal system,
/// stacked on the rows of the next block below it: a tall panel <c>[A_kk; A_(k+1)k]</c>, with the
/// columns to its right <c>[A_k(k+1); A_(k+1)(k+1)]</c> updated as the columns are eliminated.
/// </summary>
/// <remarks>
/// Behaves like LAPACK <c>dgetrf</c> (blocked right-looking: <c>dgetf2</c> on a narrow column panel,
/// then <c>dtrsm</c> and <c>dgemm</c> on the columns to its right) with the pivot search of each column
/// limited to the rows that can hold a non-zero there (<see cref="PanelShape"/>); rows outside hold
/// exact zeros, so skipping them changes neither the pivots nor the result. Over the whole chain this
/// is <c>dgbtrf</c>'s partial pivoting on the band: the pivot search of the <c>y</c> columns crosses into
/// the next block. Interchanges with the next block's rows leave the multipliers of earlier columns in
/// place, as <c>dgbtrf</c> does, so those rows keep exact zeros left of the <c>y</c> columns.
/// </remarks>
internal static class PanelLU
{
    /// <summary>Columns factorized unblocked before the rest of the panel is updated at once.</summary>
    private const int BlockWidth = 16;

    /// <summary>
    /// Factorizes <paramref name="left"/> (<c>(N + Bottom) x N</c>, row-major) in place and applies the
    /// same row operations to <paramref name="right"/>, which holds rows <c>p .. N + Bottom</c> of the
    /// columns of the next block (<c>NextSize</c> wide); rows above <c>p</c> are zero there and never touched.
    /// </summary>
    /// <returns>-1 on success, else the column whose largest candidate pivot was at most <paramref name="tinyPivot"/>.</returns>
    public static int Factor(in PanelShape shape, Span<double> left, Span<double> right, Span<int> pivots,
        double tinyPivot, ref long flops)
    {
        int p = shape.ParameterCount;
        int m = shape.StateCount;
        int n = shape.Size;
        var panel = new Panel(shape, left, right, pivots, tinyPivot);

        // x columns: only the block's [X] and [Y] rows reach them, and those rows are zero right of the block.
        int failed = panel.FactorColumns(0, p, p + m, swapFrom: 0, rightActive: false, ref flops);

        // w columns: the [W] rows join.
        if (failed < 0)
        {
            failed = panel.FactorColumns(p, p + m, n, swapFrom: 0, rightActive: true, ref flops);
        }

        // y columns: the next block's [X] and [Y] rows join.
        if (failed < 0)
        {
            failed = panel.FactorColumns(p + m, n, n + shape.Bottom, swapFrom: p + m, rightActive: true, ref flops);
        }

        return failed;
    }

    private readonly ref struct Panel
    {
        private readonly int n;
        private readonly int next;
        private readonly int rightFirstRow;
        private readonly Span<double> left;
        private readonly Span<double> right;
        private readonly Span<int> pivots;
        private readonly double tinyPivot;

        public Panel(in PanelShape shape, Span<double> left, Span<double> right, Span<int> pivots, double tinyPivot)
        {
            n = shape.Size;
            next = shape.NextSize;
            rightFirstRow = shape.ParameterCount;
            this.left = left;
            this.right = right;
            this.pivots = pivots;
            this.tinyPivot = tinyPivot;
        }

        /// <summary>
        /// Eliminates columns <paramref name="first"/> .. <paramref name="end"/>, whose non-zeros lie in rows
        /// below <paramref name="rowEnd"/>; interchanges move the columns from <paramref name="swapFrom"/> on.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public int FactorColumns(int first, int end, int rowEnd, int swapFrom, bool rightActive, ref long flops)
        {
            rightActive &= next > 0;
            for (int blockStart = first; blockStart < end; blockStart += BlockWidth)
            {
                int blockEnd = Math.Min(blockStart + BlockWidth, end);
                int failed = FactorNarrowPanel(blockStart, blockEnd, rowEnd, swapFrom, rightActive, ref flops);
                if (failed >= 0)
                {
                    return failed;
                }

                int width = n - blockEnd;
                ReadOnlySpan<double> upperLeft = left[((blockStart * n) + blockEnd)..];
                ReadOnlySpan<double> upperRight = rightActive ? right[((blockStart - rightFirstRow) * next)..] : default;

                // dtrsm: the block's own rows right of it, U12 = L11^-1 A12 (unit lower L11).
                for (int own = blockStart + 1; own < blockEnd; own++)
                {
                    ReadOnlySpan<double> multipliers = left.Slice((own * n) + blockStart, own - blockStart);
                    flops += RankUpdate.SubtractCombination(left.Slice((own * n) + blockEnd, width), multipliers, upperLeft, n);
                    if (rightActive)
                    {
                        flops += RankUpdate.SubtractCombination(RightRow(own), multipliers, upperRight, next);
                    }
                }

                // dgemm: the rows below, A22 -= L21 U12, two rows at a time.
                int row = blockEnd;
                for (; row + 1 < rowEnd; row += 2)
                {
                    ReadOnlySpan<double> multipliers0 = left.Slice((row * n) + blockStart, blockEnd - blockStart);
                    ReadOnlySpan<double> multipliers1 = left.Slice(((row + 1) * n) + blockStart, blockEnd - blockStart);
                    flops += RankUpdate.SubtractCombinations(left.Slice((row * n) + blockEnd, width), multipliers0,
                        left.Slice(((row + 1) * n) + blockEnd, width), multipliers1, upperLeft, n);
                    if (rightActive)
                    {
                        flops += RankUpdate.SubtractCombinations(RightRow(row), multipliers0, RightRow(row + 1), multipliers1, upperRight, next);
                    }
                }

                for (; row < rowEnd; row++)
                {
                    ReadOnlySpan<double> multipliers = left.Slice((row * n) + blockStart, blockEnd - blockStart);
                    flops += RankUpdate.SubtractCombination(left.Slice((row * n) + blockEnd, width), multipliers, upperLeft, n);
                    if (rightActive)
                    {
                        flops += RankUpdate.SubtractCombination(RightRow(row), multipliers, upperRight, next);
                    }
                }
            }

            return -1;
        }

        /// <summary><c>dgetf2</c> on columns <paramref name="first"/> .. <paramref name="end"/> only.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private int FactorNarrowPanel(int first, int end, int rowEnd, int swapFrom, bool rightActive, ref long flops)
        {
            for (int j = first; j < end; j++)
            {
                int pivotRow = j;
                double largest = Math.Abs(left[(j * n) + j]);
                for (int i = j + 1; i < rowEnd; i++)
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
                    VectorKernels.Swap(left.Slice((j * n) + swapFrom, n - swapFrom), left.Slice((pivotRow * n) + swapFrom, n - swapFrom));
                    if (rightActive)
                    {
                        VectorKernels.Swap(RightRow(j), RightRow(pivotRow));
                    }
                }

                flops += RankUpdate.EliminateColumn(left, n, j, end, rowEnd);
            }

            return -1;
        }

        private Span<double> RightRow(int row) => right.Slice((row - rightFirstRow) * next, next);
    }
}

/// <summary>
/// The shape of one panel: block <c>k</c> has <c>N = p + 2m</c> columns ordered
/// <c>(x_k [p], w_k [m], y_k [m])</c> and as many rows ordered <c>([X_k] [p], [Y_k] [m], [W_(k+1)] [m])</c>;
/// below them sit the <see cref="Bottom"/> rows of block <c>k+1</c> that touch block <c>k</c>'s columns
/// (its <c>[X]</c> and <c>[Y]</c> rows, non-zero there only in the <c>y_k</c> columns).
/// </summary>
/// <param name="ParameterCount"><c>p</c>, the parameters of the layer.</param>
/// <param name="StateCount"><c>m = B a</c>, the batch's outputs of the layer (0 for the loss layer).</param>
/// <param name="Bottom">Rows of the next block in the panel (0 for the last block).</param>
/// <param name="NextSize">Columns of the next block (0 for the last block).</param>
internal readonly record struct PanelShape(int ParameterCount, int StateCount, int Bottom, int NextSize)
{
    /// <summary><c>N = p + 2m</c>, the unknowns (and equations) of the block.</summary>
    public int Size => ParameterCount + (2 * StateCount);

    /// <summary>Where the <c>y</c> columns start: before them, pivots stay inside the block.</summary>
    public int StateStart => ParameterCount + StateCount;
}
