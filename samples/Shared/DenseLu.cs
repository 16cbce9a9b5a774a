using System;
using System.Numerics;

namespace SampleSupport;

/// <summary>
/// Dense LU factorization with partial pivoting of a square row-major matrix (what LAPACK
/// <c>dgetrf</c>/<c>dgetrs</c> compute), kept deliberately plain: the samples use it as an
/// independent check of the structured solver and as the dense baseline it is timed against.
/// </summary>
public sealed class DenseLu
{
    private readonly double[] _factors;
    private readonly int[] _pivots;

    private DenseLu(double[] factors, int[] pivots, int order)
    {
        _factors = factors;
        _pivots = pivots;
        Order = order;
    }

    /// <summary>The row-major matrix <c>H + eps I</c> of a dense Hessian, ready for <see cref="Factor"/>.</summary>
    public static double[] DampedSystem(double[,] hessian, double epsilon)
    {
        int size = hessian.GetLength(0);
        var matrix = new double[size * size];
        for (int i = 0; i < size; i++)
        {
            for (int j = 0; j < size; j++)
            {
                matrix[(i * size) + j] = hessian[i, j];
            }

            matrix[(i * size) + i] += epsilon;
        }

        return matrix;
    }

    /// <summary>Rows (and columns) of the factored matrix.</summary>
    public int Order { get; }

    /// <summary>Factors a copy of <paramref name="matrix"/> (row-major, <paramref name="order"/> squared entries).</summary>
    /// <exception cref="ArgumentException">The matrix has the wrong length or is singular to working precision.</exception>
    public static DenseLu Factor(ReadOnlySpan<double> matrix, int order)
    {
        if (matrix.Length != order * order)
        {
            throw new ArgumentException(
                $"A dense matrix of order {order} needs {order * order} entries; {matrix.Length} were given.", nameof(matrix));
        }

        double[] a = matrix.ToArray();
        int[] pivots = new int[order];
        for (int k = 0; k < order; k++)
        {
            // Pivot: the largest magnitude in column k at or below the diagonal.
            int pivot = k;
            double largest = Math.Abs(a[k * order + k]);
            for (int i = k + 1; i < order; i++)
            {
                double candidate = Math.Abs(a[i * order + k]);
                if (candidate > largest)
                {
                    largest = candidate;
                    pivot = i;
                }
            }

            if (largest == 0.0)
            {
                throw new ArgumentException($"The dense matrix is singular: column {k} has no non-zero pivot.", nameof(matrix));
            }

            pivots[k] = pivot;
            if (pivot != k)
            {
                for (int j = 0; j < order; j++)
                {
                    (a[k * order + j], a[pivot * order + j]) = (a[pivot * order + j], a[k * order + j]);
                }
            }

            double inversePivot = 1.0 / a[k * order + k];
            ReadOnlySpan<double> pivotRow = a.AsSpan(k * order + k + 1, order - k - 1);
            for (int i = k + 1; i < order; i++)
            {
                double multiplier = a[i * order + k] * inversePivot;
                a[i * order + k] = multiplier;
                SubtractScaled(multiplier, pivotRow, a.AsSpan(i * order + k + 1, order - k - 1));
            }
        }

        return new DenseLu(a, pivots, order);
    }

    /// <summary>Solves <c>A x = rhs</c> for one right-hand side.</summary>
    public double[] Solve(ReadOnlySpan<double> rhs)
    {
        if (rhs.Length != Order)
        {
            throw new ArgumentException($"The right-hand side needs {Order} entries; {rhs.Length} were given.", nameof(rhs));
        }

        double[] x = rhs.ToArray();
        int n = Order;
        for (int k = 0; k < n; k++)
        {
            (x[k], x[_pivots[k]]) = (x[_pivots[k]], x[k]);
        }

        // Forward substitution with the unit lower factor, then back substitution with the upper one.
        for (int i = 1; i < n; i++)
        {
            double sum = x[i];
            for (int j = 0; j < i; j++)
            {
                sum -= _factors[i * n + j] * x[j];
            }

            x[i] = sum;
        }

        for (int i = n - 1; i >= 0; i--)
        {
            double sum = x[i];
            for (int j = i + 1; j < n; j++)
            {
                sum -= _factors[i * n + j] * x[j];
            }

            x[i] = sum / _factors[i * n + i];
        }

        return x;
    }

    // target -= multiplier * source, element by element (SIMD lanes do not reorder any sum, so the
    // result does not depend on the vector width).
    private static void SubtractScaled(double multiplier, ReadOnlySpan<double> source, Span<double> target)
    {
        int j = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var scale = new Vector<double>(multiplier);
            for (; j <= target.Length - Vector<double>.Count; j += Vector<double>.Count)
            {
                (new Vector<double>(target[j..]) - (scale * new Vector<double>(source[j..]))).CopyTo(target[j..]);
            }
        }

        for (; j < target.Length; j++)
        {
            target[j] -= multiplier * source[j];
        }
    }

    /// <summary>Floating-point operations of factoring a dense matrix of this order: about 2/3 n^3.</summary>
    public static double FactorFlops(int order) => 2.0 / 3.0 * order * (double)order * order;
}
