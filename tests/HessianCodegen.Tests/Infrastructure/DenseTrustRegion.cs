using System;
using System.Linq;
using MathNet.Numerics.LinearAlgebra;

namespace HessianCodegen.Tests.Infrastructure;

/// <summary>
/// The trust-region subproblem solved in the eigenbasis of a dense symmetric matrix (MathNet's
/// eigendecomposition): an answer independent of the factorization-based search.
/// </summary>
internal static class DenseTrustRegion
{
    /// <summary>
    /// The minimizer of <c>g^T p + p^T M p / 2</c> over <c>||p|| &lt;= radius</c> and its multiplier. In the
    /// hard case the step is <c>p + tau q_1</c> with <c>tau &gt;= 0</c>; <c>-(p + tau q_1)</c>'s mirror
    /// <c>p - tau q_1</c> is the other minimizer (returned as <paramref name="mirror"/>).
    /// </summary>
    public static double[] Solve(Matrix<double> m, double[] g, double radius, out double lambda, out double[] mirror)
    {
        var evd = m.Evd(Symmetricity.Symmetric);
        double[] d = evd.EigenValues.Select(value => value.Real).ToArray();
        Matrix<double> q = evd.EigenVectors;
        int n = d.Length;
        int smallest = Enumerable.Range(0, n).MinBy(i => d[i]);
        double[] c = (q.Transpose() * Vector<double>.Build.DenseOfArray(g)).ToArray();
        double scale = Math.Max(1.0, d.Max(Math.Abs));

        double NormAt(double shift) => Math.Sqrt(Enumerable.Range(0, n).Sum(i => Math.Pow(c[i] / (d[i] + shift), 2)));

        double[] StepAt(double shift, bool skipSmallest)
        {
            var coefficients = new double[n];
            for (int i = 0; i < n; i++)
            {
                coefficients[i] = skipSmallest && Math.Abs(d[i] - d[smallest]) <= 1e-12 * scale ? 0 : -c[i] / (d[i] + shift);
            }

            return (q * Vector<double>.Build.DenseOfArray(coefficients)).ToArray();
        }

        if (d[smallest] > 0 && NormAt(0) <= radius)
        {
            lambda = 0;
            mirror = StepAt(0, skipSmallest: false);
            return mirror;
        }

        double low = Math.Max(0, -d[smallest]);
        double gradientNorm = Math.Sqrt(c.Sum(x => x * x));
        bool orthogonal = Enumerable.Range(0, n).Where(i => Math.Abs(d[i] - d[smallest]) <= 1e-12 * scale)
            .All(i => Math.Abs(c[i]) <= 1e-12 * gradientNorm);
        if (d[smallest] <= 0 && orthogonal && NormAtExcludingSmallest(low) <= radius)
        {
            lambda = low;
            double[] p = StepAt(low, skipSmallest: true);
            double tau = Math.Sqrt(radius * radius - p.Sum(x => x * x));
            Vector<double> eigenvector = q.Column(smallest);
            mirror = p.Select((x, i) => x - (tau * eigenvector[i])).ToArray();
            return p.Select((x, i) => x + (tau * eigenvector[i])).ToArray();
        }

        // ||p(shift)|| decreases from infinity at -d_min to 0: bisection to the last bit.
        double high = low + 1;
        while (NormAt(high) > radius)
        {
            high = low + (2 * (high - low));
        }

        for (int iteration = 0; iteration < 2000 && high - low > 0; iteration++)
        {
            double middle = 0.5 * (low + high);
            if (middle <= low || middle >= high)
            {
                break;
            }

            if (NormAt(middle) > radius)
            {
                low = middle;
            }
            else
            {
                high = middle;
            }
        }

        lambda = 0.5 * (low + high);
        mirror = StepAt(lambda, skipSmallest: false);
        return mirror;

        double NormAtExcludingSmallest(double shift) => Math.Sqrt(Enumerable.Range(0, n)
            .Where(i => Math.Abs(d[i] - d[smallest]) > 1e-12 * scale)
            .Sum(i => Math.Pow(c[i] / (d[i] + shift), 2)));
    }
}
