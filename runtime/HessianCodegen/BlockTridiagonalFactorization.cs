using System;
using System.Runtime.CompilerServices;
using HessianCodegen.LinearAlgebra;

namespace HessianCodegen;

/// <summary>
/// The pivoted LU, for one epsilon, of the block-tridiagonal system that is equivalent to
/// <c>(H + eps I) x = g</c> (docs/algorithm.md sections 6 and 7): the fallback path of <see cref="HessianFactorization"/>
/// (<see cref="FactorizationPath.BandedLU"/>). Each right-hand side costs one forward and one backward
/// substitution sweep, linear in depth. For derivatives taken with <see cref="Curvature.GaussNewton"/>,
/// read <c>G</c> for <c>H</c> throughout.
/// </summary>
/// <remarks>
/// <para>
/// Unknowns: the parameters <c>x_k</c> of every layer and, for every layer but the loss, the
/// tangent <c>y_k</c> and adjoint-tangent <c>w_k</c> of its output over the batch (<c>m_k = B a_k</c>
/// values each). Block <c>k</c> holds the columns <c>(x_k, w_k, y_k)</c> and the rows of the stationarity,
/// tangent and adjoint-tangent equations (named as in docs/algorithm.md, section 6):
/// <c>[X_k]: (Xxx_k + eps I) x_k + Xzx_k y_(k-1) + Dx_k^T w_k = g_k</c>,
/// <c>[Y_k]: y_k - Dz_k y_(k-1) - Dx_k x_k = 0</c> and
/// <c>[W_(k+1)]: w_k - Dz_(k+1)^T w_(k+1) - Xzz_(k+1) y_k - Xzx_(k+1)^T x_(k+1) = 0</c>.
/// The block below the diagonal is non-zero only in the <c>y_k</c> columns and the block above only
/// in the <c>[W]</c> rows.
/// </para>
/// <para>
/// Factorization: LU with partial pivoting, block column by block column, each panel stacked on the
/// rows of the next block (LAPACK <c>dgetrf</c>, blocked, on the panel; <c>dgbtrf</c> semantics overall:
/// the pivot search crosses block boundaries). With the column order <c>(x, w, y)</c> the x columns
/// only meet the block's <c>[X]</c> and <c>[Y]</c> rows, the w columns also its <c>[W]</c> rows, and only
/// the last <c>m_k</c> (y) columns can find a pivot in the next block; the rows that eliminate
/// <c>x_k</c> have nothing right of the block and the next block's rows nothing beyond it, so there is
/// no fill past the super-diagonal block. The cost per layer is dominated by the dense LU of the x
/// columns, about <c>2 p^2 (p/3 + m)</c> flops, plus about <c>2 m (p' + m') (m + N')</c> for the y
/// columns' reach into the next block: linear in depth. Storage: <c>N^2 + m (p' + m') + 2 m N'</c>
/// values per layer. A pivot no larger than <c>N 2^-52</c> times the system's largest entry (at least
/// 1, the identities) is taken as singular.
/// </para>
/// <para>
/// The log-determinant: with the unknowns ordered <c>(y, w, x)</c> and the equations <c>([Y], [W], [X])</c>, the
/// augmented matrix is <c>[K B; B' X]</c> with <c>K</c> block-triangular with identity diagonal blocks
/// (<c>det K = 1</c>) and Schur complement <c>X - B' K^-1 B = H + eps I</c> (eliminating the tangents is
/// exact), so its determinant is <c>det(H + eps I)</c>. The panels' order is a permutation of those rows
/// and columns, whose signs, with the interchanges', fix the sign of <c>det(H + eps I)</c> from the
/// diagonal of <c>U</c>.
/// </para>
/// </remarks>
internal sealed class BlockTridiagonalFactorization
{
    private readonly HessianDerivatives derivatives;
    private readonly PanelShape[] shapes;
    private readonly int[][] pivots;

    // The factors, each sweep's in the order it reads them, so that both stream through memory.
    // lower, block after block: L11 row by row (row i holds columns 0..i-1), then the multipliers of
    // the next block's rows in the y columns (Bottom x m). upper, last block first, last row first:
    // row i of U11 (columns i..N-1), then for i >= p row i of the block above the next block (N' values;
    // the x pivot rows have nothing there). upperOffsets[k] is where block k starts.
    private readonly double[] lower;
    private readonly double[] upper;
    private readonly int[] lowerOffsets;
    private readonly int[] upperOffsets;
    private readonly int[] blockOffsets;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal BlockTridiagonalFactorization(HessianDerivatives derivatives, double epsilon)
    {
        this.derivatives = derivatives;
        Epsilon = epsilon;
        Network network = derivatives.Point.Network;
        int depth = network.Depth;
        int count = derivatives.Point.Batch.Count;
        shapes = new PanelShape[depth];
        for (int k = depth - 1; k >= 0; k--)
        {
            int p = network.Layers[k].ParameterCount;
            int m = k + 1 < depth ? count * network.Layers[k].OutputSize : 0;
            PanelShape next = k + 1 < depth ? shapes[k + 1] : default;
            shapes[k] = new PanelShape(p, m, next.ParameterCount + next.StateCount, next.Size);
        }

        blockOffsets = new int[depth + 1];
        lowerOffsets = new int[depth + 1];
        upperOffsets = new int[depth];
        int leftScratch = 0;
        int rightScratch = 0;
        for (int k = 0; k < depth; k++)
        {
            PanelShape shape = shapes[k];
            int n = shape.Size;
            blockOffsets[k + 1] = blockOffsets[k] + n;
            lowerOffsets[k + 1] = checked(lowerOffsets[k] + (n * (n - 1) / 2) + (shape.Bottom * shape.StateCount));
            leftScratch = Math.Max(leftScratch, (n + shape.Bottom) * n);
            rightScratch = Math.Max(rightScratch, (n - shape.ParameterCount + shape.Bottom) * shape.NextSize);
        }

        // The backward sweep reads the last block first.
        int upperLength = 0;
        for (int k = depth - 1; k >= 0; k--)
        {
            upperOffsets[k] = upperLength;
            upperLength = checked(upperLength + UpperLength(shapes[k]));
        }

        // Every entry is written below, so the (possibly large) arrays need not be zeroed first.
        lower = GC.AllocateUninitializedArray<double>(lowerOffsets[depth]);
        upper = GC.AllocateUninitializedArray<double>(upperLength);
        pivots = new int[depth][];
        var left = new double[leftScratch];
        var right = new double[rightScratch];
        var assembler = new BlockAssembler(derivatives, epsilon);
        double tinyPivot = (derivatives.LargestEntry + epsilon) * Math.ScaleB(1.0, -52);
        long flops = 0;
        double logAbsolute = 0;
        int sign = OrderingSign();
        for (int k = 0; k < depth; k++)
        {
            PanelShape shape = shapes[k];
            int n = shape.Size;
            int p = shape.ParameterCount;
            int m = shape.StateCount;
            Span<double> panel = left.AsSpan(0, (n + shape.Bottom) * n);
            Span<double> above = right.AsSpan(0, (n - p + shape.Bottom) * shape.NextSize);
            // Clear only what is read: the next block's rows are never touched left of the y columns.
            panel[((p + m) * n)..(n * n)].Clear();
            for (int r = 0; r < shape.Bottom; r++)
            {
                panel.Slice(((n + r) * n) + p + m, m).Clear();
            }

            if (k == 0)
            {
                panel[..((p + m) * n)].Clear();
                assembler.LeadingRows(0, panel);
            }
            else
            {
                // The previous panel left block k's [X] and [Y] rows, updated, below its right part.
                PanelShape previous = shapes[k - 1];
                int carriedStart = (previous.Size - previous.ParameterCount) * n;
                right.AsSpan(carriedStart, (p + m) * n).CopyTo(panel);
            }

            above.Clear();
            if (k + 1 < depth)
            {
                assembler.CouplingRows(k, shape, panel, above);
                assembler.LeadingRows(k + 1, above[((n - p) * shape.NextSize)..]);
            }

            pivots[k] = new int[n];
            int failed = PanelLU.Factor(shape, panel, above, pivots[k], n * tinyPivot, ref flops);
            if (failed >= 0)
            {
                throw Singular(k, shape, failed, n * tinyPivot);
            }

            for (int i = 0; i < n; i++)
            {
                double diagonal = panel[(i * n) + i];
                logAbsolute += Math.Log(Math.Abs(diagonal));
                sign *= (diagonal < 0 ? -1 : 1) * (pivots[k][i] != i ? -1 : 1);
            }

            Span<double> storedLower = lower.AsSpan(lowerOffsets[k], lowerOffsets[k + 1] - lowerOffsets[k]);
            for (int i = 1; i < n; i++)
            {
                panel.Slice(i * n, i).CopyTo(storedLower[LowerRowStart(i)..]);
            }

            int lowerBottom = n * (n - 1) / 2;
            for (int r = 0; r < shape.Bottom; r++)
            {
                panel.Slice(((n + r) * n) + p + m, m).CopyTo(storedLower.Slice(lowerBottom + (r * m), m));
            }

            Span<double> storedUpper = upper.AsSpan(upperOffsets[k], UpperLength(shape));
            int position = 0;
            for (int i = n - 1; i >= 0; i--)
            {
                panel.Slice((i * n) + i, n - i).CopyTo(storedUpper[position..]);
                position += n - i;
                if (i >= p && shape.NextSize > 0)
                {
                    above.Slice((i - p) * shape.NextSize, shape.NextSize).CopyTo(storedUpper[position..]);
                    position += shape.NextSize;
                }
            }
        }

        FlopCount = flops;
        LogDeterminant = new LogDeterminant(logAbsolute, sign);
    }

    /// <summary><c>log |det(H + eps I)|</c> and its sign, from the diagonal of <c>U</c> (see the remarks).</summary>
    public LogDeterminant LogDeterminant { get; }

    /// <summary>The damping <c>eps</c> in <c>H + eps I</c>.</summary>
    public double Epsilon { get; }

    /// <summary>Length of a right-hand side and of a solution: the network's parameter count.</summary>
    public int Size => derivatives.Point.Network.ParameterCount;

    /// <summary>Unknowns of the block-tridiagonal system: the parameters plus <c>2 B a_k</c> per hidden layer.</summary>
    public int SystemSize => blockOffsets[^1];

    /// <summary>
    /// Floating-point operations the factorization performed (a multiply-add counts two), counted as
    /// the kernels ran: the honest numerator of a GFLOP/s figure.
    /// </summary>
    public long FlopCount { get; }

    /// <summary>Solves <c>(H + eps I) x = rhs</c> into <paramref name="result"/> by the substitution sweeps (lengths checked by the caller).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Solve(ReadOnlySpan<double> rhs, Span<double> result)
    {
        var system = new double[SystemSize];
        Network network = derivatives.Point.Network;
        for (int k = 0; k < shapes.Length; k++)
        {
            network.ParameterSlice(rhs, k).CopyTo(system.AsSpan(blockOffsets[k]));
        }

        // Forward: each panel's interchanges and multipliers, in the order the factorization applied them.
        for (int k = 0; k < shapes.Length; k++)
        {
            PanelShape shape = shapes[k];
            int n = shape.Size;
            int stateStart = shape.StateStart;
            int m = shape.StateCount;
            ReadOnlySpan<double> factor = lower.AsSpan(lowerOffsets[k], lowerOffsets[k + 1] - lowerOffsets[k]);
            ReadOnlySpan<double> bottom = factor[(n * (n - 1) / 2)..];
            int[] blockPivots = pivots[k];
            Span<double> segment = system.AsSpan(blockOffsets[k], n + shape.Bottom);

            // x and w columns: pivots inside the block, multipliers in its own rows.
            for (int j = 0; j < stateStart; j++)
            {
                (segment[j], segment[blockPivots[j]]) = (segment[blockPivots[j]], segment[j]);
            }

            for (int i = 1; i < n; i++)
            {
                int width = Math.Min(i, stateStart);
                segment[i] -= VectorKernels.Dot(factor.Slice(LowerRowStart(i), width), segment[..width]);
            }

            // y columns: pivots may come from the next block's rows.
            for (int j = stateStart; j < n; j++)
            {
                (segment[j], segment[blockPivots[j]]) = (segment[blockPivots[j]], segment[j]);
            }

            for (int i = stateStart + 1; i < n; i++)
            {
                segment[i] -= VectorKernels.Dot(factor.Slice(LowerRowStart(i) + stateStart, i - stateStart), segment[stateStart..i]);
            }

            for (int r = 0; r < shape.Bottom; r++)
            {
                segment[n + r] -= VectorKernels.Dot(bottom.Slice(r * m, m), segment.Slice(stateStart, m));
            }
        }

        // Backward: U11 x_k = segment_k - U12 x_(k+1), last block first.
        for (int k = shapes.Length - 1; k >= 0; k--)
        {
            PanelShape shape = shapes[k];
            int n = shape.Size;
            ReadOnlySpan<double> factor = upper.AsSpan(upperOffsets[k], UpperLength(shape));
            Span<double> segment = system.AsSpan(blockOffsets[k], n);
            ReadOnlySpan<double> following = system.AsSpan(blockOffsets[k + 1], shape.NextSize);
            int position = 0;
            for (int i = n - 1; i >= 0; i--)
            {
                double diagonal = factor[position];
                double sum = segment[i] - VectorKernels.Dot(factor.Slice(position + 1, n - i - 1), segment[(i + 1)..]);
                position += n - i;
                if (i >= shape.ParameterCount && shape.NextSize > 0)
                {
                    sum -= VectorKernels.Dot(factor.Slice(position, shape.NextSize), following);
                    position += shape.NextSize;
                }

                segment[i] = sum / diagonal;
            }
        }

        for (int k = 0; k < shapes.Length; k++)
        {
            system.AsSpan(blockOffsets[k], network.Layers[k].ParameterCount).CopyTo(network.ParameterSlice(result, k));
        }
    }

    private SingularSystemException Singular(int layer, PanelShape shape, int column, double tinyPivot)
    {
        Network network = derivatives.Point.Network;
        int p = shape.ParameterCount;
        int a = shape.StateCount / Math.Max(1, derivatives.Point.Batch.Count);
        string unknown = column < p
            ? $"the parameter {ParameterName(network.Layers[layer], column)}"
            : column < p + shape.StateCount
                ? $"the adjoint-tangent w of output {(column - p) % a} of example {(column - p) / a}"
                : $"the tangent y of output {(column - p - shape.StateCount) % a} of example {(column - p - shape.StateCount) / a}";
        return new SingularSystemException(
            $"H + eps I (eps = {Epsilon}) is singular to working precision at {network.Describe(layer)}: " +
            $"no pivot for {unknown} is larger than {tinyPivot:G3}; expected a non-singular system, " +
            "so add damping (a larger epsilon) or check the layer for parameters the loss does not depend on.",
            layer, Epsilon);
    }

    /// <summary>"W[2, 3]" or "c[1]": a layer parameter by its name in the layer source.</summary>
    private static string ParameterName(IHessianLayer layer, int index)
    {
        foreach (ParameterBlock block in layer.ParameterLayout)
        {
            int offset = index - block.Offset;
            if (offset >= 0 && offset < block.Length)
            {
                return block.IsMatrix ? $"{block.Name}[{offset / block.Columns}, {offset % block.Columns}]" : $"{block.Name}[{offset}]";
            }
        }

        return $"#{index}";
    }

    /// <summary>
    /// The sign of the permutations that take the augmented matrix from the order <c>(y, w, x)</c> of
    /// unknowns and <c>([Y], [W], [X])</c> of equations to the panels' order: <c>(x_k, w_k, y_k)</c> and
    /// <c>([X_k], [Y_k], [W_(k+1)])</c> block after block. The equation for <c>y_k</c> is <c>[Y_k]</c>, that for
    /// <c>w_k</c> is <c>[W_(k+1)]</c>.
    /// </summary>
    private int OrderingSign()
    {
        int size = SystemSize;
        int states = 0;
        foreach (PanelShape shape in shapes)
        {
            states += shape.StateCount;
        }

        var rows = new int[size];
        var columns = new int[size];
        int stateOffset = 0;
        int parameterOffset = 0;
        for (int k = 0; k < shapes.Length; k++)
        {
            int start = blockOffsets[k];
            int p = shapes[k].ParameterCount;
            int m = shapes[k].StateCount;
            for (int t = 0; t < p; t++)
            {
                rows[start + t] = (2 * states) + parameterOffset + t;
                columns[start + t] = (2 * states) + parameterOffset + t;
            }

            for (int t = 0; t < m; t++)
            {
                rows[start + p + t] = stateOffset + t;
                rows[start + p + m + t] = states + stateOffset + t;
                columns[start + p + t] = states + stateOffset + t;
                columns[start + p + m + t] = stateOffset + t;
            }

            stateOffset += m;
            parameterOffset += p;
        }

        return PermutationSign(rows) * PermutationSign(columns);
    }

    /// <summary>+1 or -1: <c>(-1)^(n - cycles)</c>; overwrites <paramref name="permutation"/>.</summary>
    private static int PermutationSign(int[] permutation)
    {
        int sign = 1;
        for (int start = 0; start < permutation.Length; start++)
        {
            int length = 0;
            int i = start;
            while (permutation[i] >= 0)
            {
                int next = permutation[i];
                permutation[i] = -1;
                i = next;
                length++;
            }

            if (length > 0 && length % 2 == 0)
            {
                sign = -sign;
            }
        }

        return sign;
    }

    /// <summary>Where row <paramref name="i"/> of a packed strictly lower triangle starts.</summary>
    private static int LowerRowStart(int i) => i * (i - 1) / 2;

    /// <summary>Values block <paramref name="shape"/> stores in <see cref="upper"/>: U11 and the rows above the next block.</summary>
    private static int UpperLength(in PanelShape shape) =>
        (shape.Size * (shape.Size + 1) / 2) + ((shape.Size - shape.ParameterCount) * shape.NextSize);
}
