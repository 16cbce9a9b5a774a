using System;

namespace HessianCodegen.Optimization;

/// <summary>
/// The curvature of a network at a point behind the trust-region abstraction: derivatives computed
/// once, one Riccati factorization per trial shift (whose pivot blocks give the exact inertia), and
/// matrix-free products with the same matrix.
/// </summary>
internal static class NetworkCurvature
{
    /// <summary>The curvature at <paramref name="point"/>, on derivatives of its own that disposing the system disposes.</summary>
    public static IShiftedSystem For(NetworkPoint point, Curvature curvature) => new System(point.Derivatives(curvature), ownsDerivatives: true);

    /// <summary>The curvature described by the caller's <paramref name="derivatives"/>, which stay the caller's to dispose.</summary>
    public static IShiftedSystem For(HessianDerivatives derivatives) => new System(derivatives, ownsDerivatives: false);

    private sealed class System(HessianDerivatives derivatives, bool ownsDerivatives) : IShiftedSystem
    {
        public void Dispose()
        {
            if (ownsDerivatives)
            {
                derivatives.Dispose();
            }
        }

        public int Dimension => derivatives.Point.Network.ParameterCount;

        public IShiftedFactorization Factorize(double shift)
        {
            try
            {
                return new Factorization(derivatives.Factorize(shift));
            }
            catch (SingularSystemException)
            {
                // Singular at this shift: not positive definite, and the search only needs to know that.
                return Singular.Instance;
            }
        }

        public void Multiply(ReadOnlySpan<double> v, Span<double> result)
        {
            if (derivatives.Curvature == Curvature.GaussNewton)
            {
                derivatives.Point.GaussNewtonVector(v, result);
            }
            else
            {
                derivatives.Point.HessianVector(v, result);
            }
        }
    }

    private sealed class Factorization(HessianFactorization factorization) : IShiftedFactorization
    {
        public bool IsPositiveDefinite => factorization.IsPositiveDefinite;

        public void Solve(ReadOnlySpan<double> rhs, Span<double> result) => factorization.Solve(rhs, result);

        public void Dispose() => factorization.Dispose();
    }

    private sealed class Singular : IShiftedFactorization
    {
        public static readonly Singular Instance = new();

        public bool IsPositiveDefinite => false;

        public void Solve(ReadOnlySpan<double> rhs, Span<double> result) =>
            throw new SingularSystemException("The shifted curvature is singular; it has no solve.", layer: -1, epsilon: double.NaN);
    }
}
