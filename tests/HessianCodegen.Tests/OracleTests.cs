using System;
using HessianCodegen.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace HessianCodegen.Tests;

/// <summary>
/// The runtime against the PyTorch answer key, for every case in the oracle folder. Subclasses say
/// which layers build each case's network; every test here runs once for each of them.
/// </summary>
public abstract class OracleTests(ITestOutputHelper output)
{
    protected const double Tolerance = 1e-12;

    /// <summary>Loads the named case with the subclass's layers.</summary>
    protected abstract ReferenceCase Load(string name);

    [Theory]
    [MemberData(nameof(OracleFiles.Names), MemberType = typeof(OracleFiles))]
    public void LossGradientAndHessianVectorMatchTheOracle(string name)
    {
        ReferenceCase oracle = Load(name);
        NetworkPoint point = oracle.Network.At(oracle.Parameters, oracle.Batch);

        double lossError = Math.Abs(point.Loss - oracle.Loss) / Math.Abs(oracle.Loss);
        double gradientError = Norms.RelativeError(point.Gradient(), oracle.Gradient);
        double productError = Norms.RelativeError(point.HessianVector(oracle.Direction), oracle.HessianVector);
        output.WriteLine($"{name}: loss {lossError:E2}, gradient {gradientError:E2}, H v {productError:E2}");

        Assert.InRange(lossError, 0, Tolerance);
        Assert.InRange(gradientError, 0, Tolerance);
        Assert.InRange(productError, 0, Tolerance);
    }

    [Theory]
    [MemberData(nameof(OracleFiles.Names), MemberType = typeof(OracleFiles))]
    public void LossAndGradientMatchTheOracle(string name)
    {
        ReferenceCase oracle = Load(name);
        var gradient = new double[oracle.Network.ParameterCount];
        double loss = oracle.Network.LossAndGradient(oracle.Parameters, oracle.Batch, gradient);

        double lossError = Math.Abs(loss - oracle.Loss) / Math.Abs(oracle.Loss);
        double gradientError = Norms.RelativeError(gradient, oracle.Gradient);
        output.WriteLine($"{name}: LossAndGradient loss {lossError:E2}, gradient {gradientError:E2}");

        Assert.InRange(lossError, 0, Tolerance);
        Assert.InRange(gradientError, 0, Tolerance);
    }

    [Theory]
    [MemberData(nameof(OracleFiles.Names), MemberType = typeof(OracleFiles))]
    public void SolvesMatchTheOracle(string name)
    {
        ReferenceCase oracle = Load(name);
        HessianDerivatives derivatives = oracle.Network.At(oracle.Parameters, oracle.Batch).Derivatives();
        foreach (ReferenceSolve solve in oracle.Solves)
        {
            HessianFactorization factorization = derivatives.Factorize(solve.Epsilon);
            var x = new double[factorization.Size];
            SolveReport report = factorization.SolveRefined(oracle.RightHandSide, x);
            double error = Norms.RelativeError(x, solve.Solution);
            output.WriteLine(
                $"{name} eps {solve.Epsilon}: error {error:E2} (tolerance {solve.Tolerance:E2}), backward error " +
                $"{report.InitialBackwardError:E2} -> {report.BackwardError:E2}{(report.Refined ? " refined" : "")}");
            Assert.InRange(error, 0, solve.Tolerance);
            Assert.InRange(report.BackwardError, 0, 1e-14);
        }
    }

    [Theory]
    [MemberData(nameof(OracleFiles.NamesWithHessian), MemberType = typeof(OracleFiles))]
    public void DenseHessianMatchesTheOracle(string name)
    {
        ReferenceCase oracle = Load(name);
        Assert.NotNull(oracle.Hessian);
        double error = Norms.RelativeError(oracle.Network.At(oracle.Parameters, oracle.Batch).DenseHessian(), oracle.Hessian);
        output.WriteLine($"{name}: dense Hessian {error:E2}");
        Assert.InRange(error, 0, Tolerance);
    }
}
