using System;
using System.Runtime.CompilerServices;

namespace HessianCodegen.LinearAlgebra;

/// <summary>
/// Cholesky of a matrix of a few dozen rows at most, in place on its lower triangle: the low-rank route's groups (a dense
/// layer's group is one unit's weights and bias, 9 parameters at width 8, 17 at width 16), factored once per group and
/// layer. Right-looking, column by column, in plain loops: at these orders the square copy of
/// <see cref="RightLookingCholeskyKernel"/> and the calls of its row kernels cost more than the arithmetic, and the updates
/// of one column are independent of each other, where the row-by-row Crout order waits on each dot product in turn.
/// Unlike those kernels it leaves the lower triangle partly overwritten when a pivot fails: its caller's matrix is scratch.
/// </summary>
internal static class SmallCholeskyKernel
{
    /// <summary>The largest order the low-rank route gives this kernel (larger groups take <see cref="PivotBlockFactor.FactorCholesky"/>).</summary>
    internal const int Limit = 32;

    /// <summary>
    /// Overwrites the lower triangle of <paramref name="a"/> (<paramref name="n"/> x <paramref name="n"/>, row-major) with
    /// <c>L</c>, <c>A = L L^T</c>, reading the lower triangle of <c>A</c>; the strict upper triangle is not touched. A pivot
    /// <c>L_ii^2</c> at most <paramref name="tinyPivot"/> (or not a number) stops it.
    /// </summary>
    /// <returns>-1 on success, else the row whose pivot failed (then the lower triangle is partly overwritten).</returns>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int Factor(Span<double> a, int n, double tinyPivot, ref long flops)
    {
        if (n < 0 || a.Length != n * n)
        {
            throw new ArgumentException($"A Cholesky factorization of order {n} needs {n} x {n} values; got {a.Length}.", nameof(a));
        }

        for (int k = 0; k < n; k++)
        {
            double pivot = a[(k * n) + k];
            if (!(pivot > tinyPivot))
            {
                return k;
            }

            double diagonal = Math.Sqrt(pivot);
            a[(k * n) + k] = diagonal;
            double inverse = 1.0 / diagonal;
            for (int i = k + 1; i < n; i++)
            {
                a[(i * n) + k] *= inverse;
            }

            // The trailing lower triangle less column k times its transpose, row by row.
            for (int i = k + 1; i < n; i++)
            {
                double weight = a[(i * n) + k];
                Span<double> row = a.Slice((i * n) + k + 1, i - k);
                for (int j = 0; j < row.Length; j++)
                {
                    row[j] -= weight * a[((k + 1 + j) * n) + k];
                }
            }

            // A multiply-add per lower-triangle entry updated, as the other Cholesky kernels count.
            flops += (long)(n - k - 1) * (n - k);
        }

        return -1;
    }
}
