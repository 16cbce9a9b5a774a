using System;
using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace HessianCodegen.LinearAlgebra;

/// <summary>
/// The portable product behind <see cref="Gemm"/> where the machine lacks AVX2 or FMA, and for products up to <see cref="Gemm.SmallProduct"/>: row by row of <c>c</c>,
/// each a combination of rows of <c>op(b)</c> in <see cref="Vector{T}"/> registers of whatever width the
/// machine has. A transposed <c>b</c> is first copied into that row form.
/// </summary>
internal static class PlainGemm
{
    /// <summary><c>c = beta c + alpha op(a) op(b)</c> as <see cref="Gemm.Multiply"/> defines it, for positive sizes whose spans <see cref="Gemm"/> has checked.</summary>
    public static void Multiply(bool transposeA, bool transposeB, int rows, int columns, int inner, double alpha,
        ReadOnlySpan<double> a, int aStride, ReadOnlySpan<double> b, int bStride, double beta, Span<double> c, int cStride)
    {
        Gemm.ScaleRows(rows, columns, beta, c, cStride);
        double[]? copy = null;
        if (transposeB)
        {
            copy = ArrayPool<double>.Shared.Rent(inner * columns);
            for (int j = 0; j < columns; j++)
            {
                for (int k = 0; k < inner; k++)
                {
                    copy[(k * columns) + j] = b[(j * bStride) + k];
                }
            }

            b = copy;
            bStride = columns;
        }

        try
        {
            for (int i = 0; i < rows; i++)
            {
                Span<double> row = c.Slice(i * cStride, columns);
                for (int k = 0; k < inner; k++)
                {
                    double factor = alpha * (transposeA ? a[(k * aStride) + i] : a[(i * aStride) + k]);
                    if (factor != 0)
                    {
                        AddScaled(row, factor, b.Slice(k * bStride, columns));
                    }
                }
            }
        }
        finally
        {
            if (copy is not null)
            {
                ArrayPool<double>.Shared.Return(copy);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddScaled(Span<double> target, double factor, ReadOnlySpan<double> source)
    {
        int width = Vector<double>.Count;
        var scale = new Vector<double>(factor);
        int j = 0;
        for (; j + width <= target.Length; j += width)
        {
            var sum = new Vector<double>(target.Slice(j)) + (scale * new Vector<double>(source.Slice(j)));
            sum.CopyTo(target.Slice(j));
        }

        for (; j < target.Length; j++)
        {
            target[j] += factor * source[j];
        }
    }
}
