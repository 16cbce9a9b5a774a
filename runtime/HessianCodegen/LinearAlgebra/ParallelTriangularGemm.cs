using System;

namespace HessianCodegen.LinearAlgebra;

/// <summary>
/// <see cref="TriangularGemm"/> on two cores: the triangle is cut into two bands of rows of equal work, computed side
/// by side. Operands are <see cref="Memory{T}"/>, which (unlike a span) another thread may hold.
/// </summary>
internal static class ParallelTriangularGemm
{
    /// <summary>
    /// Flops (<c>order^2 inner</c>, the triangle's) from which the second core is used: a few hundred microseconds of one core,
    /// against tens for starting the second. Issue 7's chain (depth 16, batch 64) updates order 512 over 72 terms, 1.9e7 flops.
    /// Not tuned on a quiet machine: the shared one had a load of 10 to 20 while this was written.
    /// </summary>
    public const double Threshold = 4e6;

    /// <summary>
    /// <c>c = beta c + alpha op(a) op(b)</c> on one triangle of <c>c</c>, as <see cref="TriangularGemm.Multiply"/> defines it
    /// (the product must be symmetric for the result to mean anything beyond the triangle). The second band runs on
    /// <paramref name="worker"/>'s thread, or on the thread pool where there is none.
    /// </summary>
    public static void Multiply(bool upper, bool transposeA, bool transposeB, int order, int inner, double alpha,
        ReadOnlyMemory<double> a, int aStride, ReadOnlyMemory<double> b, int bStride, double beta, Memory<double> c, int cStride,
        TwoCoreWorker? worker = null)
    {
        if ((double)order * order * inner < Threshold || Environment.ProcessorCount < 2 || order < 2 * TriangularGemm.Band)
        {
            TriangularGemm.Multiply(upper, transposeA, transposeB, order, inner, alpha, a.Span, aStride, b.Span, bStride, beta, c.Span, cStride);
            return;
        }

        // The band with the full rectangle beside its triangle takes 1 - 1/sqrt(2) of the rows (upper: the first rows, lower:
        // the last ones), so that both bands hold half of the triangle's entries; a multiple of the Gemm tile's rows.
        int outer = TriangleSplit.HalfOfUpper(order, GemmMicroKernel.Rows);
        int split = upper ? outer : order - outer;
        TwoCoreWorker.Fork(worker,
            () => Band(upper, transposeA, transposeB, order, inner, alpha, a.Span, aStride, b.Span, bStride, beta, c.Span, cStride, 0, split),
            () => Band(upper, transposeA, transposeB, order, inner, alpha, a.Span, aStride, b.Span, bStride, beta, c.Span, cStride, split, order));
    }

    /// <summary>Rows <paramref name="first"/> to <paramref name="end"/> of the triangle: their diagonal block's triangle, and the rectangle beside it.</summary>
    private static void Band(bool upper, bool transposeA, bool transposeB, int order, int inner, double alpha,
        ReadOnlySpan<double> a, int aStride, ReadOnlySpan<double> b, int bStride, double beta, Span<double> c, int cStride, int first, int end)
    {
        int rows = end - first;
        ReadOnlySpan<double> aRows = a[(transposeA ? first : first * aStride)..];
        TriangularGemm.Multiply(upper, transposeA, transposeB, rows, inner, alpha, aRows, aStride, b[(transposeB ? first * bStride : first)..], bStride,
            beta, c[((first * cStride) + first)..], cStride);
        int column = upper ? end : 0;
        int width = upper ? order - end : first;
        if (width > 0)
        {
            Gemm.Multiply(transposeA, transposeB, rows, width, inner, alpha, aRows, aStride, b[(transposeB ? column * bStride : column)..], bStride, beta,
                c[((first * cStride) + column)..], cStride);
        }
    }
}
