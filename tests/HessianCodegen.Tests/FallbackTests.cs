using System;
using System.Linq;
using HessianCodegen.Tests.Infrastructure;
using HessianCodegen.Tests.ReferenceLayers;
using Xunit;
using Xunit.Abstractions;

namespace HessianCodegen.Tests;

/// <summary>
/// The banded LU as the fallback of the Riccati recursion: a network whose last pivot block is exactly
/// singular while <c>H + eps I</c> is not.
/// </summary>
public sealed class FallbackTests(ITestOutputHelper output)
{
    [Fact]
    public void ExactlySingularPivotBlockTakesTheBandedLU()
    {
        // A tanh layer fed zero inputs with zero biases outputs exactly 0, so the loss layer sees
        // z~ = (z, 1) = (0, 0, 1) and its Xxx is exactly -e3 e3^T: A = Xxx + I = diag(1, 1, 0), singular,
        // while H + I stays regular (checked densely below).
        var network = new Network(
            new DenseReferenceLayer(Activation.Tanh, 2, 2),
            new NegatedSquaredErrorReferenceLayer(2, 1));
        double[] parameters = network.RandomParameters(7);
        network.ParameterSlice(parameters.AsSpan(), 0)[4..].Clear();
        NetworkPoint point = network.At(parameters, Batch.WithTargets(new double[1, 2], new double[,] { { 0.5 } }));
        const double epsilon = 1.0;
        double[,] matrix = DenseReference.Damped(point.DenseHessian(), epsilon);
        double[] eigenvalues = DenseReference.SymmetricEigenvalues(matrix);
        double smallest = eigenvalues.Min(Math.Abs);
        output.WriteLine($"eigenvalues of H + eps I: {string.Join(", ", eigenvalues.Select(value => value.ToString("G6")))}");
        Assert.True(smallest > 1e-3, $"H + eps I must be regular for this test; its smallest |eigenvalue| is {smallest:E2}");

        HessianFactorization factorization = point.Derivatives().Factorize(epsilon);
        double[] rhs = RandomNetworks.Vector(17, network.ParameterCount);
        double[] x = factorization.Solve(rhs);
        var refined = new double[rhs.Length];
        SolveReport report = factorization.SolveRefined(rhs, refined);
        (double expectedLog, int expectedSign) = DenseReference.LogDeterminant(matrix);
        output.WriteLine($"path {factorization.Path}, inertia {factorization.Inertia}, log|det| {factorization.LogDeterminant} " +
            $"(dense {expectedLog:R}, {expectedSign}), backward error {report.BackwardError:E2}");

        Assert.Equal(FactorizationPath.BandedLU, factorization.Path);
        Assert.Equal(FactorizationPath.BandedLU, report.Path);
        Assert.Null(factorization.Inertia);
        Assert.False(factorization.IsPositiveDefinite);
        Assert.Equal(expectedSign, factorization.LogDeterminant.Sign);
        Assert.InRange(Math.Abs(factorization.LogDeterminant.LogAbsoluteValue - expectedLog), 0, 1e-10 * Math.Max(1, Math.Abs(expectedLog)));
        Assert.InRange(DenseBackwardError(matrix, x, rhs), 0, 1e-15);
        Assert.InRange(DenseBackwardError(matrix, refined, rhs), 0, 1e-15);
        Assert.InRange(Norms.RelativeError(x, DenseReference.Solve(matrix, rhs)), 0, 1e-13);
    }

    private static double DenseBackwardError(double[,] matrix, double[] x, double[] rhs)
    {
        int n = rhs.Length;
        double residual = 0;
        for (int i = 0; i < n; i++)
        {
            double row = -rhs[i];
            for (int j = 0; j < n; j++)
            {
                row += matrix[i, j] * x[j];
            }

            residual += row * row;
        }

        return Math.Sqrt(residual) / ((DenseReference.TwoNorm(matrix) * Norms.Norm(x)) + Norms.Norm(rhs));
    }
}
