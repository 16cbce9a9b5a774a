using HessianCodegen.Tests.Infrastructure;
using SampleSupport;
using Xunit;
using Xunit.Abstractions;

namespace HessianCodegen.Tests.GaussNewton;

/// <summary>
/// Gauss-Newton against the PyTorch answer key (<c>gauss_newton</c> fields), on each oracle case rebuilt
/// with its loss as a parameterless last layer (<see cref="SplitCase"/>); and that split, which changes
/// the layers but not the model, leaves the loss, the gradient, the Hessian and its solves as they were.
/// </summary>
public sealed class GaussNewtonOracleTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-12;

    [Theory]
    [MemberData(nameof(OracleFiles.Names), MemberType = typeof(OracleFiles))]
    public void ProductMatchesTheOracle(string name)
    {
        SplitCase oracle = SplitCase.Load(OracleFiles.PathOf(name));
        double error = Norms.RelativeError(oracle.SplitPoint().GaussNewtonVector(oracle.Fused.Direction), oracle.GaussNewtonProduct);
        output.WriteLine($"{name}: G v {error:E2}");
        Assert.InRange(error, 0, Tolerance);
    }

    [Theory]
    [MemberData(nameof(OracleFiles.Names), MemberType = typeof(OracleFiles))]
    public void SolvesMatchTheOracle(string name)
    {
        SplitCase oracle = SplitCase.Load(OracleFiles.PathOf(name));
        HessianDerivatives derivatives = oracle.SplitPoint().Derivatives(Curvature.GaussNewton);
        Assert.Equal(Curvature.GaussNewton, derivatives.Curvature);
        Assert.NotEmpty(oracle.GaussNewtonSolves);
        foreach (ReferenceSolve solve in oracle.GaussNewtonSolves)
        {
            var x = new double[oracle.Split.ParameterCount];
            SolveReport report = derivatives.Factorize(solve.Epsilon).SolveRefined(oracle.Fused.RightHandSide, x);
            double error = Norms.RelativeError(x, solve.Solution);
            output.WriteLine(
                $"{name} eps {solve.Epsilon}: error {error:E2} (tolerance {solve.Tolerance:E2}), backward error {report.BackwardError:E2}");
            Assert.InRange(error, 0, solve.Tolerance);
            Assert.InRange(report.BackwardError, 0, 1e-14);
        }
    }

    [Theory]
    [MemberData(nameof(OracleFiles.Names), MemberType = typeof(OracleFiles))]
    public void GaussNewtonIsPositiveDefiniteWithTheOraclesDeterminant(string name)
    {
        // G + eps I is positive definite: the Riccati path factors every pivot block by Cholesky and
        // never needs the fallback, and its log-determinant is the oracle's.
        SplitCase oracle = SplitCase.Load(OracleFiles.PathOf(name));
        HessianDerivatives derivatives = oracle.SplitPoint().Derivatives(Curvature.GaussNewton);
        for (int k = 0; k < oracle.GaussNewtonSolves.Count; k++)
        {
            HessianFactorization factorization = derivatives.Factorize(oracle.GaussNewtonSolves[k].Epsilon);
            double expected = oracle.GaussNewtonLogDeterminants[k];
            double error = System.Math.Abs(factorization.LogDeterminant.LogAbsoluteValue - expected) / System.Math.Abs(expected);
            output.WriteLine($"{name} eps {factorization.Epsilon}: log |det| {factorization.LogDeterminant.LogAbsoluteValue} (oracle {expected}, {error:E2})");
            Assert.Equal(FactorizationPath.Riccati, factorization.Path);
            Assert.True(factorization.IsPositiveDefinite);
            Assert.Equal(new Inertia(oracle.Split.ParameterCount, 0, 0), factorization.Inertia);
            Assert.Equal(1, factorization.LogDeterminant.Sign);
            Assert.InRange(error, 0, 1e-10);
        }
    }

    [Theory]
    [MemberData(nameof(OracleFiles.Names), MemberType = typeof(OracleFiles))]
    public void SplittingTheLossLayerKeepsLossGradientAndHessian(string name)
    {
        SplitCase oracle = SplitCase.Load(OracleFiles.PathOf(name));
        NetworkPoint split = oracle.SplitPoint();
        NetworkPoint fused = oracle.FusedPoint();
        Assert.Equal(oracle.Fused.Network.ParameterCount, oracle.Split.ParameterCount);

        double lossError = System.Math.Abs(split.Loss - fused.Loss) / System.Math.Abs(fused.Loss);
        double gradientError = Norms.RelativeError(split.Gradient(), fused.Gradient());
        double hessianError = Norms.RelativeError(split.DenseHessian(), fused.DenseHessian());
        output.WriteLine($"{name}: loss {lossError:E2}, gradient {gradientError:E2}, dense Hessian {hessianError:E2}");
        Assert.InRange(lossError, 0, Tolerance);
        Assert.InRange(gradientError, 0, Tolerance);
        Assert.InRange(hessianError, 0, Tolerance);
    }

    [Theory]
    [MemberData(nameof(OracleFiles.Names), MemberType = typeof(OracleFiles))]
    public void SplitNetworkSolvesTheHessianSystemsOfTheOracle(string name)
    {
        // The factorization with a last block that has no unknowns of its own, on generated layers.
        SplitCase oracle = SplitCase.Load(OracleFiles.PathOf(name));
        HessianDerivatives derivatives = oracle.SplitPoint().Derivatives();
        foreach (ReferenceSolve solve in oracle.Fused.Solves)
        {
            var x = new double[oracle.Split.ParameterCount];
            SolveReport report = derivatives.Factorize(solve.Epsilon).SolveRefined(oracle.Fused.RightHandSide, x);
            double error = Norms.RelativeError(x, solve.Solution);
            output.WriteLine($"{name} eps {solve.Epsilon}: error {error:E2} (tolerance {solve.Tolerance:E2})");
            Assert.InRange(error, 0, solve.Tolerance);
            Assert.InRange(report.BackwardError, 0, 1e-14);
        }
    }
}
