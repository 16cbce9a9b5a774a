using System;
using HessianCodegen.Tests.Infrastructure;
using HessianCodegen.Tests.ReferenceLayers;
using Xunit;
using Xunit.Abstractions;

namespace HessianCodegen.Tests;

/// <summary>
/// The product as users build it: the generated standard layers (HessianCodegen.Layers) through
/// <see cref="ReferenceCase.Load(string)"/>, against the PyTorch answer key, plus a cross-check of
/// every derivative block against the hand-written reference layers.
/// </summary>
public sealed class GeneratedLayerOracleTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-12;

    [Theory]
    [MemberData(nameof(OracleFiles.Names), MemberType = typeof(OracleFiles))]
    public void LossGradientAndHessianVectorMatchTheOracle(string name)
    {
        ReferenceCase oracle = ReferenceCase.Load(OracleFiles.PathOf(name));
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
    public void SolvesMatchTheOracle(string name)
    {
        ReferenceCase oracle = ReferenceCase.Load(OracleFiles.PathOf(name));
        HessianDerivatives derivatives = oracle.Network.At(oracle.Parameters, oracle.Batch).Derivatives();
        foreach (ReferenceSolve solve in oracle.Solves)
        {
            var x = new double[oracle.Parameters.Length];
            SolveReport report = derivatives.Factorize(solve.Epsilon).SolveRefined(oracle.RightHandSide, x);
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
        ReferenceCase oracle = ReferenceCase.Load(OracleFiles.PathOf(name));
        Assert.NotNull(oracle.Hessian);
        double error = Norms.RelativeError(oracle.Network.At(oracle.Parameters, oracle.Batch).DenseHessian(), oracle.Hessian);
        output.WriteLine($"{name}: dense Hessian {error:E2}");
        Assert.InRange(error, 0, Tolerance);
    }

    [Theory]
    [MemberData(nameof(OracleFiles.Names), MemberType = typeof(OracleFiles))]
    public void DerivativeBlocksMatchTheReferenceLayers(string name)
    {
        ReferenceCase generated = ReferenceCase.Load(OracleFiles.PathOf(name));
        ReferenceCase reference = ReferenceCase.Load(OracleFiles.PathOf(name), ReferenceLayerFactory.Create);
        HessianDerivatives fromGenerated = generated.Network.At(generated.Parameters, generated.Batch).Derivatives();
        HessianDerivatives fromReference = reference.Network.At(reference.Parameters, reference.Batch).Derivatives();
        for (int l = 0; l < generated.Network.Depth; l++)
        {
            LayerDerivatives actual = fromGenerated.Layer(l);
            LayerDerivatives expected = fromReference.Layer(l);
            AssertClose(actual.Dx, expected.Dx, $"{name} layer {l} Dx");
            AssertClose(actual.Dz, expected.Dz, $"{name} layer {l} Dz");
            AssertClose(actual.Xxx, expected.Xxx, $"{name} layer {l} Xxx");
            AssertClose(actual.Xzx, expected.Xzx, $"{name} layer {l} Xzx");
            AssertClose(actual.Xzz, expected.Xzz, $"{name} layer {l} Xzz");
        }
    }

    private static void AssertClose(Span<double> actual, Span<double> expected, string block)
    {
        double error = Norms.RelativeError(actual.ToArray(), expected.ToArray());
        Assert.True(error <= Tolerance, $"{block}: relative error {error:E2}");
    }
}
