using System;
using System.Diagnostics;
using HessianCodegen.LinearAlgebra;

namespace HessianCodegen.Optimization;

/// <summary>
/// The exact trust-region subproblem <c>min g^T p + p^T M p / 2</c> subject to <c>||p|| &lt;= radius</c>
/// (More and Sorensen, 1983; Nocedal and Wright, Algorithm 4.3; docs/algorithm.md section 15).
/// </summary>
/// <remarks>
/// The solution is <c>p = -(M + lambda I)^-1 g</c> with <c>M + lambda I</c> positive semi-definite,
/// <c>lambda &gt;= 0</c> and <c>lambda (radius - ||p||) = 0</c>. The search over <c>lambda</c> keeps a
/// bracket <c>[lower, upper]</c>: a shift whose factorization is not positive definite (exact inertia)
/// raises <c>lower</c>, and so does minus any Rayleigh quotient of <c>M</c>; a positive definite shift
/// with <c>||p|| &lt; radius</c> lowers <c>upper</c>. Inside it, Newton's method on the secular equation
/// <c>1/radius - 1/||p(lambda)|| = 0</c> (whose derivative needs a second solve with the same factors),
/// safeguarded by a step into the bracket when Newton leaves it. When <c>g</c> is (nearly) orthogonal
/// to the eigenvectors of the most negative eigenvalue (the hard case), <c>||p(lambda)||</c> stays
/// below the radius for every admissible <c>lambda</c>; then an eigenvector estimate <c>z</c> from inverse
/// iteration with the same factors completes the step to the boundary, <c>p + tau z</c>, accepted by
/// More and Sorensen's test once <c>lambda</c> is close enough to minus the smallest eigenvalue.
/// </remarks>
public static class TrustRegionSubproblem
{
    /// <summary>Default relative tolerance on <c>||p|| = radius</c>: tight enough to be the exact step.</summary>
    public const double DefaultTolerance = 1e-10;

    private const int MaxFactorizations = 200;
    private const int LanczosSteps = 40;
    private const int InverseIterations = 3;

    /// <summary>
    /// Solves the subproblem for the curvature the derivatives describe (<c>H</c>, or <c>G</c> for
    /// <see cref="Curvature.GaussNewton"/>): one factorization of the same derivatives per trial shift,
    /// products <c>H v</c> for the model. The gradient need not be the point's own (a larger batch's, say).
    /// </summary>
    /// <param name="derivatives">The derivatives at the point, computed once.</param>
    /// <param name="gradient">The linear term <c>g</c>.</param>
    /// <param name="radius">The trust-region radius, a finite number &gt; 0.</param>
    /// <param name="tolerance">Relative tolerance in (0, 1) on <c>||p|| = radius</c> (see the other overload).</param>
    /// <exception cref="ArgumentException">The gradient has the wrong length or a value that is not finite.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The radius or the tolerance is out of range.</exception>
    /// <exception cref="ArithmeticException">The search did not converge within its factorization budget.</exception>
    public static TrustRegionSolution Solve(HessianDerivatives derivatives, ReadOnlySpan<double> gradient, double radius, double tolerance = DefaultTolerance)
    {
        ArgumentNullException.ThrowIfNull(derivatives);
        return Solve(NetworkCurvature.For(derivatives), gradient, radius, tolerance);
    }

    /// <summary>Solves the subproblem for the matrix behind <paramref name="system"/>.</summary>
    /// <param name="system">The matrix <c>M</c>.</param>
    /// <param name="gradient">The linear term <c>g</c>.</param>
    /// <param name="radius">The trust-region radius, a finite number &gt; 0.</param>
    /// <param name="tolerance">
    /// Relative tolerance in (0, 1): a boundary step satisfies <c>|(||p|| - radius)| &lt;= tolerance radius</c>,
    /// and a hard-case step More and Sorensen's test with <c>sigma = tolerance</c>. 0.1 is what they use
    /// in a trust-region method; the default is for an exact answer.
    /// </param>
    /// <exception cref="ArgumentException">The gradient has the wrong length or a value that is not finite.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The radius or the tolerance is out of range.</exception>
    /// <exception cref="ArithmeticException">The search did not converge within its factorization budget.</exception>
    internal static TrustRegionSolution Solve(IShiftedSystem system, ReadOnlySpan<double> gradient, double radius, double tolerance = DefaultTolerance)
    {
        ArgumentNullException.ThrowIfNull(system);
        Guard.Length(gradient, system.Dimension, nameof(gradient));
        Guard.Finite(gradient, nameof(gradient));
        if (!(radius > 0) || !double.IsFinite(radius))
        {
            throw new ArgumentOutOfRangeException(nameof(radius), radius, $"radius is {radius}; expected a finite number > 0.");
        }

        if (!(tolerance > 0 && tolerance < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(tolerance), tolerance, $"tolerance is {tolerance}; expected a number in (0, 1).");
        }

        return new Search(system, gradient.ToArray(), radius, tolerance).Run();
    }

    /// <summary>The state of one search: the bracket, the buffers and the counters.</summary>
    private sealed class Search(IShiftedSystem system, double[] g, double radius, double tolerance)
    {
        private readonly int n = system.Dimension;
        private readonly double gradientNorm = VectorKernels.Norm(g);
        private readonly Stopwatch factorizationClock = new();
        private readonly Stopwatch solveClock = new();
        private double lower;
        private double upper = double.PositiveInfinity;
        private ExtremeEigenvalues? spectrum;
        private double[]? eigenvector;
        private int factorizations;
        private int solves;

        public TrustRegionSolution Run()
        {
            var p = new double[n];
            var u = new double[n];

            // A negative Ritz value proves M indefinite (Ritz values lie inside the spectrum): then no
            // interior step exists and the factorization at lambda = 0 would be wasted; start just above
            // minus that value instead. A few products cost far less than one factorization.
            double lambda = Spectrum().Smallest < 0 ? InsideBracket(firstAfterSpectrum: true) : 0;
            while (true)
            {
                if (factorizations >= MaxFactorizations)
                {
                    throw new ArithmeticException(
                        $"The trust-region search did not converge in {MaxFactorizations} factorizations (lambda in [{lower:R}, {upper:R}]); " +
                        "expected the bracket to close. Is the matrix symmetric?");
                }

                // Disposed at the end of this trial: the next shift's factorization reuses its storage.
                using IShiftedFactorization factorization = Factorize(lambda);
                if (!factorization.IsPositiveDefinite)
                {
                    lower = Math.Max(lower, lambda);
                    Spectrum();
                    lambda = InsideBracket(firstAfterSpectrum: lambda == 0);
                    continue;
                }

                Solve(factorization, g, p);
                Negate(p);
                double norm = VectorKernels.Norm(p);
                if (lambda == 0 && norm <= radius)
                {
                    return Finish(p, 0, onBoundary: norm >= (1 - tolerance) * radius, hardCase: false);
                }

                if (Math.Abs(norm - radius) <= tolerance * radius)
                {
                    return Finish(p, lambda, onBoundary: true, hardCase: false);
                }

                if (norm > radius)
                {
                    lower = Math.Max(lower, lambda);
                }
                else
                {
                    upper = Math.Min(upper, lambda);
                    double[]? completed = TryHardCase(factorization, p, norm, lambda);
                    if (completed is not null)
                    {
                        return Finish(completed, lambda, onBoundary: true, hardCase: true);
                    }
                }

                // Newton on 1/radius - 1/||p||: d||p||/dlambda = -p^T (M + lambda I)^-1 p / ||p||.
                Solve(factorization, p, u);
                double curvature = VectorKernels.Dot(p, u);
                double newton = lambda + (norm * norm / curvature * ((norm - radius) / radius));
                lambda = newton > lower && newton < upper && double.IsFinite(newton) ? newton : InsideBracket(firstAfterSpectrum: false);
                if (upper - lower <= 4 * double.Epsilon * Math.Max(1.0, upper) && lambda >= upper)
                {
                    throw new ArithmeticException(
                        $"The trust-region search lost its bracket at lambda {lambda:R}; expected a positive definite shift above {lower:R}.");
                }
            }
        }

        /// <summary>
        /// The completion <c>p + tau z</c> to the boundary along an eigenvector estimate <c>z</c> of the
        /// smallest eigenvalue, when More and Sorensen's test accepts it; otherwise null. Any Rayleigh
        /// quotient <c>z^T M z</c> is at least the smallest eigenvalue, so its negative also raises the
        /// lower end of the bracket.
        /// </summary>
        private double[]? TryHardCase(IShiftedFactorization factorization, double[] p, double norm, double lambda)
        {
            double[] z = eigenvector ??= StartVector();
            var w = new double[n];
            for (int k = 0; k < InverseIterations; k++)
            {
                Solve(factorization, z, w);
                double wNorm = VectorKernels.Norm(w);
                for (int i = 0; i < n; i++)
                {
                    z[i] = w[i] / wNorm;
                }
            }

            Multiply(z, w);
            double rayleigh = VectorKernels.Dot(z, w);
            lower = Math.Max(lower, -rayleigh);

            // ||p + tau z|| = radius; of the two roots take the one with the lower model value.
            double pz = VectorKernels.Dot(p, z);
            double root = Math.Sqrt((pz * pz) + ((radius - norm) * (radius + norm)));
            double tau1 = -pz + root;
            double tau2 = -pz - root;
            double tau = ModelChange(tau1, pz, rayleigh, lambda) <= ModelChange(tau2, pz, rayleigh, lambda) ? tau1 : tau2;

            // More and Sorensen: accept when tau^2 z^T (M + lambda I) z <= sigma (2 - sigma) (p^T (M + lambda I) p + lambda radius^2).
            double shiftedCurvature = Math.Max(rayleigh + lambda, 0);
            double pShiftedP = -VectorKernels.Dot(g, p);
            if (tau * tau * shiftedCurvature > tolerance * (2 - tolerance) * (pShiftedP + (lambda * radius * radius)))
            {
                return null;
            }

            var step = (double[])p.Clone();
            VectorKernels.Axpy(tau, z, step);
            return step;
        }

        /// <summary>
        /// m(p + tau z) - m(p) with (M + lambda I) p = -g: tau (g + M p)^T z + tau^2 z^T M z / 2 = -tau lambda p^T z + tau^2 r / 2.
        /// </summary>
        private static double ModelChange(double tau, double pz, double rayleigh, double lambda) =>
            (-tau * lambda * pz) + (0.5 * tau * tau * rayleigh);

        /// <summary>
        /// A shift inside the bracket when Newton's cannot be used. Right after the spectrum estimate the
        /// lower end is minus a Ritz value, usually within the Ritz residual of the true bound: try just
        /// above it. Otherwise More and Sorensen's choice, max(sqrt(lower upper), lower + (upper - lower) / 1000).
        /// </summary>
        private double InsideBracket(bool firstAfterSpectrum)
        {
            double high = upper;
            if (double.IsPositiveInfinity(high))
            {
                // lambda* <= ||g|| / radius - lambda_min(M) <= ||g|| / radius + ||M||: a guess (the norm is
                // estimated from below), doubled whenever a shift at or above it was too small.
                ExtremeEigenvalues estimate = Spectrum();
                high = (gradientNorm / radius) + (1.5 * estimate.NormEstimate) + double.Epsilon;
                while (high <= lower)
                {
                    high = (2 * high) + (gradientNorm / radius);
                }
            }

            if (firstAfterSpectrum && spectrum is { } s && -s.Smallest >= lower)
            {
                double margin = Math.Max(s.SmallestResidual, 1e-8 * s.NormEstimate);
                double guess = -s.Smallest + margin;
                if (guess > lower && guess < high)
                {
                    return guess;
                }
            }

            return Math.Max(Math.Sqrt(lower * high), lower + ((high - lower) / 1000));
        }

        private ExtremeEigenvalues Spectrum()
        {
            if (spectrum is { } known)
            {
                return known;
            }

            solveClock.Start();
            ExtremeEigenvalues estimate = ExtremeEigenvalues.Estimate(system, LanczosSteps, seed: 1);
            solveClock.Stop();
            lower = Math.Max(lower, -estimate.Smallest);
            spectrum = estimate;
            return estimate;
        }

        private TrustRegionSolution Finish(double[] step, double lambda, bool onBoundary, bool hardCase)
        {
            // The model value from one exact product M p rather than from identities that hold only
            // for an exact solve.
            var product = new double[n];
            Multiply(step, product);
            double model = VectorKernels.Dot(g, step) + (0.5 * VectorKernels.Dot(step, product));
            return new TrustRegionSolution(step, lambda, onBoundary, hardCase, -model, factorizations, solves,
                factorizationClock.Elapsed, solveClock.Elapsed);
        }

        private IShiftedFactorization Factorize(double shift)
        {
            factorizations++;
            factorizationClock.Start();
            try
            {
                return system.Factorize(shift);
            }
            finally
            {
                factorizationClock.Stop();
            }
        }

        private void Solve(IShiftedFactorization factorization, ReadOnlySpan<double> rhs, Span<double> result)
        {
            solves++;
            solveClock.Start();
            factorization.Solve(rhs, result);
            solveClock.Stop();
        }

        private void Multiply(ReadOnlySpan<double> v, Span<double> result)
        {
            solveClock.Start();
            system.Multiply(v, result);
            solveClock.Stop();
        }

        private double[] StartVector()
        {
            var random = new Random(7);
            var z = new double[n];
            for (int i = 0; i < n; i++)
            {
                z[i] = random.NextDouble() - 0.5;
            }

            return z;
        }

        private static void Negate(Span<double> v)
        {
            foreach (ref double value in v)
            {
                value = -value;
            }
        }
    }
}
