using System;
using System.Buffers;

namespace HessianCodegen.LinearAlgebra;

/// <summary>
/// <see cref="Gemm"/> for a product known to be symmetric, formed in one triangle of <c>c</c> only (like the
/// BLAS extension <c>dgemmt</c>, and <c>dsyrk</c> when <c>b = a^T</c>): half the flops of the full product.
/// The triangle is cut into bands of <see cref="Band"/> rows; each band is one rectangular <see cref="Gemm"/>
/// beside its diagonal block, and the diagonal block is formed in scratch, of which only the triangle reaches
/// <c>c</c>. Entries of <c>c</c> outside the triangle are neither read nor written.
/// </summary>
internal static class TriangularGemm
{
    /// <summary>Rows per band: the diagonal blocks are formed whole, work beyond the triangle's in the ratio band / order.</summary>
    public const int Band = 48;

    /// <summary>
    /// <c>c = beta c + alpha op(a) op(b)</c> on the upper (<paramref name="upper"/>) or lower triangle, diagonal
    /// included, of the <paramref name="order"/>-square <c>c</c>; the arguments are those of <see cref="Gemm.Multiply"/>
    /// with <c>rows = columns = order</c>.
    /// </summary>
    public static void Multiply(bool upper, bool transposeA, bool transposeB, int order, int inner, double alpha,
        ReadOnlySpan<double> a, int aStride, ReadOnlySpan<double> b, int bStride, double beta, Span<double> c, int cStride)
    {
        if (order == 0)
        {
            return;
        }

        double[] scratch = ArrayPool<double>.Shared.Rent(Band * Band);
        try
        {
            for (int r0 = 0; r0 < order; r0 += Band)
            {
                int rows = Math.Min(Band, order - r0);

                // op(a)'s rows r0..r0+rows, and op(b)'s columns from column j on.
                ReadOnlySpan<double> aRows = From(a, transposeA ? r0 : r0 * aStride);

                // The rectangle beside the diagonal block: right of it in the upper triangle, left of it in the lower.
                int first = upper ? r0 + rows : 0;
                int width = upper ? order - first : r0;
                if (width > 0)
                {
                    Gemm.Multiply(transposeA, transposeB, rows, width, inner, alpha, aRows, aStride, From(b, transposeB ? first * bStride : first), bStride, beta,
                        c.Slice((r0 * cStride) + first), cStride);
                }

                Span<double> block = scratch.AsSpan(0, rows * rows);
                Gemm.Multiply(transposeA, transposeB, rows, rows, inner, alpha, aRows, aStride, From(b, transposeB ? r0 * bStride : r0), bStride, 0, block, rows);
                for (int i = 0; i < rows; i++)
                {
                    int j0 = upper ? i : 0;
                    int j1 = upper ? rows : i + 1;
                    Span<double> target = c.Slice(((r0 + i) * cStride) + r0, rows);
                    for (int j = j0; j < j1; j++)
                    {
                        double product = block[(i * rows) + j];
                        target[j] = beta == 0 ? product : (beta * target[j]) + product;
                    }
                }
            }
        }
        finally
        {
            ArrayPool<double>.Shared.Return(scratch);
        }
    }

    /// <summary>
    /// The values from <paramref name="offset"/> on; empty past the end, which only an operand without terms
    /// (<c>inner</c> 0) reaches, and which <see cref="Gemm"/> then does not read.
    /// </summary>
    private static ReadOnlySpan<double> From(ReadOnlySpan<double> values, int offset) => values[Math.Min(offset, values.Length)..];
}
