using System;
using System.Runtime.CompilerServices;
using HessianCodegen.LinearAlgebra;

namespace HessianCodegen;

/// <summary>
/// Writes the entries of the block-tridiagonal system (see <see cref="BlockTridiagonalFactorization"/>)
/// from the derivative blocks, one panel at a time, so that the whole matrix is never formed.
/// Within block <c>k</c> the unknowns are ordered <c>x_k, w_k, y_k</c>, the equations
/// <c>[X_k], [Y_k], [W_(k+1)]</c>, and the batch's values example after example.
/// </summary>
internal sealed class BlockAssembler(HessianDerivatives derivatives, double epsilon)
{
    private readonly int count = derivatives.Point.Batch.Count;
    private readonly int depth = derivatives.Point.Network.Depth;

    /// <summary>
    /// The rows <c>[X_k]</c> and <c>[Y_k]</c> of block <c>k</c>, in block <c>k</c>'s own columns, into the first
    /// <c>p + m</c> rows of <paramref name="destination"/> (row length <c>p + 2m</c>, assumed zero).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void LeadingRows(int k, Span<double> destination)
    {
        LayerDerivatives d = derivatives.Layer(k);
        int p = d.ParameterCount;
        int a = d.OutputSize;
        int m = k + 1 < depth ? count * a : 0;
        int n = p + (2 * m);
        int examples = m > 0 ? count : 0;

        // [X_k]: (Xxx_k + eps I) x_k + Dx_k^T w_k (an Xxx not stored is zero, as destination is).
        for (int r = 0; r < p; r++)
        {
            if (d.Has(SecondDerivativeBlocks.Xxx))
            {
                d.Xxx.Slice(r * p, p).CopyTo(destination.Slice(r * n, p));
            }

            destination[(r * n) + r] += epsilon;
        }

        for (int e = 0; e < examples; e++)
        {
            ReadOnlySpan<double> dx = d.DxBlock(e);
            for (int i = 0; i < a; i++)
            {
                int state = (e * a) + i;
                for (int r = 0; r < p; r++)
                {
                    destination[(r * n) + p + state] = dx[(i * p) + r];
                }

                // [Y_k]: y_k - Dx_k x_k (the y_(k-1) part sits in the panel above).
                Span<double> row = destination.Slice((p + state) * n, n);
                for (int c = 0; c < p; c++)
                {
                    row[c] = -dx[(i * p) + c];
                }

                row[p + m + state] = 1;
            }
        }
    }

    /// <summary>
    /// The rows <c>[W_(k+1)]</c> of block <c>k</c> (in block <c>k</c>'s columns into <paramref name="left"/>, in
    /// block <c>k+1</c>'s into <paramref name="right"/>, whose first row is the panel's row <c>p</c>) and the
    /// <c>y_k</c> columns of block <c>k+1</c>'s <c>[X]</c> and <c>[Y]</c> rows, which sit below block <c>k</c>
    /// in <paramref name="left"/>. Both are assumed zero where nothing is written.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void CouplingRows(int k, in PanelShape shape, Span<double> left, Span<double> right)
    {
        LayerDerivatives next = derivatives.Layer(k + 1);
        int p = shape.ParameterCount;
        int m = shape.StateCount;
        int n = shape.Size;
        int a = m / count;
        int nextP = next.ParameterCount;
        int nextA = next.OutputSize;
        int nextM = k + 2 < depth ? count * nextA : 0;
        int nextN = shape.NextSize;

        // A block not stored is zero, as the destinations are: its loops write nothing.
        int xzzColumns = next.Has(SecondDerivativeBlocks.Xzz) ? a : 0;
        int xzxRows = next.Has(SecondDerivativeBlocks.Xzx) ? nextP : 0;
        for (int e = 0; e < count; e++)
        {
            ReadOnlySpan<double> xzz = xzzColumns > 0 ? next.XzzBlock(e) : default;
            ReadOnlySpan<double> xzx = xzxRows > 0 ? next.XzxBlock(e) : default;
            ReadOnlySpan<double> dz = nextM > 0 ? next.DzBlock(e) : default;
            for (int j = 0; j < a; j++)
            {
                // [W_(k+1)]: w_k - Xzz_(k+1) y_k - Xzx_(k+1)^T x_(k+1) - Dz_(k+1)^T w_(k+1).
                int row = p + m + (e * a) + j;
                Span<double> leftRow = left.Slice(row * n, n);
                leftRow[p + (e * a) + j] = 1;
                for (int c = 0; c < xzzColumns; c++)
                {
                    leftRow[p + m + (e * a) + c] = -xzz[(j * a) + c];
                }

                Span<double> rightRow = right.Slice((row - p) * nextN, nextN);
                for (int r = 0; r < xzxRows; r++)
                {
                    rightRow[r] = -xzx[(r * a) + j];
                }

                for (int i = 0; i < nextA && nextM > 0; i++)
                {
                    rightRow[nextP + (e * nextA) + i] = -dz[(i * a) + j];
                }

                // [X_(k+1)]: Xzx_(k+1) y_k, and [Y_(k+1)]: -Dz_(k+1) y_k.
                int column = p + m + (e * a) + j;
                for (int r = 0; r < xzxRows; r++)
                {
                    left[((n + r) * n) + column] = xzx[(r * a) + j];
                }

                for (int i = 0; i < nextA && nextM > 0; i++)
                {
                    left[((n + nextP + (e * nextA) + i) * n) + column] = -dz[(i * a) + j];
                }
            }
        }
    }
}
