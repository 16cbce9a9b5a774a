using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Simd = System.Numerics.Vector;

namespace HessianCodegen.LinearAlgebra;

/// <summary>
/// <c>C += alpha A^T B</c> on the upper triangle of a small <c>C</c> (the Riccati update <c>E -= Y^T M^-1 Y</c> at batch 1,
/// where the state has a layer's width: order 8 or 16), straight from <c>A</c> and <c>B</c> as they lie, <c>inner</c> rows
/// of <c>order</c> values. At these orders <see cref="PackedUpperUpdate"/>'s packing of both operands and its 6 x 8 tiles
/// (an 8 x 8 triangle is two tile rows, the second mostly padding) cost several times the arithmetic. Four rows of <c>C</c>
/// at a time, one vector of columns at a time, each summed over all <c>inner</c> terms in registers: per term one load of
/// <c>B</c>'s row and four broadcasts of <c>A</c>'s.
/// </summary>
internal static class SmallUpperUpdate
{
    /// <summary>The largest order the Riccati recursion gives this kernel (from there on <see cref="PackedUpperUpdate"/>).</summary>
    internal const int Limit = 16;

    /// <summary>
    /// <c>c[i, j] += alpha sum_k a[k, i] b[k, j]</c> for <c>j &gt;= i</c>; the strict lower triangle and the padding of the rows
    /// are left as they were. <c>a</c> and <c>b</c> are <paramref name="inner"/> x <paramref name="order"/>, <c>c</c>
    /// <paramref name="order"/> x <paramref name="order"/>, row-major with the strides given.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AddUpper(int order, int inner, double alpha, ReadOnlySpan<double> a, int aStride, ReadOnlySpan<double> b, int bStride,
        Span<double> c, int cStride)
    {
        if (order < 0 || inner < 0 || (order > 0 && inner > 0 && (aStride < order || bStride < order || cStride < order
            || a.Length < ((inner - 1) * aStride) + order || b.Length < ((inner - 1) * bStride) + order))
            || (order > 0 && c.Length < ((order - 1) * cStride) + order))
        {
            throw new ArgumentException($"An upper update of order {order} over {inner} terms: operands too short or strides " +
                $"(a {aStride}, b {bStride}, c {cStride}) shorter than a row.");
        }

        if (order == 0 || inner == 0)
        {
            return;
        }

        // Every access below stays inside the bounds checked above.
        ref double aStart = ref MemoryMarshal.GetReference(a);
        ref double bStart = ref MemoryMarshal.GetReference(b);
        ref double cStart = ref MemoryMarshal.GetReference(c);
        int width = Vector<double>.Count;
        // Whole vectors of columns where a vector holds a multiple of four (AVX: 4, AVX-512: 8), else (two) none.
        int vectorColumns = width % 4 == 0 ? order / width * width : 0;
        Vector<long> lanes = Vector<long>.Indices;
        // The rows past the last block of four start past the last whole vector of columns (a multiple of four), so
        // the entry by entry loop below covers them.
        for (int row = 0; row + 4 <= order; row += 4)
        {
            // The vectors of columns that reach the upper triangle of these rows.
            for (int column = row / width * width; column < vectorColumns; column += width)
            {
                Vector<double> s0 = Vector<double>.Zero, s1 = Vector<double>.Zero, s2 = Vector<double>.Zero, s3 = Vector<double>.Zero;
                for (int k = 0; k < inner; k++)
                {
                    Vector<double> bk = Simd.LoadUnsafe(ref Unsafe.Add(ref bStart, (k * bStride) + column));
                    ref double ak = ref Unsafe.Add(ref aStart, (k * aStride) + row);
                    s0 = Simd.FusedMultiplyAdd(new Vector<double>(ak), bk, s0);
                    s1 = Simd.FusedMultiplyAdd(new Vector<double>(Unsafe.Add(ref ak, 1)), bk, s1);
                    s2 = Simd.FusedMultiplyAdd(new Vector<double>(Unsafe.Add(ref ak, 2)), bk, s2);
                    s3 = Simd.FusedMultiplyAdd(new Vector<double>(Unsafe.Add(ref ak, 3)), bk, s3);
                }

                Vector<long> columns = lanes + new Vector<long>(column);
                Store(ref cStart, cStride, row, column, alpha, s0, columns);
                Store(ref cStart, cStride, row + 1, column, alpha, s1, columns);
                Store(ref cStart, cStride, row + 2, column, alpha, s2, columns);
                Store(ref cStart, cStride, row + 3, column, alpha, s3, columns);
            }
        }

        // The columns past the last whole vector, entry by entry: the last rows' whole triangle.
        for (int column = vectorColumns; column < order; column++)
        {
            for (int i = 0; i <= column; i++)
            {
                double sum = 0;
                for (int k = 0; k < inner; k++)
                {
                    sum += Unsafe.Add(ref aStart, (k * aStride) + i) * Unsafe.Add(ref bStart, (k * bStride) + column);
                }

                Unsafe.Add(ref cStart, (i * cStride) + column) += alpha * sum;
            }
        }
    }

    /// <summary><c>c[row, column..] += alpha sum</c> where the column is at least the row (the upper triangle).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(ref double cStart, int cStride, int row, int column, double alpha, Vector<double> sum, Vector<long> columns)
    {
        ref double target = ref Unsafe.Add(ref cStart, (row * cStride) + column);
        Vector<double> old = Simd.LoadUnsafe(ref target);
        Vector<double> updated = Simd.FusedMultiplyAdd(new Vector<double>(alpha), sum, old);
        Simd.ConditionalSelect(Simd.AsVectorDouble(Simd.GreaterThanOrEqual(columns, new Vector<long>(row))), updated, old).StoreUnsafe(ref target);
    }
}
