using System;
using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace HessianCodegen.LinearAlgebra;

/// <summary>
/// The general matrix product of BLAS <c>dgemm</c> on row-major spans:
/// <c>c = beta c + alpha op(a) op(b)</c>, where <c>op</c> transposes its argument when asked.
/// The one entry point every dense product of the runtime goes through, so that its speed is
/// one kernel's concern.
/// </summary>
internal static class Gemm
{
    /// <summary>
    /// <c>c = beta c + alpha op(a) op(b)</c> with <c>op(a)</c> <paramref name="rows"/> x <paramref name="inner"/>,
    /// <c>op(b)</c> <paramref name="inner"/> x <paramref name="columns"/> and <c>c</c>
    /// <paramref name="rows"/> x <paramref name="columns"/>. Each matrix is row-major with its rows
    /// <paramref name="aStride"/>, <paramref name="bStride"/>, <paramref name="cStride"/> values apart (the
    /// leading dimensions of row-major BLAS); <paramref name="transposeA"/> means <c>a</c> is stored as
    /// <c>inner x rows</c>, <paramref name="transposeB"/> that <c>b</c> is stored as <c>columns x inner</c>.
    /// With <paramref name="beta"/> 0, <c>c</c> is overwritten (NaN in it does not propagate).
    /// </summary>
    public static void Multiply(bool transposeA, bool transposeB, int rows, int columns, int inner, double alpha,
        ReadOnlySpan<double> a, int aStride, ReadOnlySpan<double> b, int bStride, double beta, Span<double> c, int cStride)
    {
        Check(rows, columns, inner, a, aStride, transposeA ? inner : rows, transposeA ? rows : inner, nameof(a));
        Check(rows, columns, inner, b, bStride, transposeB ? columns : inner, transposeB ? inner : columns, nameof(b));
        Check(rows, columns, inner, c, cStride, rows, columns, nameof(c));
        if (rows == 0 || columns == 0)
        {
            return;
        }

        for (int i = 0; i < rows; i++)
        {
            Span<double> row = c.Slice(i * cStride, columns);
            if (beta == 0)
            {
                row.Clear();
            }
            else if (beta != 1)
            {
                Scale(row, beta);
            }
        }

        if (inner == 0 || alpha == 0)
        {
            return;
        }

        // The kernel below streams rows of op(b); a transposed b is copied once into that form.
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
            // Register-blocked tiles of c, 4 rows by 16 columns in 512-bit vectors and then by 8 in 256-bit
            // ones where the hardware has them; then the edges row by row.
            int wideColumns = Vector512.IsHardwareAccelerated ? columns - (columns % (2 * TileColumns)) : 0;
            int tiledRows = Vector256.IsHardwareAccelerated ? rows - (rows % TileRows) : 0;
            int tiledColumns = Vector256.IsHardwareAccelerated ? columns - (columns % TileColumns) : 0;
            for (int i = 0; i < tiledRows; i += TileRows)
            {
                for (int j = 0; j < wideColumns; j += 2 * TileColumns)
                {
                    AddWideTile(transposeA, inner, alpha, a, aStride, i, b, bStride, j, c, cStride);
                }

                for (int j = wideColumns; j < tiledColumns; j += TileColumns)
                {
                    AddTile(transposeA, inner, alpha, a, aStride, i, b, bStride, j, c, cStride);
                }
            }

            for (int i = 0; i < rows; i++)
            {
                int from = i < tiledRows ? tiledColumns : 0;
                if (from == columns)
                {
                    continue;
                }

                Span<double> row = c.Slice((i * cStride) + from, columns - from);
                for (int k = 0; k < inner; k++)
                {
                    double factor = alpha * (transposeA ? a[(k * aStride) + i] : a[(i * aStride) + k]);
                    if (factor != 0)
                    {
                        AddScaled(row, factor, b.Slice((k * bStride) + from, columns - from));
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

    private const int TileRows = 4;
    private const int TileColumns = 8;

    /// <summary>
    /// <c>c[i..i+4, j..j+8] += alpha op(a)[i..i+4, :] b[:, j..j+8]</c> with <c>b</c> in row form: eight vector
    /// accumulators stay in registers over the whole inner dimension. The bounds were checked by the caller.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddTile(bool transposeA, int inner, double alpha, ReadOnlySpan<double> a, int aStride, int i,
        ReadOnlySpan<double> b, int bStride, int j, Span<double> c, int cStride)
    {
        ref double aStart = ref MemoryMarshal.GetReference(a);
        ref double bStart = ref MemoryMarshal.GetReference(b);
        ref double cStart = ref MemoryMarshal.GetReference(c);
        Vector256<double> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector256<double> c20 = default, c21 = default, c30 = default, c31 = default;
        nuint rowStep = transposeA ? 1 : (nuint)aStride;
        nuint innerStep = transposeA ? (nuint)aStride : 1;
        nuint aRow = transposeA ? (nuint)i : (nuint)i * (nuint)aStride;
        for (int k = 0; k < inner; k++)
        {
            nuint bAt = ((nuint)k * (nuint)bStride) + (nuint)j;
            Vector256<double> b0 = Vector256.LoadUnsafe(ref bStart, bAt);
            Vector256<double> b1 = Vector256.LoadUnsafe(ref bStart, bAt + 4);
            nuint aAt = aRow + ((nuint)k * innerStep);
            var a0 = Vector256.Create(Unsafe.Add(ref aStart, aAt));
            var a1 = Vector256.Create(Unsafe.Add(ref aStart, aAt + rowStep));
            var a2 = Vector256.Create(Unsafe.Add(ref aStart, aAt + (2 * rowStep)));
            var a3 = Vector256.Create(Unsafe.Add(ref aStart, aAt + (3 * rowStep)));
            c00 = MultiplyAdd(a0, b0, c00);
            c01 = MultiplyAdd(a0, b1, c01);
            c10 = MultiplyAdd(a1, b0, c10);
            c11 = MultiplyAdd(a1, b1, c11);
            c20 = MultiplyAdd(a2, b0, c20);
            c21 = MultiplyAdd(a2, b1, c21);
            c30 = MultiplyAdd(a3, b0, c30);
            c31 = MultiplyAdd(a3, b1, c31);
        }

        var scale = Vector256.Create(alpha);
        AddScaledTileRow(ref cStart, ((nuint)i * (nuint)cStride) + (nuint)j, scale, c00, c01);
        AddScaledTileRow(ref cStart, ((nuint)(i + 1) * (nuint)cStride) + (nuint)j, scale, c10, c11);
        AddScaledTileRow(ref cStart, ((nuint)(i + 2) * (nuint)cStride) + (nuint)j, scale, c20, c21);
        AddScaledTileRow(ref cStart, ((nuint)(i + 3) * (nuint)cStride) + (nuint)j, scale, c30, c31);
    }

    /// <summary>The tile of <see cref="AddTile"/> 16 columns wide, in 512-bit vectors.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddWideTile(bool transposeA, int inner, double alpha, ReadOnlySpan<double> a, int aStride, int i,
        ReadOnlySpan<double> b, int bStride, int j, Span<double> c, int cStride)
    {
        ref double aStart = ref MemoryMarshal.GetReference(a);
        ref double bStart = ref MemoryMarshal.GetReference(b);
        ref double cStart = ref MemoryMarshal.GetReference(c);
        Vector512<double> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector512<double> c20 = default, c21 = default, c30 = default, c31 = default;
        nuint rowStep = transposeA ? 1 : (nuint)aStride;
        nuint innerStep = transposeA ? (nuint)aStride : 1;
        nuint aRow = transposeA ? (nuint)i : (nuint)i * (nuint)aStride;
        for (int k = 0; k < inner; k++)
        {
            nuint bAt = ((nuint)k * (nuint)bStride) + (nuint)j;
            Vector512<double> b0 = Vector512.LoadUnsafe(ref bStart, bAt);
            Vector512<double> b1 = Vector512.LoadUnsafe(ref bStart, bAt + 8);
            nuint aAt = aRow + ((nuint)k * innerStep);
            var a0 = Vector512.Create(Unsafe.Add(ref aStart, aAt));
            var a1 = Vector512.Create(Unsafe.Add(ref aStart, aAt + rowStep));
            var a2 = Vector512.Create(Unsafe.Add(ref aStart, aAt + (2 * rowStep)));
            var a3 = Vector512.Create(Unsafe.Add(ref aStart, aAt + (3 * rowStep)));
            c00 = Vector512.FusedMultiplyAdd(a0, b0, c00);
            c01 = Vector512.FusedMultiplyAdd(a0, b1, c01);
            c10 = Vector512.FusedMultiplyAdd(a1, b0, c10);
            c11 = Vector512.FusedMultiplyAdd(a1, b1, c11);
            c20 = Vector512.FusedMultiplyAdd(a2, b0, c20);
            c21 = Vector512.FusedMultiplyAdd(a2, b1, c21);
            c30 = Vector512.FusedMultiplyAdd(a3, b0, c30);
            c31 = Vector512.FusedMultiplyAdd(a3, b1, c31);
        }

        var scale = Vector512.Create(alpha);
        AddScaledWideTileRow(ref cStart, ((nuint)i * (nuint)cStride) + (nuint)j, scale, c00, c01);
        AddScaledWideTileRow(ref cStart, ((nuint)(i + 1) * (nuint)cStride) + (nuint)j, scale, c10, c11);
        AddScaledWideTileRow(ref cStart, ((nuint)(i + 2) * (nuint)cStride) + (nuint)j, scale, c20, c21);
        AddScaledWideTileRow(ref cStart, ((nuint)(i + 3) * (nuint)cStride) + (nuint)j, scale, c30, c31);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddScaledWideTileRow(ref double c, nuint at, Vector512<double> scale, Vector512<double> left, Vector512<double> right)
    {
        Vector512.FusedMultiplyAdd(scale, left, Vector512.LoadUnsafe(ref c, at)).StoreUnsafe(ref c, at);
        Vector512.FusedMultiplyAdd(scale, right, Vector512.LoadUnsafe(ref c, at + 8)).StoreUnsafe(ref c, at + 8);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddScaledTileRow(ref double c, nuint at, Vector256<double> scale, Vector256<double> left, Vector256<double> right)
    {
        MultiplyAdd(scale, left, Vector256.LoadUnsafe(ref c, at)).StoreUnsafe(ref c, at);
        MultiplyAdd(scale, right, Vector256.LoadUnsafe(ref c, at + 4)).StoreUnsafe(ref c, at + 4);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> MultiplyAdd(Vector256<double> left, Vector256<double> right, Vector256<double> addend) =>
        Fma.IsSupported ? Fma.MultiplyAdd(left, right, addend) : (left * right) + addend;

    private static void Check(int rows, int columns, int inner, ReadOnlySpan<double> m, int stride, int storedRows,
        int storedColumns, string name)
    {
        if (rows < 0 || columns < 0 || inner < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(rows), $"A {rows} x {columns} product over {inner} terms: sizes must not be negative.");
        }

        if (storedRows > 0 && storedColumns > 0 && (stride < storedColumns || m.Length < ((storedRows - 1) * stride) + storedColumns))
        {
            throw new ArgumentException(
                $"{name} is stored as {storedRows} x {storedColumns} with rows {stride} apart, which needs a stride of at least {storedColumns} and {((storedRows - 1) * stride) + storedColumns} values; got {m.Length}.",
                name);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Scale(Span<double> row, double factor)
    {
        for (int j = 0; j < row.Length; j++)
        {
            row[j] *= factor;
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
