using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Simd = System.Numerics.Vector;

namespace HessianCodegen.LinearAlgebra;

/// <summary>
/// Products of a small row-major matrix with one vector, like BLAS <c>dgemv</c>: a solve's sweeps apply a layer's gain
/// (<c>p x m_in</c>) and its <c>Dz</c> blocks (<c>a x a_in</c>) to one vector. Rows of at most <see cref="FourRowColumns"/>
/// values go four per pass (the target loaded and stored, or the vector loaded, once per four rows, not once per row);
/// longer rows go one after another (<see cref="VectorKernels.Axpy"/>, <see cref="VectorKernels.Dot"/>).
/// </summary>
/// <remarks>
/// Four long rows read side by side are four short streams, which the hardware prefetchers do not follow: measured on
/// 1600 gains of 72 x 64, 59 MB (out of cache, as a depth-512 batch-8 solve's 58 MB are; its 512 gains alone are 18.9 MB), four rows per pass took 6 to 8.5 us per gain where one row
/// after another took 2 to 4; from cache (7 MB) it took 0.67 against 0.87 us. At 8 and 16 columns (a batch-1 gain, a
/// width-8 <c>Dz</c> block) four rows are 256 or 512 contiguous bytes and four per pass won out of cache too
/// (0.3 to 0.5 against 0.6 to 0.7 us per 72 x 8 gain); at 32 they tied.
/// </remarks>
internal static class MatrixVectorKernels
{
    /// <summary>The longest rows that go four per pass (256 bytes).</summary>
    internal const int FourRowColumns = 32;

    /// <summary>
    /// The rows of a pass over short rows: the leftover <c>rows % RowsPerPass</c> go one by one, each summed its own way, so
    /// a caller that splits a matrix into chunks of a multiple of this many rows gets the same sums, to the bit.
    /// </summary>
    internal const int RowsPerPass = 4;

    /// <summary><c>y += A x</c>, <c>A</c> <paramref name="rows"/> x <paramref name="columns"/> row-major (<c>y</c> of length <c>rows</c>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MultiplyAdd(ReadOnlySpan<double> a, int rows, int columns, ReadOnlySpan<double> x, Span<double> y)
    {
        Check(a, rows, columns, x.Length, columns, y.Length, rows);
        ReadOnlySpan<Vector<double>> xs = MemoryMarshal.Cast<double, Vector<double>>(x);
        int vectorColumns = xs.Length * Vector<double>.Count;
        int i = 0;
        int fourRowEnd = columns <= FourRowColumns ? rows - (rows % RowsPerPass) : 0;
        for (; i < fourRowEnd; i += RowsPerPass)
        {
            ReadOnlySpan<double> r0 = a.Slice(i * columns, columns);
            ReadOnlySpan<double> r1 = a.Slice((i + 1) * columns, columns);
            ReadOnlySpan<double> r2 = a.Slice((i + 2) * columns, columns);
            ReadOnlySpan<double> r3 = a.Slice((i + 3) * columns, columns);
            // Two sums per row over alternate vectors: eight independent chains of multiply-adds.
            Vector<double> s0 = Vector<double>.Zero, s1 = Vector<double>.Zero, s2 = Vector<double>.Zero, s3 = Vector<double>.Zero;
            Vector<double> u0 = Vector<double>.Zero, u1 = Vector<double>.Zero, u2 = Vector<double>.Zero, u3 = Vector<double>.Zero;
            int k = 0;
            for (; k + 2 <= xs.Length; k += 2)
            {
                int offset = k * Vector<double>.Count;
                int next = offset + Vector<double>.Count;
                Vector<double> xk = xs[k];
                Vector<double> xn = xs[k + 1];
                s0 = Simd.FusedMultiplyAdd(new Vector<double>(r0[offset..]), xk, s0);
                s1 = Simd.FusedMultiplyAdd(new Vector<double>(r1[offset..]), xk, s1);
                s2 = Simd.FusedMultiplyAdd(new Vector<double>(r2[offset..]), xk, s2);
                s3 = Simd.FusedMultiplyAdd(new Vector<double>(r3[offset..]), xk, s3);
                u0 = Simd.FusedMultiplyAdd(new Vector<double>(r0[next..]), xn, u0);
                u1 = Simd.FusedMultiplyAdd(new Vector<double>(r1[next..]), xn, u1);
                u2 = Simd.FusedMultiplyAdd(new Vector<double>(r2[next..]), xn, u2);
                u3 = Simd.FusedMultiplyAdd(new Vector<double>(r3[next..]), xn, u3);
            }

            if (k < xs.Length)
            {
                int offset = k * Vector<double>.Count;
                Vector<double> xk = xs[k];
                s0 = Simd.FusedMultiplyAdd(new Vector<double>(r0[offset..]), xk, s0);
                s1 = Simd.FusedMultiplyAdd(new Vector<double>(r1[offset..]), xk, s1);
                s2 = Simd.FusedMultiplyAdd(new Vector<double>(r2[offset..]), xk, s2);
                s3 = Simd.FusedMultiplyAdd(new Vector<double>(r3[offset..]), xk, s3);
            }

            double t0 = Simd.Sum(s0 + u0), t1 = Simd.Sum(s1 + u1), t2 = Simd.Sum(s2 + u2), t3 = Simd.Sum(s3 + u3);
            for (int j = vectorColumns; j < columns; j++)
            {
                t0 += r0[j] * x[j];
                t1 += r1[j] * x[j];
                t2 += r2[j] * x[j];
                t3 += r3[j] * x[j];
            }

            y[i] += t0;
            y[i + 1] += t1;
            y[i + 2] += t2;
            y[i + 3] += t3;
        }

        // The rows left over, or every row of a long one.
        for (; i < rows; i++)
        {
            y[i] += VectorKernels.Dot(a.Slice(i * columns, columns), x);
        }
    }

    /// <summary><c>y += alpha A^T x</c>, <c>A</c> <paramref name="rows"/> x <paramref name="columns"/> row-major (<c>y</c> of length <c>columns</c>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void TransposeMultiplyAdd(double alpha, ReadOnlySpan<double> a, int rows, int columns, ReadOnlySpan<double> x, Span<double> y)
    {
        Check(a, rows, columns, x.Length, rows, y.Length, columns);
        Span<Vector<double>> ys = MemoryMarshal.Cast<double, Vector<double>>(y);
        int vectorColumns = ys.Length * Vector<double>.Count;
        int i = 0;
        int fourRowEnd = columns <= FourRowColumns ? rows - (rows % RowsPerPass) : 0;
        for (; i < fourRowEnd; i += RowsPerPass)
        {
            ReadOnlySpan<double> r0 = a.Slice(i * columns, columns);
            ReadOnlySpan<double> r1 = a.Slice((i + 1) * columns, columns);
            ReadOnlySpan<double> r2 = a.Slice((i + 2) * columns, columns);
            ReadOnlySpan<double> r3 = a.Slice((i + 3) * columns, columns);
            double c0 = alpha * x[i], c1 = alpha * x[i + 1], c2 = alpha * x[i + 2], c3 = alpha * x[i + 3];
            var w0 = new Vector<double>(c0);
            var w1 = new Vector<double>(c1);
            var w2 = new Vector<double>(c2);
            var w3 = new Vector<double>(c3);
            for (int k = 0; k < ys.Length; k++)
            {
                int offset = k * Vector<double>.Count;
                Vector<double> sum = Simd.FusedMultiplyAdd(w0, new Vector<double>(r0[offset..]), ys[k]);
                sum = Simd.FusedMultiplyAdd(w1, new Vector<double>(r1[offset..]), sum);
                sum = Simd.FusedMultiplyAdd(w2, new Vector<double>(r2[offset..]), sum);
                ys[k] = Simd.FusedMultiplyAdd(w3, new Vector<double>(r3[offset..]), sum);
            }

            for (int k = vectorColumns; k < columns; k++)
            {
                y[k] += (c0 * r0[k]) + (c1 * r1[k]) + (c2 * r2[k]) + (c3 * r3[k]);
            }
        }

        // The rows left over, or every row of a long one.
        for (; i < rows; i++)
        {
            VectorKernels.Axpy(alpha * x[i], a.Slice(i * columns, columns), y);
        }
    }

    private static void Check(ReadOnlySpan<double> a, int rows, int columns, int xLength, int expectedX, int yLength, int expectedY)
    {
        if (rows < 0 || columns < 0 || a.Length < rows * columns)
        {
            throw new ArgumentException($"The matrix has {a.Length} values; expected at least {rows} x {columns}.", nameof(a));
        }

        if (xLength != expectedX || yLength != expectedY)
        {
            throw new ArgumentException($"x has length {xLength} and y {yLength}; expected {expectedX} and {expectedY}.");
        }
    }
}
