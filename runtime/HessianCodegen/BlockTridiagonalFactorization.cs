using System;
using HessianCodegen.LinearAlgebra;

namespace HessianCodegen;

/// <summary>
/// The factorization, for one epsilon, of the block-tridiagonal system that is equivalent to
/// <c>(H + eps I) x = g</c> (ALGORITHM.md section 4). Created once by
/// <see cref="HessianDerivatives.Factorize"/>; each right-hand side then costs one forward and one
/// backward substitution sweep, linear in depth.
/// </summary>
/// <remarks>
/// <para>
/// Unknowns: the parameters <c>x_k</c> of every layer and, for every layer but the loss, the
/// tangent <c>y_k</c> and adjoint-tangent <c>w_k</c> of its output over the batch (<c>m_k = B a_k</c>
/// values each). Block <c>k</c> holds the columns <c>(x_k, w_k, y_k)</c> and the rows
/// <c>E3_k: (Xxx_k + eps I) x_k + Xzx_k y_(k-1) + Dx_k^T w_k = g_k</c>,
/// <c>E1_k: y_k - Dz_k y_(k-1) - Dx_k x_k = 0</c> and
/// <c>E2_(k+1): w_k - Dz_(k+1)^T w_(k+1) - Xzz_(k+1) y_k - Xzx_(k+1)^T x_(k+1) = 0</c>.
/// The block below the diagonal is non-zero only in the <c>y_k</c> columns and the block above only
/// in the <c>E2</c> rows.
/// </para>
/// <para>
/// Factorization: LU with partial pivoting, block column by block column, each panel stacked on the
/// rows of the next block (LAPACK <c>dgetf2</c> on the panel, <c>dgbtrf</c> semantics overall: the pivot
/// search crosses block boundaries). With the column order <c>(x, w, y)</c> only the last <c>m_k</c>
/// columns of a block can find a pivot in the next block, and the rows that eliminate <c>x_k</c> have
/// nothing right of the block, so there is no fill beyond the super-diagonal block. The cost is about
/// <c>(2/3) (p + m)^3 + O((p + m) m (p' + m'))</c> per layer: linear in depth.
/// </para>
/// </remarks>
public sealed class BlockTridiagonalFactorization
{
    /// <summary>Backward errors above this trigger one step of iterative refinement.</summary>
    private const double RefinementThreshold = 1e-14;

    private readonly HessianDerivatives derivatives;
    private readonly Block[] blocks;
    private readonly int[] blockOffsets;

    internal BlockTridiagonalFactorization(HessianDerivatives derivatives, double epsilon)
    {
        this.derivatives = derivatives;
        Epsilon = epsilon;
        Network network = derivatives.Point.Network;
        int depth = network.Depth;
        int count = derivatives.Point.Batch.Count;
        var shapes = new PanelShape[depth];
        for (int k = 0; k < depth; k++)
        {
            int p = network.Layers[k].ParameterCount;
            int m = k + 1 < depth ? count * network.Layers[k].OutputSize : 0;
            shapes[k] = new PanelShape(p, m, 0, 0);
        }

        blockOffsets = new int[depth + 1];
        for (int k = 0; k < depth; k++)
        {
            if (k + 1 < depth)
            {
                PanelShape next = shapes[k + 1];
                shapes[k] = shapes[k] with { Bottom = next.ParameterCount + next.StateCount, NextSize = next.Size };
            }

            blockOffsets[k + 1] = blockOffsets[k] + shapes[k].Size;
        }

        var assembler = new BlockAssembler(derivatives, epsilon);
        double tinyPivot = assembler.LargestEntry() * Math.ScaleB(1.0, -52);
        blocks = new Block[depth];
        long flops = 0;
        double[] carried = [];
        for (int k = 0; k < depth; k++)
        {
            PanelShape shape = shapes[k];
            int n = shape.Size;
            int rows = n + shape.Bottom;
            var left = new double[rows * n];
            var right = new double[rows * shape.NextSize];
            if (k == 0)
            {
                assembler.LeadingRows(0, left);
            }
            else
            {
                carried.AsSpan().CopyTo(left);
            }

            if (k + 1 < depth)
            {
                assembler.CouplingRows(k, shape, left, right);
                assembler.LeadingRows(k + 1, right.AsSpan(n * shape.NextSize));
            }

            var pivots = new int[n];
            int failed = PanelLU.Factor(shape, left, right, pivots, n * tinyPivot, ref flops);
            if (failed >= 0)
            {
                throw Singular(k, shape, failed, n * tinyPivot);
            }

            int upperRows = n - shape.ParameterCount;
            blocks[k] = new Block(shape, left, right.AsSpan(shape.ParameterCount * shape.NextSize, upperRows * shape.NextSize).ToArray(), pivots);
            carried = right.AsSpan(n * shape.NextSize).ToArray();
        }

        FlopCount = flops;
    }

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

    /// <summary>Solves <c>(H + eps I) x = rhs</c> by the substitution sweeps.</summary>
    /// <exception cref="ArgumentException"><paramref name="rhs"/> has the wrong length or a value that is not finite.</exception>
    public double[] Solve(ReadOnlySpan<double> rhs)
    {
        var result = new double[Size];
        Solve(rhs, result);
        return result;
    }

    /// <summary>Solves <c>(H + eps I) x = rhs</c> into <paramref name="result"/> by the substitution sweeps.</summary>
    /// <exception cref="ArgumentException">A vector has the wrong length, or <paramref name="rhs"/> a value that is not finite.</exception>
    public void Solve(ReadOnlySpan<double> rhs, Span<double> result)
    {
        Guard.Length(rhs, Size, nameof(rhs));
        Guard.Length(result, Size, nameof(result));
        Guard.Finite(rhs, nameof(rhs));
        var system = new double[SystemSize];
        Network network = derivatives.Point.Network;
        for (int k = 0; k < blocks.Length; k++)
        {
            network.ParameterSlice(rhs, k).CopyTo(system.AsSpan(blockOffsets[k]));
        }

        // Forward: the row interchanges and multipliers of each panel, in order.
        for (int k = 0; k < blocks.Length; k++)
        {
            Block block = blocks[k];
            int n = block.Shape.Size;
            Span<double> segment = system.AsSpan(blockOffsets[k], n + block.Shape.Bottom);
            for (int j = 0; j < n; j++)
            {
                int swap = block.Pivots[j];
                (segment[j], segment[swap]) = (segment[swap], segment[j]);
            }

            for (int i = 1; i < segment.Length; i++)
            {
                int width = Math.Min(i, n);
                segment[i] -= VectorKernels.Dot(block.Left.AsSpan(i * n, width), segment[..width]);
            }
        }

        // Backward: U11 x_k = segment_k - U12 x_(k+1), last block first.
        for (int k = blocks.Length - 1; k >= 0; k--)
        {
            Block block = blocks[k];
            PanelShape shape = block.Shape;
            int n = shape.Size;
            Span<double> segment = system.AsSpan(blockOffsets[k], n);
            ReadOnlySpan<double> following = system.AsSpan(blockOffsets[k + 1], shape.NextSize);
            for (int i = n - 1; i >= 0; i--)
            {
                double sum = segment[i] - VectorKernels.Dot(block.Left.AsSpan((i * n) + i + 1, n - i - 1), segment[(i + 1)..]);
                if (i >= shape.ParameterCount && shape.NextSize > 0)
                {
                    sum -= VectorKernels.Dot(block.Upper.AsSpan((i - shape.ParameterCount) * shape.NextSize, shape.NextSize), following);
                }

                segment[i] = sum / block.Left[(i * n) + i];
            }
        }

        for (int k = 0; k < blocks.Length; k++)
        {
            system.AsSpan(blockOffsets[k], network.Layers[k].ParameterCount).CopyTo(network.ParameterSlice(result, k));
        }
    }

    /// <summary>
    /// Solves <c>(H + eps I) x = rhs</c> into <paramref name="result"/>, measures the backward error with
    /// one matrix-free product <c>H x</c> and, when it is above 1e-14, takes one step of iterative
    /// refinement (kept only if it lowers the backward error).
    /// </summary>
    /// <exception cref="ArgumentException">A vector has the wrong length, or <paramref name="rhs"/> a value that is not finite.</exception>
    public SolveReport SolveRefined(ReadOnlySpan<double> rhs, Span<double> result)
    {
        Solve(rhs, result);
        var residual = new double[Size];
        double initial = BackwardError(rhs, result, residual);
        if (!(initial > RefinementThreshold))
        {
            return new SolveReport(initial, initial, false);
        }

        double[] correction = Solve(residual);
        double[] refined = result.ToArray();
        VectorKernels.Axpy(1.0, correction, refined);
        double after = BackwardError(rhs, refined, residual);
        if (after < initial)
        {
            refined.CopyTo(result);
            return new SolveReport(after, initial, true);
        }

        return new SolveReport(initial, initial, false);
    }

    /// <summary>The backward error of <paramref name="x"/>; leaves <c>rhs - (H + eps I) x</c> in <paramref name="residual"/>.</summary>
    private double BackwardError(ReadOnlySpan<double> rhs, ReadOnlySpan<double> x, Span<double> residual)
    {
        derivatives.Point.HessianVector(x, residual);
        for (int i = 0; i < residual.Length; i++)
        {
            residual[i] = rhs[i] - residual[i] - (Epsilon * x[i]);
        }

        double norm = derivatives.HessianNormEstimate + Epsilon;
        double denominator = (norm * VectorKernels.Norm(x)) + VectorKernels.Norm(rhs);
        return denominator > 0 ? VectorKernels.Norm(residual) / denominator : 0;
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

    /// <summary>The factors of one block column: L and U of the panel, the super-diagonal rows of U, the pivots.</summary>
    private sealed record Block(PanelShape Shape, double[] Left, double[] Upper, int[] Pivots);
}
