using System;
using System.Threading.Tasks;

namespace HessianCodegen.LinearAlgebra;

/// <summary>
/// <see cref="PackedGemm"/> on every core: <c>c</c> is cut into one band of rows (or of columns, when it is
/// wider than tall) per core, and the bands, independent of each other, are computed side by side.
/// </summary>
/// <remarks>
/// A span cannot be handed to another thread, so the operands are pinned for the duration of the call
/// and each band rebuilds its spans from their addresses: the one unsafe code of the runtime.
/// </remarks>
internal static class ParallelGemm
{
    /// <summary>
    /// Flops (<c>2 rows columns inner</c>) from which <see cref="Gemm"/> uses every core, about 3 ms of one core's work.
    /// Measured on the shared two-core machine (load 12, squares by wall time): two cores took 0.5-0.8 x the time
    /// of one up to 8e6 flops, 0.6-1.2 x from 1.6e7 to 1.3e8; so only products past that range go parallel, where
    /// the start of the second core is surely small against the work.
    /// </summary>
    public const double Threshold = 1e8;

    /// <summary><c>c = beta c + alpha op(a) op(b)</c> as <see cref="Gemm.Multiply"/> defines it, for positive sizes whose spans <see cref="Gemm"/> has checked.</summary>
    public static unsafe void Multiply(bool transposeA, bool transposeB, int rows, int columns, int inner, double alpha,
        ReadOnlySpan<double> a, int aStride, ReadOnlySpan<double> b, int bStride, double beta, Span<double> c, int cStride)
    {
        int cores = Environment.ProcessorCount;
        bool byRows = rows >= columns;
        int tile = byRows ? GemmMicroKernel.Rows : GemmMicroKernel.Columns;
        int extent = byRows ? rows : columns;
        int band = (extent + (cores * tile) - 1) / (cores * tile) * tile;
        int bands = (extent + band - 1) / band;
        int aLength = a.Length, bLength = b.Length, cLength = c.Length;
        fixed (double* aPinned = a, bPinned = b, cPinned = c)
        {
            nint aAddress = (nint)aPinned, bAddress = (nint)bPinned, cAddress = (nint)cPinned;
            Parallel.For(0, bands, index =>
            {
                var aAll = new ReadOnlySpan<double>((void*)aAddress, aLength);
                var bAll = new ReadOnlySpan<double>((void*)bAddress, bLength);
                var cAll = new Span<double>((void*)cAddress, cLength);
                int first = index * band;
                int count = Math.Min(band, extent - first);
                if (byRows)
                {
                    // Rows first..first+count of op(a) and of c.
                    ReadOnlySpan<double> aBand = aAll[(transposeA ? first : first * aStride)..];
                    PackedGemm.Multiply(transposeA, transposeB, count, columns, inner, alpha, aBand, aStride, bAll, bStride, beta,
                        cAll[(first * cStride)..], cStride);
                }
                else
                {
                    // Columns first..first+count of op(b) and of c.
                    ReadOnlySpan<double> bBand = bAll[(transposeB ? first * bStride : first)..];
                    PackedGemm.Multiply(transposeA, transposeB, rows, count, inner, alpha, aAll, aStride, bBand, bStride, beta,
                        cAll[first..], cStride);
                }
            });
        }
    }
}
