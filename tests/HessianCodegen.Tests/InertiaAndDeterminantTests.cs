using System;
using System.Linq;
using HessianCodegen.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace HessianCodegen.Tests;

/// <summary>
/// What a factorization tells about <c>H + eps I</c> (its inertia, positive definiteness and
/// log-determinant) against independent answers: the PyTorch oracle's counts and log-determinants,
/// and the eigenvalues (MathNet) of the dense Hessian, at damping on both sides of its most negative
/// eigenvalues, where the counts change.
/// </summary>
public sealed class InertiaAndDeterminantTests(ITestOutputHelper output)
{
    private const double LogDeterminantTolerance = 1e-10;

    [Theory]
    [MemberData(nameof(OracleFiles.Names), MemberType = typeof(OracleFiles))]
    public void InertiaAndLogDeterminantMatchTheOracle(string name)
    {
        ReferenceCase oracle = ReferenceCase.Load(OracleFiles.PathOf(name));
        OracleSpectrum spectrum = OracleSpectrum.Load(name);
        HessianDerivatives derivatives = oracle.Network.At(oracle.Parameters, oracle.Batch).Derivatives();
        foreach (OracleSpectrum.Solve solve in spectrum.Solves)
        {
            var expected = new Inertia(solve.PositiveEigenvalues, solve.NegativeEigenvalues, 0);
            HessianFactorization riccati = derivatives.Factorize(solve.Epsilon);
            HessianFactorization bandedLU = derivatives.Factorize(solve.Epsilon, FactorizationPath.BandedLU);
            output.WriteLine($"{name} eps {solve.Epsilon}: {riccati.Path}, inertia {riccati.Inertia}, log|det| " +
                $"{riccati.LogDeterminant.LogAbsoluteValue:R} (LU {bandedLU.LogDeterminant.LogAbsoluteValue:R}, oracle {solve.LogAbsoluteDeterminant:R})");

            Assert.Equal(FactorizationPath.Riccati, riccati.Path);
            Assert.Equal(expected, riccati.Inertia);
            Assert.Equal(solve.NegativeEigenvalues == 0, riccati.IsPositiveDefinite);
            int expectedSign = solve.NegativeEigenvalues % 2 == 0 ? 1 : -1;
            foreach (HessianFactorization factorization in new[] { riccati, bandedLU })
            {
                Assert.Equal(expectedSign, factorization.LogDeterminant.Sign);
                AssertRelativelyClose(solve.LogAbsoluteDeterminant, factorization.LogDeterminant.LogAbsoluteValue, $"{factorization.Path} log|det|");
            }
        }
    }

    [Theory]
    [MemberData(nameof(OracleFiles.Names), MemberType = typeof(OracleFiles))]
    public void InertiaCountsTheDenseEigenvaluesAcrossTheMostNegativeOnes(string name)
    {
        ReferenceCase oracle = ReferenceCase.Load(OracleFiles.PathOf(name));
        NetworkPoint point = oracle.Network.At(oracle.Parameters, oracle.Batch);
        double[,] hessian = point.DenseHessian();
        double[] eigenvalues = DenseReference.SymmetricEigenvalues(hessian);
        HessianDerivatives derivatives = point.Derivatives();
        double[] mostNegative = eigenvalues.Where(value => value < 0).Take(3).ToArray();
        Assert.NotEmpty(mostNegative);
        foreach (double lambda in mostNegative)
        {
            foreach (double epsilon in new[] { -lambda * (1 - 1e-3), -lambda * (1 + 1e-3) })
            {
                var expected = new Inertia(eigenvalues.Count(value => value + epsilon > 0), eigenvalues.Count(value => value + epsilon < 0), 0);
                (double expectedLog, int expectedSign) = DenseReference.LogDeterminant(DenseReference.Damped(hessian, epsilon));
                HessianFactorization riccati = derivatives.Factorize(epsilon);
                output.WriteLine($"{name} lambda {lambda:G6} eps {epsilon:G6}: dense {expected}, factorization {riccati.Inertia} ({riccati.Path}), " +
                    $"log|det| dense {expectedLog:G12} factorization {riccati.LogDeterminant.LogAbsoluteValue:G12}");

                Assert.Equal(FactorizationPath.Riccati, riccati.Path);
                Assert.Equal(expected, riccati.Inertia);
                Assert.Equal(expected.Negative == 0, riccati.IsPositiveDefinite);
                Assert.Equal(expectedSign, riccati.LogDeterminant.Sign);
                AssertRelativelyClose(expectedLog, riccati.LogDeterminant.LogAbsoluteValue, "Riccati log|det|");

                HessianFactorization bandedLU = derivatives.Factorize(epsilon, FactorizationPath.BandedLU);
                Assert.Equal(expectedSign, bandedLU.LogDeterminant.Sign);
                AssertRelativelyClose(expectedLog, bandedLU.LogDeterminant.LogAbsoluteValue, "banded LU log|det|");
            }
        }
    }

    [Theory]
    [InlineData(21, 4, 1)]
    [InlineData(22, 5, 3)]
    [InlineData(23, 3, 2)]
    [InlineData(24, 6, 1)]
    public void BothPathsGiveTheDenseLogDeterminantOnRandomNetworks(int seed, int depth, int batchSize)
    {
        // Odd and even widths and batches: the banded LU's sign depends on the parity of its states.
        NetworkPoint point = RandomNetworks.Point(seed, depth, batchSize, regression: seed % 2 == 0);
        double[,] hessian = point.DenseHessian();
        double[] eigenvalues = DenseReference.SymmetricEigenvalues(hessian);
        HessianDerivatives derivatives = point.Derivatives();
        foreach (double epsilon in new[] { 1e-3, 0.1, 3.0 })
        {
            (double expectedLog, int expectedSign) = DenseReference.LogDeterminant(DenseReference.Damped(hessian, epsilon));
            var expected = new Inertia(eigenvalues.Count(value => value + epsilon > 0), eigenvalues.Count(value => value + epsilon < 0), 0);
            foreach (FactorizationPath path in new[] { FactorizationPath.Riccati, FactorizationPath.BandedLU })
            {
                HessianFactorization factorization = derivatives.Factorize(epsilon, path);
                output.WriteLine($"seed {seed} eps {epsilon} {path}: log|det| {factorization.LogDeterminant}, dense ({expectedLog:R}, {expectedSign}); " +
                    $"inertia {factorization.Inertia}, dense {expected}");
                Assert.Equal(expectedSign, factorization.LogDeterminant.Sign);
                AssertRelativelyClose(expectedLog, factorization.LogDeterminant.LogAbsoluteValue, $"{path} log|det|");
                Assert.Equal(expected, factorization.Inertia);
            }
        }
    }

    [Theory]
    [MemberData(nameof(OracleFiles.Names), MemberType = typeof(OracleFiles))]
    public void BothPathsReproduceTheOracleSolves(string name)
    {
        ReferenceCase oracle = ReferenceCase.Load(OracleFiles.PathOf(name));
        HessianDerivatives derivatives = oracle.Network.At(oracle.Parameters, oracle.Batch).Derivatives();
        foreach (ReferenceSolve solve in oracle.Solves)
        {
            foreach (FactorizationPath path in new[] { FactorizationPath.Riccati, FactorizationPath.BandedLU })
            {
                HessianFactorization factorization = derivatives.Factorize(solve.Epsilon, path);
                double plainError = Norms.RelativeError(factorization.Solve(oracle.RightHandSide.ToArray()), solve.Solution);
                var x = new double[factorization.Size];
                SolveReport report = factorization.SolveRefined(oracle.RightHandSide, x);
                double error = Norms.RelativeError(x, solve.Solution);
                output.WriteLine($"{name} eps {solve.Epsilon} {path}: error {plainError:E2}, refined {error:E2} in {report.RefinementSteps} steps " +
                    $"(tolerance {solve.Tolerance:E2}), backward error {report.BackwardError:E2}");

                Assert.Equal(path, factorization.Path);
                Assert.Equal(path, report.Path);
                Assert.InRange(plainError, 0, solve.Tolerance);
                Assert.InRange(error, 0, solve.Tolerance);
                Assert.InRange(report.BackwardError, 0, 1e-14);
            }
        }
    }

    private static void AssertRelativelyClose(double expected, double actual, string quantity)
    {
        double error = Math.Abs(actual - expected) / Math.Max(1.0, Math.Abs(expected));
        Assert.True(error <= LogDeterminantTolerance, $"{quantity}: {actual:R}, expected {expected:R} (relative error {error:E2})");
    }
}
