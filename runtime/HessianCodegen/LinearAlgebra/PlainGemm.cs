using System;
using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace HessianCodegen.LinearAlgebra;

/// <summary>
/// The portable product behind <see cref="Gemm"/> where the machine lacks AVX2 or FMA, and for products up to <see cref="Gemm.SmallProduct"/>: row by row of <c>c</c>,
/// each a combination of rows of <c>op(b)</c> in <see cref="Vector{T}"/> registers of whatever width the
/// machine has; a row of <c>c</c> of up to 16 columns stays in registers across its terms. A transposed <c>b</c> is first copied
/// into that row form.
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
            if (RowFitsInRegisters(columns))
            {
                AddRowsInRegisters(transposeA, rows, columns, inner, alpha, a, aStride, b, bStride, c, cStride);
            }
            else
            {
                AddRowCombinations(transposeA, rows, columns, inner, alpha, a, aStride, b, bStride, c, cStride);
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

    /// <summary>
    /// <c>c += alpha op(a) b</c> (<c>c</c> scaled already): each row of <c>c</c> plus the rows of <c>b</c> times its coefficients, one term
    /// at a time, a zero coefficient skipped.
    /// </summary>
    internal static void AddRowCombinations(bool transposeA, int rows, int columns, int inner, double alpha, ReadOnlySpan<double> a, int aStride,
        ReadOnlySpan<double> b, int bStride, Span<double> c, int cStride)
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

    /// <summary>
    /// Whether <see cref="AddRowsInRegisters"/> takes rows of <paramref name="columns"/>: whole <see cref="Vector256{T}"/>s, at most four
    /// (the <c>m x a_in x a</c> products of <c>P Dz</c> at width 8, batch 1, 8 columns).
    /// </summary>
    internal static bool RowFitsInRegisters(int columns) =>
        Vector256.IsHardwareAccelerated && columns > 0 && columns <= 4 * Vector256<double>.Count && columns % Vector256<double>.Count == 0;

    /// <summary>
    /// <see cref="AddRowCombinations"/> with each row of <c>c</c> held in up to four registers across the inner terms, where that loop
    /// loaded and stored it once per term (the call of <see cref="Multiply"/> for <c>P Dz</c> took
    /// 4 % of a width-8 batch-1 factorization): the same products added one at a time in the same order, a zero coefficient
    /// skipped, so the same bits.
    /// </summary>
    internal static void AddRowsInRegisters(bool transposeA, int rows, int columns, int inner, double alpha, ReadOnlySpan<double> a, int aStride,
        ReadOnlySpan<double> b, int bStride, Span<double> c, int cStride)
    {
        if (!RowFitsInRegisters(columns))
        {
            throw new ArgumentOutOfRangeException(nameof(columns), columns, "Rows of 4, 8, 12 or 16 columns fit in registers (with 256-bit vectors).");
        }

        int vectors = columns / Vector256<double>.Count;
        for (int i = 0; i < rows; i++)
        {
            Span<double> row = c.Slice(i * cStride, columns);
            Vector256<double> s0 = Vector256.Create<double>(row);
            Vector256<double> s1 = vectors > 1 ? Vector256.Create<double>(row[4..]) : default;
            Vector256<double> s2 = vectors > 2 ? Vector256.Create<double>(row[8..]) : default;
            Vector256<double> s3 = vectors > 3 ? Vector256.Create<double>(row[12..]) : default;
            for (int k = 0; k < inner; k++)
            {
                double factor = alpha * (transposeA ? a[(k * aStride) + i] : a[(i * aStride) + k]);
                if (factor == 0)
                {
                    continue;
                }

                var scale = Vector256.Create(factor);
                ReadOnlySpan<double> source = b.Slice(k * bStride, columns);
                s0 += scale * Vector256.Create<double>(source);
                if (vectors > 1)
                {
                    s1 += scale * Vector256.Create<double>(source[4..]);
                }

                if (vectors > 2)
                {
                    s2 += scale * Vector256.Create<double>(source[8..]);
                }

                if (vectors > 3)
                {
                    s3 += scale * Vector256.Create<double>(source[12..]);
                }
            }

            s0.CopyTo(row);
            if (vectors > 1)
            {
                s1.CopyTo(row[4..]);
            }

            if (vectors > 2)
            {
                s2.CopyTo(row[8..]);
            }

            if (vectors > 3)
            {
                s3.CopyTo(row[12..]);
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
