using System;
using HessianCodegen.LinearAlgebra;

namespace HessianCodegen.Optimization;

/// <summary>
/// Estimates of the smallest and largest eigenvalue of a symmetric matrix from a few products
/// <c>M v</c> (Lanczos with full reorthogonalization, then the Jacobi eigenvalue method on the small
/// tridiagonal matrix). Ritz values lie inside the spectrum, so <c>-Smallest</c> is a valid lower
/// bound on the shift that makes <c>M + shift I</c> positive semi-definite; <see cref="SmallestResidual"/>
/// says how far below <c>Smallest</c> the true smallest eigenvalue can be (in practice).
/// </summary>
internal readonly record struct ExtremeEigenvalues(double Smallest, double Largest, double SmallestResidual)
{
    /// <summary>The largest magnitude among the two estimates: a (from below) estimate of <c>||M||_2</c>.</summary>
    public double NormEstimate => Math.Max(Math.Abs(Smallest), Math.Abs(Largest));

    public static ExtremeEigenvalues Estimate(IShiftedSystem system, int steps, int seed)
    {
        int n = system.Dimension;
        int k = Math.Min(steps, n);
        var basis = new double[k][];
        var alpha = new double[k];
        var beta = new double[k];
        var w = new double[n];
        var random = new Random(seed);
        var v = new double[n];
        for (int i = 0; i < n; i++)
        {
            v[i] = random.NextDouble() - 0.5;
        }

        Scale(v, 1.0 / VectorKernels.Norm(v));
        int used = 0;
        for (int j = 0; j < k; j++)
        {
            basis[j] = v;
            used = j + 1;
            system.Multiply(v, w);
            alpha[j] = VectorKernels.Dot(v, w);

            // Full reorthogonalization (twice is enough): k is small, and a lost orthogonality
            // would produce ghost copies of the extreme Ritz values.
            for (int pass = 0; pass < 2; pass++)
            {
                for (int i = 0; i <= j; i++)
                {
                    VectorKernels.Axpy(-VectorKernels.Dot(basis[i], w), basis[i], w);
                }
            }

            double norm = VectorKernels.Norm(w);
            beta[j] = norm;
            if (j + 1 == k || norm <= 1e-14 * Math.Max(1.0, Math.Abs(alpha[j])))
            {
                break;
            }

            v = new double[n];
            for (int i = 0; i < n; i++)
            {
                v[i] = w[i] / norm;
            }
        }

        // Eigenpairs of the used x used tridiagonal matrix.
        var t = new double[used, used];
        for (int i = 0; i < used; i++)
        {
            t[i, i] = alpha[i];
            if (i + 1 < used)
            {
                t[i, i + 1] = t[i + 1, i] = beta[i];
            }
        }

        double[,] vectors = JacobiEigen(t, out double[] values);
        int smallest = 0;
        int largest = 0;
        for (int i = 1; i < used; i++)
        {
            smallest = values[i] < values[smallest] ? i : smallest;
            largest = values[i] > values[largest] ? i : largest;
        }

        // The Ritz residual ||M y - theta y|| = beta_last |s_last|.
        double residual = beta[used - 1] * Math.Abs(vectors[used - 1, smallest]);
        return new ExtremeEigenvalues(values[smallest], values[largest], residual);
    }

    private static void Scale(Span<double> v, double factor)
    {
        foreach (ref double value in v)
        {
            value *= factor;
        }
    }

    /// <summary>Cyclic Jacobi rotations on a small symmetric matrix: eigenvalues and eigenvectors (columns).</summary>
    private static double[,] JacobiEigen(double[,] a, out double[] values)
    {
        int n = a.GetLength(0);
        var v = new double[n, n];
        for (int i = 0; i < n; i++)
        {
            v[i, i] = 1;
        }

        for (int sweep = 0; sweep < 100; sweep++)
        {
            double off = 0;
            double total = 0;
            for (int i = 0; i < n; i++)
            {
                for (int j = 0; j < n; j++)
                {
                    total += a[i, j] * a[i, j];
                    off += i != j ? a[i, j] * a[i, j] : 0;
                }
            }

            if (off <= 1e-30 * total)
            {
                break;
            }

            for (int p = 0; p < n - 1; p++)
            {
                for (int q = p + 1; q < n; q++)
                {
                    if (a[p, q] == 0)
                    {
                        continue;
                    }

                    double theta = (a[q, q] - a[p, p]) / (2 * a[p, q]);
                    double tangent = Math.Sign(theta == 0 ? 1 : theta) / (Math.Abs(theta) + Math.Sqrt((theta * theta) + 1));
                    double c = 1 / Math.Sqrt((tangent * tangent) + 1);
                    double s = tangent * c;
                    for (int r = 0; r < n; r++)
                    {
                        double arp = a[r, p];
                        double arq = a[r, q];
                        a[r, p] = (c * arp) - (s * arq);
                        a[r, q] = (s * arp) + (c * arq);
                    }

                    for (int r = 0; r < n; r++)
                    {
                        double apr = a[p, r];
                        double aqr = a[q, r];
                        a[p, r] = (c * apr) - (s * aqr);
                        a[q, r] = (s * apr) + (c * aqr);
                    }

                    for (int r = 0; r < n; r++)
                    {
                        double vrp = v[r, p];
                        double vrq = v[r, q];
                        v[r, p] = (c * vrp) - (s * vrq);
                        v[r, q] = (s * vrp) + (c * vrq);
                    }
                }
            }
        }

        values = new double[n];
        for (int i = 0; i < n; i++)
        {
            values[i] = a[i, i];
        }

        return v;
    }
}
