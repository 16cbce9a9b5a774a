using System;
using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace HessianCodegen.LinearAlgebra;

/// <summary>
/// <c>B = L^-1 B</c> with many right-hand sides (the recursion's half solve <c>Y = W^-1 C</c> of a Cholesky factor, <c>p</c> rows
/// by <c>m_in</c> columns), a strip of two vectors of columns at a time: the strip is copied into a contiguous scratch (its rows
/// <c>m_in</c> values apart would share a few L1 sets), then solved four rows at a time, each tile summing the rows above it in
/// eight vector registers and solving its own 4 x 4 triangle there. <see cref="CholeskyKernel.SolveLower"/> went through
/// <see cref="Gemm"/> for the rows above a block of 24 and a row kernel inside it: at <c>p = 72</c>, 64 columns, packing and
/// short calls took more than the arithmetic.
/// </summary>
internal static class StripTriangularSolve
{
    /// <summary>Rows of one tile.</summary>
    private const int TileRows = 4;

    /// <summary>The fewest right-hand sides this kernel is given; fewer go row by row (<see cref="CholeskyKernel.SolveLower"/>).</summary>
    internal const int MinimumWidth = 16;

    /// <summary>
    /// <c>rows = L^-1 rows</c> in place: <paramref name="factor"/> holds <c>L</c> in the lower triangle of an <paramref name="n"/> x
    /// <paramref name="n"/> row-major square (the rest is not read), <paramref name="rows"/> is <paramref name="n"/> x
    /// <paramref name="width"/> row-major.
    /// </summary>
    public static void SolveLower(ReadOnlySpan<double> factor, int n, Span<double> rows, int width) =>
        SolveLower(factor, n, rows, width, VectorWidth.Hardware);

    /// <summary>
    /// <see cref="SolveLower(ReadOnlySpan{double}, int, Span{double}, int)"/> with tiles of <paramref name="vectorBits"/> (512: strips
    /// of 16 columns; 256: of 8; 0: plain loops on strips of 8; at most <see cref="VectorWidth.Hardware"/>): the tests take each.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void SolveLower(ReadOnlySpan<double> factor, int n, Span<double> rows, int width, int vectorBits)
    {
        if (n < 0 || width < 0 || factor.Length != n * n || rows.Length != n * width)
        {
            throw new ArgumentException($"A triangular solve of order {n} with {width} right-hand sides needs {n} x {n} factor values and {n} x {width} rows; got {factor.Length} and {rows.Length}.");
        }

        VectorWidth.Validate(vectorBits);
        if (n == 0 || width == 0)
        {
            return;
        }

        int stripWidth = vectorBits == 512 ? 16 : 8;
        double[] strip = ArrayPool<double>.Shared.Rent(n * stripWidth);
        try
        {
            ref double l = ref MemoryMarshal.GetReference(factor);
            ref double s = ref MemoryMarshal.GetArrayDataReference(strip);
            for (int c0 = 0; c0 < width; c0 += stripWidth)
            {
                // The strip's columns, padded with zeros (which solve to zeros) to whole vectors.
                int columns = Math.Min(stripWidth, width - c0);
                for (int i = 0; i < n; i++)
                {
                    Span<double> stripRow = strip.AsSpan(i * stripWidth, stripWidth);
                    rows.Slice((i * width) + c0, columns).CopyTo(stripRow);
                    stripRow[columns..].Clear();
                }

                int i0 = 0;
                for (; i0 + TileRows <= n; i0 += TileRows)
                {
                    if (vectorBits == 512)
                    {
                        Tile512(ref l, n, ref s, i0);
                    }
                    else if (vectorBits == 256)
                    {
                        Tile256(ref l, n, ref s, i0);
                    }
                    else
                    {
                        PlainRows(ref l, n, ref s, stripWidth, i0, i0 + TileRows);
                    }
                }

                PlainRows(ref l, n, ref s, stripWidth, i0, n);
                for (int i = 0; i < n; i++)
                {
                    strip.AsSpan(i * stripWidth, columns).CopyTo(rows.Slice((i * width) + c0, columns));
                }
            }
        }
        finally
        {
            ArrayPool<double>.Shared.Return(strip);
        }
    }

    /// <summary>Rows <paramref name="first"/> to <paramref name="end"/> of the strip, one after another, in plain loops.</summary>
    private static void PlainRows(ref double l, int n, ref double s, int stripWidth, int first, int end)
    {
        for (int i = first; i < end; i++)
        {
            ref double target = ref Unsafe.Add(ref s, i * stripWidth);
            ref double li = ref Unsafe.Add(ref l, i * n);
            for (int j = 0; j < i; j++)
            {
                double weight = Unsafe.Add(ref li, j);
                ref double source = ref Unsafe.Add(ref s, j * stripWidth);
                for (int c = 0; c < stripWidth; c++)
                {
                    Unsafe.Add(ref target, c) -= weight * Unsafe.Add(ref source, c);
                }
            }

            double inverse = 1.0 / Unsafe.Add(ref li, i);
            for (int c = 0; c < stripWidth; c++)
            {
                Unsafe.Add(ref target, c) *= inverse;
            }
        }
    }

    /// <summary>Rows <c>i0 .. i0 + 3</c> of a strip of 16 columns: the rows above in registers, then the tile's own triangle.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tile512(ref double l, int n, ref double s, int i0)
    {
        ref double t = ref Unsafe.Add(ref s, i0 * 16);
        Vector512<double> a0 = Vector512.LoadUnsafe(ref t), b0 = Vector512.LoadUnsafe(ref t, 8);
        Vector512<double> a1 = Vector512.LoadUnsafe(ref t, 16), b1 = Vector512.LoadUnsafe(ref t, 24);
        Vector512<double> a2 = Vector512.LoadUnsafe(ref t, 32), b2 = Vector512.LoadUnsafe(ref t, 40);
        Vector512<double> a3 = Vector512.LoadUnsafe(ref t, 48), b3 = Vector512.LoadUnsafe(ref t, 56);
        ref double l0 = ref Unsafe.Add(ref l, i0 * n);
        ref double l1 = ref Unsafe.Add(ref l0, n);
        ref double l2 = ref Unsafe.Add(ref l1, n);
        ref double l3 = ref Unsafe.Add(ref l2, n);
        for (int j = 0; j < i0; j++)
        {
            ref double source = ref Unsafe.Add(ref s, j * 16);
            Vector512<double> x = Vector512.LoadUnsafe(ref source), y = Vector512.LoadUnsafe(ref source, 8);
            var w0 = Vector512.Create(-Unsafe.Add(ref l0, j));
            var w1 = Vector512.Create(-Unsafe.Add(ref l1, j));
            var w2 = Vector512.Create(-Unsafe.Add(ref l2, j));
            var w3 = Vector512.Create(-Unsafe.Add(ref l3, j));
            a0 = Vector512.FusedMultiplyAdd(w0, x, a0);
            b0 = Vector512.FusedMultiplyAdd(w0, y, b0);
            a1 = Vector512.FusedMultiplyAdd(w1, x, a1);
            b1 = Vector512.FusedMultiplyAdd(w1, y, b1);
            a2 = Vector512.FusedMultiplyAdd(w2, x, a2);
            b2 = Vector512.FusedMultiplyAdd(w2, y, b2);
            a3 = Vector512.FusedMultiplyAdd(w3, x, a3);
            b3 = Vector512.FusedMultiplyAdd(w3, y, b3);
        }

        // The tile's triangle: row r less its multiples of the rows before it in the tile, then divided by its diagonal.
        var inverse = Vector512.Create(1.0 / Unsafe.Add(ref l0, i0));
        a0 *= inverse;
        b0 *= inverse;
        var w = Vector512.Create(-Unsafe.Add(ref l1, i0));
        inverse = Vector512.Create(1.0 / Unsafe.Add(ref l1, i0 + 1));
        a1 = Vector512.FusedMultiplyAdd(w, a0, a1) * inverse;
        b1 = Vector512.FusedMultiplyAdd(w, b0, b1) * inverse;
        w = Vector512.Create(-Unsafe.Add(ref l2, i0));
        var v = Vector512.Create(-Unsafe.Add(ref l2, i0 + 1));
        inverse = Vector512.Create(1.0 / Unsafe.Add(ref l2, i0 + 2));
        a2 = Vector512.FusedMultiplyAdd(v, a1, Vector512.FusedMultiplyAdd(w, a0, a2)) * inverse;
        b2 = Vector512.FusedMultiplyAdd(v, b1, Vector512.FusedMultiplyAdd(w, b0, b2)) * inverse;
        w = Vector512.Create(-Unsafe.Add(ref l3, i0));
        v = Vector512.Create(-Unsafe.Add(ref l3, i0 + 1));
        var u = Vector512.Create(-Unsafe.Add(ref l3, i0 + 2));
        inverse = Vector512.Create(1.0 / Unsafe.Add(ref l3, i0 + 3));
        a3 = Vector512.FusedMultiplyAdd(u, a2, Vector512.FusedMultiplyAdd(v, a1, Vector512.FusedMultiplyAdd(w, a0, a3))) * inverse;
        b3 = Vector512.FusedMultiplyAdd(u, b2, Vector512.FusedMultiplyAdd(v, b1, Vector512.FusedMultiplyAdd(w, b0, b3))) * inverse;
        a0.StoreUnsafe(ref t);
        b0.StoreUnsafe(ref t, 8);
        a1.StoreUnsafe(ref t, 16);
        b1.StoreUnsafe(ref t, 24);
        a2.StoreUnsafe(ref t, 32);
        b2.StoreUnsafe(ref t, 40);
        a3.StoreUnsafe(ref t, 48);
        b3.StoreUnsafe(ref t, 56);
    }

    /// <summary><see cref="Tile512"/> on a strip of 8 columns, two 256-bit vectors per row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tile256(ref double l, int n, ref double s, int i0)
    {
        ref double t = ref Unsafe.Add(ref s, i0 * 8);
        Vector256<double> a0 = Vector256.LoadUnsafe(ref t), b0 = Vector256.LoadUnsafe(ref t, 4);
        Vector256<double> a1 = Vector256.LoadUnsafe(ref t, 8), b1 = Vector256.LoadUnsafe(ref t, 12);
        Vector256<double> a2 = Vector256.LoadUnsafe(ref t, 16), b2 = Vector256.LoadUnsafe(ref t, 20);
        Vector256<double> a3 = Vector256.LoadUnsafe(ref t, 24), b3 = Vector256.LoadUnsafe(ref t, 28);
        ref double l0 = ref Unsafe.Add(ref l, i0 * n);
        ref double l1 = ref Unsafe.Add(ref l0, n);
        ref double l2 = ref Unsafe.Add(ref l1, n);
        ref double l3 = ref Unsafe.Add(ref l2, n);
        for (int j = 0; j < i0; j++)
        {
            ref double source = ref Unsafe.Add(ref s, j * 8);
            Vector256<double> x = Vector256.LoadUnsafe(ref source), y = Vector256.LoadUnsafe(ref source, 4);
            var w0 = Vector256.Create(-Unsafe.Add(ref l0, j));
            var w1 = Vector256.Create(-Unsafe.Add(ref l1, j));
            var w2 = Vector256.Create(-Unsafe.Add(ref l2, j));
            var w3 = Vector256.Create(-Unsafe.Add(ref l3, j));
            a0 = Vector256.FusedMultiplyAdd(w0, x, a0);
            b0 = Vector256.FusedMultiplyAdd(w0, y, b0);
            a1 = Vector256.FusedMultiplyAdd(w1, x, a1);
            b1 = Vector256.FusedMultiplyAdd(w1, y, b1);
            a2 = Vector256.FusedMultiplyAdd(w2, x, a2);
            b2 = Vector256.FusedMultiplyAdd(w2, y, b2);
            a3 = Vector256.FusedMultiplyAdd(w3, x, a3);
            b3 = Vector256.FusedMultiplyAdd(w3, y, b3);
        }

        var inverse = Vector256.Create(1.0 / Unsafe.Add(ref l0, i0));
        a0 *= inverse;
        b0 *= inverse;
        var w = Vector256.Create(-Unsafe.Add(ref l1, i0));
        inverse = Vector256.Create(1.0 / Unsafe.Add(ref l1, i0 + 1));
        a1 = Vector256.FusedMultiplyAdd(w, a0, a1) * inverse;
        b1 = Vector256.FusedMultiplyAdd(w, b0, b1) * inverse;
        w = Vector256.Create(-Unsafe.Add(ref l2, i0));
        var v = Vector256.Create(-Unsafe.Add(ref l2, i0 + 1));
        inverse = Vector256.Create(1.0 / Unsafe.Add(ref l2, i0 + 2));
        a2 = Vector256.FusedMultiplyAdd(v, a1, Vector256.FusedMultiplyAdd(w, a0, a2)) * inverse;
        b2 = Vector256.FusedMultiplyAdd(v, b1, Vector256.FusedMultiplyAdd(w, b0, b2)) * inverse;
        w = Vector256.Create(-Unsafe.Add(ref l3, i0));
        v = Vector256.Create(-Unsafe.Add(ref l3, i0 + 1));
        var u = Vector256.Create(-Unsafe.Add(ref l3, i0 + 2));
        inverse = Vector256.Create(1.0 / Unsafe.Add(ref l3, i0 + 3));
        a3 = Vector256.FusedMultiplyAdd(u, a2, Vector256.FusedMultiplyAdd(v, a1, Vector256.FusedMultiplyAdd(w, a0, a3))) * inverse;
        b3 = Vector256.FusedMultiplyAdd(u, b2, Vector256.FusedMultiplyAdd(v, b1, Vector256.FusedMultiplyAdd(w, b0, b3))) * inverse;
        a0.StoreUnsafe(ref t);
        b0.StoreUnsafe(ref t, 4);
        a1.StoreUnsafe(ref t, 8);
        b1.StoreUnsafe(ref t, 12);
        a2.StoreUnsafe(ref t, 16);
        b2.StoreUnsafe(ref t, 20);
        a3.StoreUnsafe(ref t, 24);
        b3.StoreUnsafe(ref t, 28);
    }
}
