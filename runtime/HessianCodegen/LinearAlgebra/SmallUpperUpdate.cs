using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace HessianCodegen.LinearAlgebra;

/// <summary>
/// <c>C += alpha A^T B</c> on the upper triangle of a small <c>C</c> (the Riccati update <c>E -= Y^T M^-1 Y</c> on one core up
/// to state order <see cref="Limit"/>: at batch 1, where the state has a layer's width, order 8 or 16, and at batch 8, 64 or
/// 128), straight from <c>A</c> and <c>B</c> as they lie, <c>inner</c> rows of <c>order</c> values. At batch 1
/// <see cref="PackedUpperUpdate"/>'s packing of both operands and its 6 x 8 tiles (an 8 x 8 triangle is two tile rows, the
/// second mostly padding) cost several times the arithmetic; at batch 8 its packing and its 256-bit tiles took longer than
/// this kernel's 512-bit blocks. Four rows of <c>C</c> at a time, one vector of columns at a time (4 columns at 256 bits;
/// 16, two vectors, at 512 while two fit, else 8), each summed over all <c>inner</c> terms in registers: per term one load
/// of <c>B</c>'s row per vector and four broadcasts of <c>A</c>'s.
/// </summary>
internal static class SmallUpperUpdate
{
    /// <summary>
    /// The largest order the Riccati recursion gives this kernel on one core at vectors of <paramref name="vectorBits"/> (from there
    /// on <see cref="PackedUpperUpdate"/>, or <see cref="TriangularGemm"/> past its terms). At 512 bits: at width 8, batch 8 (order
    /// 64, 72 terms) the factorization took 10.1 to 9.1 ms of cpu at depth 128, at width 16, batch 8 (order 128, 272 or 16 terms)
    /// 117 to 101 (scratch loop, medians, runs alternating with the build before); batch 1 (order 8) unchanged. At 256 bits
    /// (<c>DOTNET_PreferredVectorBitWidth=256</c>, scratch loop, median of 31, both kernels in one run): 13.4 against 23.1 us for
    /// the packed update at order 64 (72 terms), 9.0 against 19.0 at 128 (16 terms), 247 against 528 for
    /// <see cref="TriangularGemm"/> at 128 (272 terms). At 0 (plain loops) 16, as before batch 8: ARM64 was not measured, and
    /// on x86 without vectors (<c>DOTNET_EnableAVX=0</c>) the loops lost from order 64 on (129 against 114 us). Orders above
    /// 128 were not measured.
    /// </summary>
    internal static int Limit(int vectorBits) => vectorBits == 0 ? 16 : 128;

    /// <summary>
    /// <c>c[i, j] += alpha sum_k a[k, i] b[k, j]</c> for <c>j &gt;= i</c>; the strict lower triangle and the padding of the rows
    /// are left as they were. <c>a</c> and <c>b</c> are <paramref name="inner"/> x <paramref name="order"/>, <c>c</c>
    /// <paramref name="order"/> x <paramref name="order"/>, row-major with the strides given.
    /// </summary>
    public static void AddUpper(int order, int inner, double alpha, ReadOnlySpan<double> a, int aStride, ReadOnlySpan<double> b, int bStride,
        Span<double> c, int cStride) =>
        AddUpper(order, inner, alpha, a, aStride, b, bStride, c, cStride, VectorWidth.Hardware);

    /// <summary>
    /// <see cref="AddUpper(int, int, double, ReadOnlySpan{double}, int, ReadOnlySpan{double}, int, Span{double}, int)"/> with vectors
    /// of <paramref name="vectorBits"/> columns (512, 256, or 0 for plain loops; at most <see cref="VectorWidth.Hardware"/>): the tests
    /// take each.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void AddUpper(int order, int inner, double alpha, ReadOnlySpan<double> a, int aStride, ReadOnlySpan<double> b, int bStride,
        Span<double> c, int cStride, int vectorBits)
    {
        if (order < 0 || inner < 0 || (order > 0 && inner > 0 && (aStride < order || bStride < order || cStride < order
            || a.Length < ((inner - 1) * aStride) + order || b.Length < ((inner - 1) * bStride) + order))
            || (order > 0 && c.Length < ((order - 1) * cStride) + order))
        {
            throw new ArgumentException($"An upper update of order {order} over {inner} terms: operands too short or strides " +
                $"(a {aStride}, b {bStride}, c {cStride}) shorter than a row.");
        }

        VectorWidth.Validate(vectorBits);
        if (order == 0 || inner == 0)
        {
            return;
        }

        // Every access below stays inside the bounds checked above.
        ref double aStart = ref MemoryMarshal.GetReference(a);
        ref double bStart = ref MemoryMarshal.GetReference(b);
        ref double cStart = ref MemoryMarshal.GetReference(c);
        // Whole vectors of columns: 8 (512 bits), 4 (256), else none (plain loops). Either width is a multiple of four, so the rows past the last block of four start past the
        // last whole vector of columns, and the entry by entry loop below covers them.
        int width = vectorBits / 64;
        int vectorColumns = width == 0 ? 0 : order / width * width;
        for (int row = 0; row + 4 <= order && width > 0; row += 4)
        {
            // The vectors of columns that reach the upper triangle of these rows.
            for (int column = row / width * width; column < vectorColumns; column += width)
            {
                if (width == 8 && column + 16 <= vectorColumns)
                {
                    AddWideBlock512(ref aStart, aStride, ref bStart, bStride, ref cStart, cStride, inner, alpha, row, column);
                    column += width;
                }
                else if (width == 8)
                {
                    AddBlock512(ref aStart, aStride, ref bStart, bStride, ref cStart, cStride, inner, alpha, row, column);
                }
                else
                {
                    AddBlock256(ref aStart, aStride, ref bStart, bStride, ref cStart, cStride, inner, alpha, row, column);
                }
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

    /// <summary>Rows <c>row .. row + 3</c> of <c>c</c> at columns <c>column .. column + 3</c>, each summed over all terms in registers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddBlock256(ref double aStart, int aStride, ref double bStart, int bStride, ref double cStart, int cStride, int inner,
        double alpha, int row, int column)
    {
        Vector256<double> s0 = Vector256<double>.Zero, s1 = Vector256<double>.Zero, s2 = Vector256<double>.Zero, s3 = Vector256<double>.Zero;
        for (int k = 0; k < inner; k++)
        {
            Vector256<double> bk = Vector256.LoadUnsafe(ref Unsafe.Add(ref bStart, (k * bStride) + column));
            ref double ak = ref Unsafe.Add(ref aStart, (k * aStride) + row);
            s0 = Vector256.FusedMultiplyAdd(Vector256.Create(ak), bk, s0);
            s1 = Vector256.FusedMultiplyAdd(Vector256.Create(Unsafe.Add(ref ak, 1)), bk, s1);
            s2 = Vector256.FusedMultiplyAdd(Vector256.Create(Unsafe.Add(ref ak, 2)), bk, s2);
            s3 = Vector256.FusedMultiplyAdd(Vector256.Create(Unsafe.Add(ref ak, 3)), bk, s3);
        }

        Vector256<long> columns = Vector256<long>.Indices + Vector256.Create((long)column);
        Store256(ref cStart, cStride, row, column, alpha, s0, columns);
        Store256(ref cStart, cStride, row + 1, column, alpha, s1, columns);
        Store256(ref cStart, cStride, row + 2, column, alpha, s2, columns);
        Store256(ref cStart, cStride, row + 3, column, alpha, s3, columns);
    }

    /// <summary><see cref="AddBlock256"/> at columns <c>column .. column + 7</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddBlock512(ref double aStart, int aStride, ref double bStart, int bStride, ref double cStart, int cStride, int inner,
        double alpha, int row, int column)
    {
        Vector512<double> s0 = Vector512<double>.Zero, s1 = Vector512<double>.Zero, s2 = Vector512<double>.Zero, s3 = Vector512<double>.Zero;
        for (int k = 0; k < inner; k++)
        {
            Vector512<double> bk = Vector512.LoadUnsafe(ref Unsafe.Add(ref bStart, (k * bStride) + column));
            ref double ak = ref Unsafe.Add(ref aStart, (k * aStride) + row);
            s0 = Vector512.FusedMultiplyAdd(Vector512.Create(ak), bk, s0);
            s1 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref ak, 1)), bk, s1);
            s2 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref ak, 2)), bk, s2);
            s3 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref ak, 3)), bk, s3);
        }

        Vector512<long> columns = Vector512<long>.Indices + Vector512.Create((long)column);
        Store512(ref cStart, cStride, row, column, alpha, s0, columns);
        Store512(ref cStart, cStride, row + 1, column, alpha, s1, columns);
        Store512(ref cStart, cStride, row + 2, column, alpha, s2, columns);
        Store512(ref cStart, cStride, row + 3, column, alpha, s3, columns);
    }

    /// <summary>
    /// <see cref="AddBlock512"/> at columns <c>column .. column + 15</c>: two vectors per row, so that each broadcast of <c>A</c>
    /// feeds two multiply-adds (eight accumulators; the loads per multiply-add fall from 5 / 4 to 6 / 8).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddWideBlock512(ref double aStart, int aStride, ref double bStart, int bStride, ref double cStart, int cStride, int inner,
        double alpha, int row, int column)
    {
        RegisterTile512 tile = default;
        tile.AddProducts(ref Unsafe.Add(ref bStart, column), bStride, ref Unsafe.Add(ref aStart, row), aStride, 1, inner);
        Vector512<long> columns = Vector512<long>.Indices + Vector512.Create((long)column);
        Vector512<long> nextColumns = columns + Vector512.Create(8L);
        Store512(ref cStart, cStride, row, column, alpha, tile.Row0Left, columns);
        Store512(ref cStart, cStride, row + 1, column, alpha, tile.Row1Left, columns);
        Store512(ref cStart, cStride, row + 2, column, alpha, tile.Row2Left, columns);
        Store512(ref cStart, cStride, row + 3, column, alpha, tile.Row3Left, columns);
        Store512(ref cStart, cStride, row, column + 8, alpha, tile.Row0Right, nextColumns);
        Store512(ref cStart, cStride, row + 1, column + 8, alpha, tile.Row1Right, nextColumns);
        Store512(ref cStart, cStride, row + 2, column + 8, alpha, tile.Row2Right, nextColumns);
        Store512(ref cStart, cStride, row + 3, column + 8, alpha, tile.Row3Right, nextColumns);
    }

    /// <summary><c>c[row, column..] += alpha sum</c> where the column is at least the row (the upper triangle).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store256(ref double cStart, int cStride, int row, int column, double alpha, Vector256<double> sum, Vector256<long> columns)
    {
        ref double target = ref Unsafe.Add(ref cStart, (row * cStride) + column);
        Vector256<double> old = Vector256.LoadUnsafe(ref target);
        Vector256<double> updated = Vector256.FusedMultiplyAdd(Vector256.Create(alpha), sum, old);
        Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(columns, Vector256.Create((long)row)).AsDouble(), updated, old).StoreUnsafe(ref target);
    }

    /// <summary><see cref="Store256"/> of eight columns.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store512(ref double cStart, int cStride, int row, int column, double alpha, Vector512<double> sum, Vector512<long> columns)
    {
        ref double target = ref Unsafe.Add(ref cStart, (row * cStride) + column);
        Vector512<double> old = Vector512.LoadUnsafe(ref target);
        Vector512<double> updated = Vector512.FusedMultiplyAdd(Vector512.Create(alpha), sum, old);
        Vector512.ConditionalSelect(Vector512.GreaterThanOrEqual(columns, Vector512.Create((long)row)).AsDouble(), updated, old).StoreUnsafe(ref target);
    }
}
