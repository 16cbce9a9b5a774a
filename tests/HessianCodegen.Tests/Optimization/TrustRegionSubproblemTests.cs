using System;
using System.Linq;
using HessianCodegen.Layers;
using HessianCodegen.Optimization;
using HessianCodegen.Tests.Infrastructure;
using MathNet.Numerics.LinearAlgebra;
using Xunit;

namespace HessianCodegen.Tests.Optimization;

/// <summary>
/// The factorization-based trust-region search against the same subproblem solved in the eigenbasis
/// (MathNet), to 1e-8: an interior step, boundary steps on definite and indefinite matrices, and a
/// hard case, on constructed matrices and on the Hessian of a small network.
/// </summary>
public sealed class TrustRegionSubproblemTests
{
    private const double Tolerance = 1e-8;

    [Fact]
    public void InteriorStepIsTheNewtonStep()
    {
        Matrix<double> m = WithEigenvalues(seed: 1, [0.5, 1, 2, 3, 5, 8]);
        double[] g = RandomNetworks.Vector(2, 6);
        TrustRegionSolution solution = CheckAgainstDense(m, g, radius: 100);
        Assert.Equal(0.0, solution.Lambda);
        Assert.False(solution.OnBoundary);
        Assert.Equal(1, solution.Factorizations);
    }

    [Fact]
    public void BoundaryStepOnADefiniteMatrix()
    {
        Matrix<double> m = WithEigenvalues(seed: 3, [0.5, 1, 2, 3, 5, 8]);
        TrustRegionSolution solution = CheckAgainstDense(m, RandomNetworks.Vector(4, 6), radius: 0.1);
        Assert.True(solution.OnBoundary);
        Assert.True(solution.Lambda > 0);
    }

    [Fact]
    public void BoundaryStepOnAnIndefiniteMatrix()
    {
        Matrix<double> m = WithEigenvalues(seed: 5, [-3, -1, 0.25, 1, 2, 4, 7]);
        TrustRegionSolution solution = CheckAgainstDense(m, RandomNetworks.Vector(6, 7), radius: 2);
        Assert.True(solution.OnBoundary);
        Assert.False(solution.HardCase);
        Assert.True(solution.Lambda > 3);
    }

    [Fact]
    public void HardCaseCompletesAlongTheSmallestEigenvector()
    {
        Matrix<double> m = WithEigenvalues(seed: 7, [-2, -1, 0.5, 1, 3, 6]);
        double[] g = Orthogonalize(m, RandomNetworks.Vector(8, 6));
        TrustRegionSolution solution = CheckAgainstDense(m, g, radius: 5);
        Assert.True(solution.HardCase);
        Assert.True(solution.OnBoundary);
    }

    [Fact]
    public void BoundaryStepOnTheHessianOfANetwork()
    {
        NetworkPoint point = SmallNetworkPoint();
        Matrix<double> h = Matrix<double>.Build.DenseOfArray(point.DenseHessian());
        Assert.True(h.Evd(Symmetricity.Symmetric).EigenValues.Min(value => value.Real) < 0, "expected an indefinite Hessian");
        TrustRegionSolution solution = CheckAgainstDense(h, point.Gradient(), radius: 1);
        Assert.True(solution.OnBoundary);
    }

    [Fact]
    public void HardCaseOnTheHessianOfANetwork()
    {
        NetworkPoint point = SmallNetworkPoint();
        Matrix<double> h = Matrix<double>.Build.DenseOfArray(point.DenseHessian());
        double[] g = Orthogonalize(h, point.Gradient());
        TrustRegionSolution solution = CheckAgainstDense(h, g, radius: 50);
        Assert.True(solution.HardCase);
    }

    [Theory]
    [InlineData(Curvature.Hessian, 0.5)]
    [InlineData(Curvature.Hessian, 50)]
    [InlineData(Curvature.GaussNewton, 0.05)]
    public void NetworkFactorizationGivesTheDenseSolution(Curvature curvature, double radius)
    {
        // The structured path: derivatives once, one Riccati factorization per trial shift, its inertia
        // for the positive-definiteness test, matrix-free products for the model.
        NetworkPoint point = SplitNetworkPoint();
        double[] g = point.Gradient();
        TrustRegionSolution solution = TrustRegionSubproblem.Solve(point.Derivatives(curvature), g, radius);
        Matrix<double> m = Matrix<double>.Build.DenseOfArray(curvature == Curvature.Hessian ? point.DenseHessian() : DenseGaussNewton(point));
        double[] expected = DenseTrustRegion.Solve(m, g, radius, out double lambda, out _);
        double error = Norms.RelativeError(solution.Step, expected);
        Assert.True(error <= Tolerance, $"step: relative error {error:E2} against the eigenbasis solution; expected <= {Tolerance:E0}");
        Assert.True(Math.Abs(solution.Lambda - lambda) <= Tolerance * Math.Max(1, lambda), $"lambda {solution.Lambda:R}; expected {lambda:R}");
    }

    [Fact]
    public void NetworkFactorizationTellsPositiveDefinitenessExactly()
    {
        // Shifts just below and just above minus the smallest eigenvalue of the dense Hessian.
        NetworkPoint point = SplitNetworkPoint();
        double smallest = Matrix<double>.Build.DenseOfArray(point.DenseHessian()).Evd(Symmetricity.Symmetric).EigenValues.Min(value => value.Real);
        Assert.True(smallest < 0, "expected an indefinite Hessian");
        IShiftedSystem system = NetworkCurvature.For(point, Curvature.Hessian);
        Assert.False(system.Factorize(-smallest * (1 - 1e-6)).IsPositiveDefinite);
        Assert.True(system.Factorize(-smallest * (1 + 1e-6)).IsPositiveDefinite);
        Assert.False(system.Factorize(0).IsPositiveDefinite);
    }

    [Fact]
    public void NetworkFactorizationSolvesTheHardCase()
    {
        NetworkPoint point = SplitNetworkPoint();
        Matrix<double> h = Matrix<double>.Build.DenseOfArray(point.DenseHessian());
        double[] g = Orthogonalize(h, point.Gradient());
        TrustRegionSolution solution = TrustRegionSubproblem.Solve(NetworkCurvature.For(point, Curvature.Hessian), g, radius: 50);
        double[] expected = DenseTrustRegion.Solve(h, g, 50, out double lambda, out double[] mirror);
        double error = Math.Min(Norms.RelativeError(solution.Step, expected), Norms.RelativeError(solution.Step, mirror));
        Assert.True(solution.HardCase);
        Assert.True(error <= Tolerance, $"step: relative error {error:E2} against the eigenbasis solution; expected <= {Tolerance:E0}");
        Assert.True(Math.Abs(solution.Lambda - lambda) <= Tolerance * Math.Max(1, lambda), $"lambda {solution.Lambda:R}; expected {lambda:R}");
    }

    [Fact]
    public void BadRadiusIsRejectedByName()
    {
        var system = new DenseShiftedSystem(WithEigenvalues(seed: 1, [1, 2]));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => TrustRegionSubproblem.Solve(system, [1.0, 1.0], radius: 0));
        Assert.Contains("radius is 0; expected a finite number > 0", e.Message, StringComparison.Ordinal);
    }

    private static TrustRegionSolution CheckAgainstDense(Matrix<double> m, double[] g, double radius)
    {
        var system = new DenseShiftedSystem(m);
        TrustRegionSolution solution = TrustRegionSubproblem.Solve(system, g, radius);
        double[] expected = DenseTrustRegion.Solve(m, g, radius, out double lambda, out double[] mirror);

        double error = Math.Min(Norms.RelativeError(solution.Step, expected), Norms.RelativeError(solution.Step, mirror));
        Assert.True(error <= Tolerance, $"step: relative error {error:E2} against the eigenbasis solution; expected <= {Tolerance:E0}");
        Assert.True(Math.Abs(solution.Lambda - lambda) <= Tolerance * Math.Max(1, lambda),
            $"lambda {solution.Lambda:R}; expected {lambda:R}");
        Assert.True(Norms.Norm(solution.Step) <= radius * (1 + 1e-10), "the step leaves the trust region");

        Vector<double> p = Vector<double>.Build.DenseOfArray(expected);
        double model = Vector<double>.Build.DenseOfArray(g).DotProduct(p) + (0.5 * p.DotProduct(m * p));
        Assert.True(Math.Abs(solution.PredictedReduction + model) <= Tolerance * Math.Abs(model),
            $"predicted reduction {solution.PredictedReduction:R}; expected {-model:R}");
        Assert.Equal(system.Factorizations, solution.Factorizations);
        return solution;
    }

    /// <summary>A symmetric matrix Q diag(values) Q^T with a random orthogonal Q.</summary>
    private static Matrix<double> WithEigenvalues(int seed, double[] values)
    {
        int n = values.Length;
        var random = new Random(seed);
        Matrix<double> a = Matrix<double>.Build.Dense(n, n, (_, _) => random.NextDouble() - 0.5);
        Matrix<double> q = a.QR().Q;
        Matrix<double> m = q * Matrix<double>.Build.DenseOfDiagonalArray(values) * q.Transpose();
        return (m + m.Transpose()) / 2;
    }

    /// <summary>g without its component along the eigenvector of the smallest eigenvalue: the hard case.</summary>
    private static double[] Orthogonalize(Matrix<double> m, double[] g)
    {
        var evd = m.Evd(Symmetricity.Symmetric);
        int smallest = Enumerable.Range(0, m.RowCount).MinBy(i => evd.EigenValues[i].Real);
        Vector<double> q = evd.EigenVectors.Column(smallest);
        Vector<double> v = Vector<double>.Build.DenseOfArray(g);
        return (v - (v.DotProduct(q) * q)).ToArray();
    }

    /// <summary>A tanh chain ending in a linear layer and the parameterless softmax cross-entropy (what Gauss-Newton needs).</summary>
    private static NetworkPoint SplitNetworkPoint()
    {
        var network = new Network(new TanhLayer(3, 4), new TanhLayer(4, 4), new LinearLayer(4, 3), new SoftmaxCrossEntropyLoss(3));
        double[] parameters = network.RandomParameters(seed: 13).Select(x => 3 * x).ToArray();
        var inputs = new double[,] { { 0.5, -1, 2 }, { 1.5, 0.25, -0.75 }, { -1, 1, 0.5 } };
        return network.At(parameters, Batch.WithLabels(inputs, [2, 0, 1]));
    }

    private static double[,] DenseGaussNewton(NetworkPoint point)
    {
        int n = point.Network.ParameterCount;
        var g = new double[n, n];
        var unit = new double[n];
        for (int j = 0; j < n; j++)
        {
            unit[j] = 1;
            double[] column = point.GaussNewtonVector(unit);
            unit[j] = 0;
            for (int i = 0; i < n; i++)
            {
                g[i, j] = column[i];
            }
        }

        return g;
    }

    private static NetworkPoint SmallNetworkPoint()
    {
        var network = new Network(new TanhLayer(3, 4), new TanhLayer(4, 3), new SoftmaxCrossEntropyLayer(3, 3));
        double[] parameters = network.RandomParameters(seed: 11).Select(x => 3 * x).ToArray();
        var inputs = new double[,] { { 0.5, -1, 2 }, { 1.5, 0.25, -0.75 } };
        return network.At(parameters, Batch.WithLabels(inputs, [2, 0]));
    }
}
