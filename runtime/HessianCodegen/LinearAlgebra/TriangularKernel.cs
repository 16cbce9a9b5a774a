using System;
using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace HessianCodegen.LinearAlgebra;

/// <summary>
/// Solves with one triangle of a Cholesky factor at a time, like LAPACK <c>dtrsm</c> (side L, lower,
/// non-unit), and a bound on the factor's inverse, on a dense row-major <c>n x n</c> span whose lower
/// triangle holds <c>L</c>. <see cref="CholeskyKernel.Solve"/> runs both sweeps back to back; a low-rank
/// pivot block (<see cref="HessianCodegen.LowRankPivotBlockFactor"/>) works between them.
/// </summary>
internal static class TriangularKernel
{
    /// <summary><c>B = L^-1 B</c> for the <c>n x width</c> row-major <paramref name="rows"/> (<c>dtrsm</c>, trans N).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SolveLower(ReadOnlySpan<double> factor, int n, Span<double> rows, int width) =>
        SolveLower(factor, n, rows, width, VectorWidth.OfVectorT);

    /// <summary>
    /// <see cref="SolveLower(ReadOnlySpan{double}, int, Span{double}, int)"/> with the narrow path's vectors of <paramref name="vectorBits"/>
    /// (512, 256, or 0 for plain loops; at most <see cref="VectorWidth.Hardware"/>): the tests take each.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void SolveLower(ReadOnlySpan<double> factor, int n, Span<double> rows, int width, int vectorBits)
    {
        Require(factor, n, rows, width);
        VectorWidth.Validate(vectorBits);

        // One right-hand side (a solve's sweep, a group's row of Dx at batch 1): a dot product per row.
        if (width == 1)
        {
            for (int i = 0; i < n; i++)
            {
                rows[i] = (rows[i] - VectorKernels.Dot(factor.Slice(i * n, i), rows[..i])) / factor[(i * n) + i];
            }

            return;
        }

        if (width <= SmallWidth)
        {
            SolveLowerNarrow(factor, n, rows, width, vectorBits);
            return;
        }

        for (int i = 0; i < n; i++)
        {
            Span<double> target = rows.Slice(i * width, width);
            RankUpdate.SubtractCombination(target, factor.Slice(i * n, i), rows, width);
            Scale(1.0 / factor[(i * n) + i], target);
        }
    }

    /// <summary>
    /// The widest right-hand side <see cref="SolveLower(ReadOnlySpan{double}, int, Span{double}, int)"/> takes a vector of columns at a time through all rows (a low-rank
    /// group's half solve at batch 1 has a layer's width of columns, 8 or 16): there a call of
    /// <see cref="RankUpdate.SubtractCombination"/> per row, for one or two vectors, cost more than its arithmetic.
    /// </summary>
    internal const int SmallWidth = 16;

    /// <summary>
    /// <c>B = L^-1 B</c> for at most <see cref="SmallWidth"/> columns: per vector of columns, each row less its combination of
    /// the rows solved above it (read back from L1), then scaled by <c>1 / L_ii</c>; the columns past the last vector entry by entry.
    /// Vectors of <paramref name="vectorBits"/> (<see cref="VectorWidth.OfVectorT"/> but in tests: 8 columns only where
    /// <see cref="Vector{T}"/> is configured at 512 bits).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SolveLowerNarrow(ReadOnlySpan<double> factor, int n, Span<double> rows, int width, int vectorBits)
    {
        // Bounds: factor is n x n and rows n x width (Require), so every access below is inside.
        ref double l = ref MemoryMarshal.GetReference(factor);
        ref double b = ref MemoryMarshal.GetReference(rows);
        int column = 0;
        for (; vectorBits == 512 && column + 8 <= width; column += 8)
        {
            for (int i = 0; i < n; i++)
            {
                ref double factorRow = ref Unsafe.Add(ref l, i * n);
                Vector512<double> sum = Vector512.LoadUnsafe(ref Unsafe.Add(ref b, (i * width) + column));
                for (int j = 0; j < i; j++)
                {
                    sum = Vector512.FusedMultiplyAdd(Vector512.Create(-Unsafe.Add(ref factorRow, j)),
                        Vector512.LoadUnsafe(ref Unsafe.Add(ref b, (j * width) + column)), sum);
                }

                (sum * (1.0 / Unsafe.Add(ref factorRow, i))).StoreUnsafe(ref Unsafe.Add(ref b, (i * width) + column));
            }
        }

        for (; vectorBits == 256 && column + 4 <= width; column += 4)
        {
            for (int i = 0; i < n; i++)
            {
                ref double factorRow = ref Unsafe.Add(ref l, i * n);
                Vector256<double> sum = Vector256.LoadUnsafe(ref Unsafe.Add(ref b, (i * width) + column));
                for (int j = 0; j < i; j++)
                {
                    sum = Vector256.FusedMultiplyAdd(Vector256.Create(-Unsafe.Add(ref factorRow, j)),
                        Vector256.LoadUnsafe(ref Unsafe.Add(ref b, (j * width) + column)), sum);
                }

                (sum * (1.0 / Unsafe.Add(ref factorRow, i))).StoreUnsafe(ref Unsafe.Add(ref b, (i * width) + column));
            }
        }

        for (; column < width; column++)
        {
            for (int i = 0; i < n; i++)
            {
                ref double factorRow = ref Unsafe.Add(ref l, i * n);
                double sum = Unsafe.Add(ref b, (i * width) + column);
                for (int j = 0; j < i; j++)
                {
                    sum -= Unsafe.Add(ref factorRow, j) * Unsafe.Add(ref b, (j * width) + column);
                }

                Unsafe.Add(ref b, (i * width) + column) = sum * (1.0 / Unsafe.Add(ref factorRow, i));
            }
        }
    }

    /// <summary><c>B = L^-T B</c> for the <c>n x width</c> row-major <paramref name="rows"/> (<c>dtrsm</c>, trans T).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SolveLowerTransposed(ReadOnlySpan<double> factor, int n, Span<double> rows, int width)
    {
        Require(factor, n, rows, width);

        // One right-hand side: each solved value leaves the rows above it through one axpy with its row of L.
        if (width == 1)
        {
            for (int i = n - 1; i >= 0; i--)
            {
                double solved = rows[i] / factor[(i * n) + i];
                rows[i] = solved;
                VectorKernels.Axpy(-solved, factor.Slice(i * n, i), rows[..i]);
            }

            return;
        }

        // Z_i = (B_i - sum_(j > i) L_ji Z_j) / L_ii: each row of the result takes the solved rows below it in one pass, its
        // sums held in registers, where subtracting each solved row from all rows above read and wrote those once per row.
        // Past the stack's size the coefficients are rented, not allocated per call.
        double[]? rented = n > StackScratch.MaxRows ? ArrayPool<double>.Shared.Rent(n) : null;
        try
        {
            Span<double> coefficients = rented is null ? stackalloc double[n] : rented.AsSpan(0, n);
            for (int i = n - 1; i >= 0; i--)
            {
                int below = n - i - 1;
                for (int j = 0; j < below; j++)
                {
                    coefficients[j] = factor[((i + 1 + j) * n) + i];
                }

                Span<double> target = rows.Slice(i * width, width);
                RankUpdate.SubtractCombination(target, coefficients[..below], rows[((i + 1) * width)..], width);
                Scale(1.0 / factor[(i * n) + i], target);
            }
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<double>.Shared.Return(rented);
            }
        }
    }

    /// <summary>
    /// An upper bound on <c>||L^-1||_inf ||L^-1||_1</c> through the comparison matrix <c>M(L)</c> (diagonal
    /// <c>|L_ii|</c>, off the diagonal <c>-|L_ij|</c>), whose inverse bounds <c>|L^-1|</c> entry by entry
    /// (Higham, Accuracy and Stability of Numerical Algorithms, section 8.3): <c>||M(L)^-1 e||_inf</c> and
    /// <c>||M(L)^-T e||_inf</c>, one triangular solve each, <c>O(n^2)</c>. Times <c>||A||_inf</c> it bounds the
    /// condition number of <c>A = L L^T</c>; tight when <c>L</c> is nearly diagonal, pessimistic otherwise.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double InverseNormBound(ReadOnlySpan<double> factor, int n)
    {
        Require(factor, n, [], 0);

        // On the stack for a group of the low-rank route (a few dozen parameters), which calls this once per group and factorization.
        // Both recurrences read L by rows (the second adds each solved bound to the sums of the rows above it), without bounds
        // checks: every index below is inside the n x n values checked above.
        Span<double> bounds = n <= StackScratch.MaxRows ? stackalloc double[2 * n] : new double[2 * n];
        ref double l = ref MemoryMarshal.GetReference(factor);
        ref double rowBound = ref MemoryMarshal.GetReference(bounds);
        ref double columnSum = ref Unsafe.Add(ref rowBound, n);
        double infinity = 0;
        for (int i = 0; i < n; i++)
        {
            ref double row = ref Unsafe.Add(ref l, i * n);
            double sum = 1;
            for (int j = 0; j < i; j++)
            {
                sum += Math.Abs(Unsafe.Add(ref row, j)) * Unsafe.Add(ref rowBound, j);
            }

            double bound = sum / Math.Abs(Unsafe.Add(ref row, i));
            Unsafe.Add(ref rowBound, i) = bound;
            infinity = Math.Max(infinity, bound);
            Unsafe.Add(ref columnSum, i) = 1;
        }

        // Column i's bound, (1 + sum_(j > i) |L_ji| bound_j) / |L_ii|, with the sum gathered from the rows below as each is solved.
        double one = 0;
        for (int i = n - 1; i >= 0; i--)
        {
            ref double row = ref Unsafe.Add(ref l, i * n);
            double bound = Unsafe.Add(ref columnSum, i) / Math.Abs(Unsafe.Add(ref row, i));
            one = Math.Max(one, bound);
            for (int j = 0; j < i; j++)
            {
                Unsafe.Add(ref columnSum, j) += Math.Abs(Unsafe.Add(ref row, j)) * bound;
            }
        }

        return infinity * one;
    }

    private static void Scale(double factor, Span<double> values)
    {
        for (int k = 0; k < values.Length; k++)
        {
            values[k] *= factor;
        }
    }

    private static void Require(ReadOnlySpan<double> factor, int n, ReadOnlySpan<double> rows, int width)
    {
        if (factor.Length != n * n)
        {
            throw new ArgumentException($"The factor has {factor.Length} values; expected {n} x {n}.", nameof(factor));
        }

        if (rows.Length != n * width)
        {
            throw new ArgumentException($"rows has {rows.Length} values; expected {n} rows of {width}.", nameof(rows));
        }
    }
}
