using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace HessianCodegen.LinearAlgebra;

/// <summary>
/// The register-blocked inner kernel of <see cref="PackedGemm"/> (the BLIS "micro-kernel"): a tile of
/// <see cref="Rows"/> x <see cref="Columns"/> values of <c>c</c> held in twelve <c>Vector256</c> accumulators
/// while <c>inner</c> rank-1 updates stream past, each one broadcast of <c>a</c> feeding two fused
/// multiply-adds. Twelve independent accumulators cover the latency of the two FMA pipes; the loads
/// (two of <c>b</c>, six broadcasts of <c>a</c> per twelve FMAs) stay below what the load ports take.
/// </summary>
internal static class GemmMicroKernel
{
    /// <summary>Rows of the tile (MR).</summary>
    public const int Rows = 6;

    /// <summary>Columns of the tile (NR): two vectors of four doubles.</summary>
    public const int Columns = 8;

    /// <summary>Whether this machine runs the kernel (AVX2 and FMA); else <see cref="Gemm"/> takes its portable kernel.</summary>
    public static bool IsSupported => Fma.IsSupported && Avx2.IsSupported;

    /// <summary>
    /// <c>c = beta c + alpha sum_k a(:, k) b(k, :)</c> on the leading <paramref name="rows"/> x <paramref name="columns"/>
    /// of one tile. Entry <c>(r, k)</c> of <c>a</c> is <paramref name="a"/> advanced by
    /// <c>r aRowStep + k aInnerStep</c> (a packed panel, or a matrix read in place); row <c>k</c> of <c>b</c> is
    /// <see cref="Columns"/> values from <paramref name="b"/> advanced by <c>k bInnerStep</c> (a packed panel: the
    /// number of columns; a matrix read in place: its stride). All <see cref="Rows"/> rows of <c>a</c> are read
    /// (a short panel is padded with zeros); only the leading part of <c>c</c> is touched. With
    /// <paramref name="beta"/> 0, <c>c</c> is not read.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Multiply(int inner, ref double a, nint aRowStep, nint aInnerStep, ref double b, nint bInnerStep, double alpha,
        double beta, ref double c, nint cStride, int rows, int columns)
    {
        Vector256<double> c00 = Vector256<double>.Zero, c01 = Vector256<double>.Zero;
        Vector256<double> c10 = Vector256<double>.Zero, c11 = Vector256<double>.Zero;
        Vector256<double> c20 = Vector256<double>.Zero, c21 = Vector256<double>.Zero;
        Vector256<double> c30 = Vector256<double>.Zero, c31 = Vector256<double>.Zero;
        Vector256<double> c40 = Vector256<double>.Zero, c41 = Vector256<double>.Zero;
        Vector256<double> c50 = Vector256<double>.Zero, c51 = Vector256<double>.Zero;
        nint row2 = 2 * aRowStep, row3 = 3 * aRowStep, row4 = 4 * aRowStep, row5 = 5 * aRowStep;
        ref double ak = ref a;
        ref double bk = ref b;
        for (int k = 0; k < inner; k++)
        {
            Vector256<double> b0 = Vector256.LoadUnsafe(ref bk);
            Vector256<double> b1 = Vector256.LoadUnsafe(ref bk, 4);
            Vector256<double> x = Vector256.Create(ak);
            c00 = Fma.MultiplyAdd(x, b0, c00);
            c01 = Fma.MultiplyAdd(x, b1, c01);
            x = Vector256.Create(Unsafe.Add(ref ak, aRowStep));
            c10 = Fma.MultiplyAdd(x, b0, c10);
            c11 = Fma.MultiplyAdd(x, b1, c11);
            x = Vector256.Create(Unsafe.Add(ref ak, row2));
            c20 = Fma.MultiplyAdd(x, b0, c20);
            c21 = Fma.MultiplyAdd(x, b1, c21);
            x = Vector256.Create(Unsafe.Add(ref ak, row3));
            c30 = Fma.MultiplyAdd(x, b0, c30);
            c31 = Fma.MultiplyAdd(x, b1, c31);
            x = Vector256.Create(Unsafe.Add(ref ak, row4));
            c40 = Fma.MultiplyAdd(x, b0, c40);
            c41 = Fma.MultiplyAdd(x, b1, c41);
            x = Vector256.Create(Unsafe.Add(ref ak, row5));
            c50 = Fma.MultiplyAdd(x, b0, c50);
            c51 = Fma.MultiplyAdd(x, b1, c51);
            ak = ref Unsafe.Add(ref ak, aInnerStep);
            bk = ref Unsafe.Add(ref bk, bInnerStep);
        }

        if (rows == Rows && columns == Columns)
        {
            var scale = Vector256.Create(alpha);
            Store(ref c, c00, c01, scale, beta);
            Store(ref Unsafe.Add(ref c, cStride), c10, c11, scale, beta);
            Store(ref Unsafe.Add(ref c, 2 * cStride), c20, c21, scale, beta);
            Store(ref Unsafe.Add(ref c, 3 * cStride), c30, c31, scale, beta);
            Store(ref Unsafe.Add(ref c, 4 * cStride), c40, c41, scale, beta);
            Store(ref Unsafe.Add(ref c, 5 * cStride), c50, c51, scale, beta);
            return;
        }

        // An edge tile: the sums go through a tile on the stack, and only its leading part reaches c (whole rows
        // of it by vectors, as the last panel of rows usually is).
        Span<double> tile = stackalloc double[Rows * Columns];
        ref double t = ref tile[0];
        c00.StoreUnsafe(ref t, 0);
        c01.StoreUnsafe(ref t, 4);
        c10.StoreUnsafe(ref t, 8);
        c11.StoreUnsafe(ref t, 12);
        c20.StoreUnsafe(ref t, 16);
        c21.StoreUnsafe(ref t, 20);
        c30.StoreUnsafe(ref t, 24);
        c31.StoreUnsafe(ref t, 28);
        c40.StoreUnsafe(ref t, 32);
        c41.StoreUnsafe(ref t, 36);
        c50.StoreUnsafe(ref t, 40);
        c51.StoreUnsafe(ref t, 44);
        var alphas = Vector256.Create(alpha);
        for (int r = 0; r < rows; r++)
        {
            ref double cRow = ref Unsafe.Add(ref c, r * cStride);
            if (columns == Columns)
            {
                Store(ref cRow, Vector256.LoadUnsafe(ref t, (nuint)(r * Columns)), Vector256.LoadUnsafe(ref t, (nuint)((r * Columns) + 4)), alphas, beta);
                continue;
            }

            for (int j = 0; j < columns; j++)
            {
                double sum = alpha * tile[(r * Columns) + j];
                Unsafe.Add(ref cRow, j) = beta == 0 ? sum : (beta * Unsafe.Add(ref cRow, j)) + sum;
            }
        }
    }

    /// <summary>One full row of the tile: <c>c = beta c + alpha (sum0, sum1)</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(ref double c, Vector256<double> sum0, Vector256<double> sum1, Vector256<double> alpha, double beta)
    {
        if (beta == 0)
        {
            (sum0 * alpha).StoreUnsafe(ref c);
            (sum1 * alpha).StoreUnsafe(ref c, 4);
        }
        else if (beta == 1)
        {
            Fma.MultiplyAdd(sum0, alpha, Vector256.LoadUnsafe(ref c)).StoreUnsafe(ref c);
            Fma.MultiplyAdd(sum1, alpha, Vector256.LoadUnsafe(ref c, 4)).StoreUnsafe(ref c, 4);
        }
        else
        {
            var scale = Vector256.Create(beta);
            Fma.MultiplyAdd(sum0, alpha, scale * Vector256.LoadUnsafe(ref c)).StoreUnsafe(ref c);
            Fma.MultiplyAdd(sum1, alpha, scale * Vector256.LoadUnsafe(ref c, 4)).StoreUnsafe(ref c, 4);
        }
    }
}
