using System;
using System.Runtime.CompilerServices;
using System.Numerics;
using System.Runtime.InteropServices;
using Simd = System.Numerics.Vector;

namespace HessianCodegen.LinearAlgebra;

/// <summary>
/// Level-1 kernels on spans, vectorized with <see cref="Vector{T}"/>. The kernels of this folder are
/// compiled fully optimized at once (<see cref="MethodImplOptions.AggressiveOptimization"/>): a solver
/// is often called only a few times, too few for tiered compilation to reach its optimized code.
/// </summary>
internal static class VectorKernels
{
    /// <summary><c>x . y</c>, like BLAS <c>ddot</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double Dot(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        if (x.Length != y.Length)
        {
            throw new ArgumentException($"x has length {x.Length} and y {y.Length}; expected equal lengths.");
        }

        ReadOnlySpan<Vector<double>> xs = MemoryMarshal.Cast<double, Vector<double>>(x);
        ReadOnlySpan<Vector<double>> ys = MemoryMarshal.Cast<double, Vector<double>>(y);

        // Four independent sums, so that consecutive multiply-adds do not wait for each other.
        Vector<double> sum = Vector<double>.Zero;
        Vector<double> sum1 = Vector<double>.Zero;
        Vector<double> sum2 = Vector<double>.Zero;
        Vector<double> sum3 = Vector<double>.Zero;
        int k = 0;
        for (; k + 4 <= xs.Length; k += 4)
        {
            sum = Simd.FusedMultiplyAdd(xs[k], ys[k], sum);
            sum1 = Simd.FusedMultiplyAdd(xs[k + 1], ys[k + 1], sum1);
            sum2 = Simd.FusedMultiplyAdd(xs[k + 2], ys[k + 2], sum2);
            sum3 = Simd.FusedMultiplyAdd(xs[k + 3], ys[k + 3], sum3);
        }

        for (; k < xs.Length; k++)
        {
            sum = Simd.FusedMultiplyAdd(xs[k], ys[k], sum);
        }

        sum += sum1 + sum2 + sum3;
        double total = Simd.Sum(sum);
        for (int i = xs.Length * Vector<double>.Count; i < x.Length; i++)
        {
            total += x[i] * y[i];
        }

        return total;
    }

    /// <summary><c>y += alpha x</c>, like BLAS <c>daxpy</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Axpy(double alpha, ReadOnlySpan<double> x, Span<double> y)
    {
        if (x.Length != y.Length)
        {
            throw new ArgumentException($"x has length {x.Length} and y {y.Length}; expected equal lengths.");
        }

        AxpyUnchecked(alpha, ref MemoryMarshal.GetReference(x), ref MemoryMarshal.GetReference(y), x.Length);
    }

    /// <summary>
    /// <see cref="Axpy"/>'s arithmetic over <paramref name="length"/> values from the references, which the caller has checked lie
    /// inside its spans: <see cref="Vector{T}"/> fused multiply-adds, the rest unfused. Inlined, for callers that update many short
    /// rows (<see cref="BunchKaufmanKernel"/>'s unblocked factor, a row per call, 36 values on average at order 72), where a call and
    /// its checks cost about what the arithmetic did.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void AxpyUnchecked(double alpha, ref double x, ref double y, int length)
    {
        int width = Vector<double>.Count;
        var scale = new Vector<double>(alpha);
        int k = 0;
        for (; k + width <= length; k += width)
        {
            ref double target = ref Unsafe.Add(ref y, k);
            Simd.FusedMultiplyAdd(scale, Simd.LoadUnsafe(ref Unsafe.Add(ref x, k)), Simd.LoadUnsafe(ref target)).StoreUnsafe(ref target);
        }

        for (; k < length; k++)
        {
            Unsafe.Add(ref y, k) += alpha * Unsafe.Add(ref x, k);
        }
    }

    /// <summary>Exchanges the contents of <paramref name="x"/> and <paramref name="y"/>, like BLAS <c>dswap</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Swap(Span<double> x, Span<double> y)
    {
        if (x.Length != y.Length)
        {
            throw new ArgumentException($"x has length {x.Length} and y {y.Length}; expected equal lengths.");
        }

        for (int i = 0; i < x.Length; i++)
        {
            (x[i], y[i]) = (y[i], x[i]);
        }
    }

    /// <summary>The largest magnitude in <paramref name="x"/> (0 when empty), like BLAS <c>idamax</c> returning the value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double MaxAbs(ReadOnlySpan<double> x)
    {
        // Four independent maxima, so that each vector waits on the one four before it, not on the last (one chain took 1.4 us of a
        // width-8 batch-8 layer's pivot block, p = 72). The largest of a set does not depend on the order it is taken in (a NaN
        // propagates through Max wherever it is), so the result is the one chain's.
        ReadOnlySpan<Vector<double>> xs = MemoryMarshal.Cast<double, Vector<double>>(x);
        Vector<double> largest = Vector<double>.Zero, largest1 = Vector<double>.Zero, largest2 = Vector<double>.Zero, largest3 = Vector<double>.Zero;
        int k = 0;
        for (; k + 4 <= xs.Length; k += 4)
        {
            largest = Simd.Max(largest, Simd.Abs(xs[k]));
            largest1 = Simd.Max(largest1, Simd.Abs(xs[k + 1]));
            largest2 = Simd.Max(largest2, Simd.Abs(xs[k + 2]));
            largest3 = Simd.Max(largest3, Simd.Abs(xs[k + 3]));
        }

        for (; k < xs.Length; k++)
        {
            largest = Simd.Max(largest, Simd.Abs(xs[k]));
        }

        largest = Simd.Max(Simd.Max(largest, largest1), Simd.Max(largest2, largest3));

        double result = 0;
        for (int i = 0; i < Vector<double>.Count; i++)
        {
            result = Math.Max(result, largest[i]);
        }

        for (int i = xs.Length * Vector<double>.Count; i < x.Length; i++)
        {
            result = Math.Max(result, Math.Abs(x[i]));
        }

        return result;
    }

    /// <summary>The Euclidean norm, like BLAS <c>dnrm2</c> (without its overflow guard: inputs here are moderate).</summary>
    public static double Norm(ReadOnlySpan<double> x) => Math.Sqrt(Dot(x, x));
}
