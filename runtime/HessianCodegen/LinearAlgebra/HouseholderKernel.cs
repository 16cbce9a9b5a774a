using System;
using System.Buffers;
using System.Runtime.CompilerServices;

namespace HessianCodegen.LinearAlgebra;

/// <summary>
/// QR factorization by Householder reflections of a dense row-major <c>rows x columns</c> span and the
/// products with its <c>Q</c>, like LAPACK <c>dgeqr2</c> and <c>dorm2r</c>. The reflectors are unblocked:
/// the matrices here are a group of a pivot block's parameters by the batch rows that touch it (193 x 64
/// in issue 7's network), too small for a blocked <c>Q</c> to pay.
/// </summary>
internal static class HouseholderKernel
{
    /// <summary>
    /// Overwrites <paramref name="a"/> with <c>R</c> on and above the diagonal and the reflectors'
    /// vectors below it (their leading 1 implied), like <c>dgeqr2</c>: <c>Q = H_0 H_1 ... H_(k-1)</c>,
    /// <c>H_i = I - tau_i v_i v_i^T</c>, <c>k = min(rows, columns)</c>. <paramref name="tau"/> holds
    /// <c>k</c> values, <paramref name="work"/> at least <paramref name="columns"/>.
    /// </summary>
    /// <returns>The floating-point operations performed.</returns>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static long Factor(Span<double> a, int rows, int columns, Span<double> tau, Span<double> work)
    {
        Require(a, rows, columns);
        int count = Math.Min(rows, columns);
        long flops = 0;
        for (int k = 0; k < count; k++)
        {
            // Inside a: Require checked rows x columns, and column k's rows k..rows-1 are there.
            tau[k] = GenerateReflector(ref a[(k * columns) + k], rows - k, columns);
            if (tau[k] == 0)
            {
                continue;
            }

            int rest = columns - k - 1;
            if (rest > 0)
            {
                Reflect(a, rows, columns, k, tau[k], a[((k * columns) + k + 1)..], columns, rest, work[..rest]);
                flops += 4L * (rows - k) * rest;
            }
        }

        return flops;
    }

    /// <summary>
    /// The reflector of one column (<c>dlarfg</c>): the <paramref name="length"/> values from <paramref name="head"/>,
    /// <paramref name="stride"/> apart, become <c>[beta; v]</c> (<c>H [alpha; x] = [beta; 0]</c>, <c>v</c>'s leading 1 implied).
    /// The caller has checked that they lie inside its span. Both <see cref="Factor"/> and <see cref="OneRowGroupKernel"/> take it.
    /// </summary>
    /// <returns><c>tau</c>: 0 (no reflection, the values untouched) where the column is zero below its first value.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static double GenerateReflector(ref double head, int length, int stride)
    {
        double alpha = head;
        double tail = 0;
        for (int i = 1; i < length; i++)
        {
            double v = Unsafe.Add(ref head, i * stride);
            tail += v * v;
        }

        // A column already zero below its first value needs no reflection (H = I, as dlarfg).
        if (tail == 0)
        {
            return 0;
        }

        double beta = -Math.CopySign(Math.Sqrt((alpha * alpha) + tail), alpha);
        double tau = (beta - alpha) / beta;
        double scale = 1.0 / (alpha - beta);
        for (int i = 1; i < length; i++)
        {
            Unsafe.Add(ref head, i * stride) *= scale;
        }

        head = beta;
        return tau;
    }

    /// <summary>
    /// <c>B = Q^T B</c> for the <c>rows x width</c> row-major <paramref name="b"/>, with the reflectors
    /// <see cref="Factor"/> left in <paramref name="reflectors"/> (like <c>dorm2r</c>, side L, trans T).
    /// </summary>
    public static void ApplyTranspose(ReadOnlySpan<double> reflectors, int rows, int columns, ReadOnlySpan<double> tau,
        Span<double> b, int width, Span<double> work)
    {
        Require(reflectors, rows, columns);
        Require(b, rows, width);
        for (int k = 0; k < Math.Min(rows, columns); k++)
        {
            Reflect(reflectors, rows, columns, k, tau[k], b[(k * width)..], width, width, work[..width]);
        }
    }

    /// <summary><c>B = Q B</c>, the reflectors applied in the reverse order (<c>dorm2r</c>, side L, trans N).</summary>
    public static void Apply(ReadOnlySpan<double> reflectors, int rows, int columns, ReadOnlySpan<double> tau,
        Span<double> b, int width, Span<double> work)
    {
        Require(reflectors, rows, columns);
        Require(b, rows, width);
        for (int k = Math.Min(rows, columns) - 1; k >= 0; k--)
        {
            Reflect(reflectors, rows, columns, k, tau[k], b[(k * width)..], width, width, work[..width]);
        }
    }

    /// <summary>
    /// Applies <c>H_k = I - tau v v^T</c> (<c>v</c> the reflector in column <paramref name="k"/>, rows
    /// <paramref name="k"/> on) to the rows <paramref name="k"/> on of a matrix; <paramref name="b"/> starts at
    /// row <paramref name="k"/>, its rows <paramref name="stride"/> apart and <paramref name="width"/> values wide:
    /// <c>w = v^T B</c> in one pass over the rows (<see cref="RankUpdate.SubtractCombination"/>), then <c>B -= tau v w</c>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Reflect(ReadOnlySpan<double> v, int rows, int columns, int k, double tau, Span<double> b,
        int stride, int width, Span<double> w)
    {
        if (tau == 0)
        {
            return;
        }

        // w = B_k + sum_i v_i B_i in one pass over the rows below, w held in registers (an axpy per row read and wrote it each time).
        b[..width].CopyTo(w);
        int below = rows - k - 1;
        // Past the stack's size the coefficients are rented: a large group's QR calls this once per reflector.
        double[]? rented = below > StackScratch.MaxRows ? ArrayPool<double>.Shared.Rent(below) : null;
        try
        {
            Span<double> coefficients = rented is null ? stackalloc double[Math.Max(below, 0)] : rented.AsSpan(0, below);
            for (int i = 0; i < below; i++)
            {
                coefficients[i] = -v[((k + 1 + i) * columns) + k];
            }

            if (below > 0)
            {
                RankUpdate.SubtractCombination(w, coefficients, b[stride..], stride);
            }
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<double>.Shared.Return(rented);
            }
        }

        VectorKernels.Axpy(-tau, w, b[..width]);
        for (int i = k + 1; i < rows; i++)
        {
            VectorKernels.Axpy(-tau * v[(i * columns) + k], w, b.Slice((i - k) * stride, width));
        }
    }

    private static void Require(ReadOnlySpan<double> a, int rows, int columns)
    {
        if (rows < 0 || columns < 0 || a.Length < rows * columns)
        {
            throw new ArgumentException($"A {rows} x {columns} matrix needs {rows * columns} values; got {a.Length}.", nameof(a));
        }
    }
}
