using System;
using System.Threading.Tasks;

namespace HessianCodegen.LinearAlgebra;

/// <summary>
/// <see cref="MatrixKernels.SubtractProduct"/> on two cores: the columns of <c>c</c> and <c>b</c> are cut in two halves,
/// computed side by side (the sparse left factor is read by both). Operands are <see cref="Memory{T}"/>, which (unlike a
/// span) another thread may hold.
/// </summary>
internal static class ParallelSubtractProduct
{
    /// <summary>
    /// Flops of the product, counting the non-zeros of <c>a</c> only, from which the second core is used: a few hundred
    /// microseconds of one core. Issue 7's chain: a layer's <c>Dx^T P</c>, 72 x 512 with 64 non-zeros a row times 512 x 512,
    /// 4.7e6 flops. Not tuned on a quiet machine.
    /// </summary>
    public const double Threshold = 2e6;

    /// <summary>Columns a half must have at least: a multiple of the vector kernels' width, so neither half ends in short columns.</summary>
    private const int ColumnAlignment = 16;

    /// <summary><c>c -= a b</c> as <see cref="MatrixKernels.SubtractProduct"/> defines it.</summary>
    /// <returns>The floating-point operations performed.</returns>
    public static long SubtractProduct(Memory<double> c, int cStride, ReadOnlyMemory<double> a, int aStride,
        ReadOnlyMemory<double> b, int bStride, int rows, int inner, int columns)
    {
        long nonZeros = 0;
        ReadOnlySpan<double> aSpan = a.Span;
        for (int i = 0; i < rows; i++)
        {
            foreach (double value in aSpan.Slice(i * aStride, inner))
            {
                nonZeros += value != 0 ? 1 : 0;
            }
        }

        int half = columns / 2 / ColumnAlignment * ColumnAlignment;
        if (2.0 * nonZeros * columns < Threshold || Environment.ProcessorCount < 2 || half == 0)
        {
            return MatrixKernels.SubtractProduct(c.Span, cStride, aSpan, aStride, b.Span, bStride, rows, inner, columns);
        }

        long left = 0, right = 0;
        Parallel.Invoke(
            () => left = MatrixKernels.SubtractProduct(c.Span, cStride, a.Span, aStride, b.Span, bStride, rows, inner, half),
            () => right = MatrixKernels.SubtractProduct(c.Span[half..], cStride, a.Span, aStride, b.Span[half..], bStride, rows, inner, columns - half));
        return left + right;
    }
}
