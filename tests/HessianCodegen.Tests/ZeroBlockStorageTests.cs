using System;
using System.Linq;
using HessianCodegen.Layers;
using HessianCodegen.Tests.GaussNewton;
using HessianCodegen.Tests.Infrastructure;
using MathNet.Numerics.LinearAlgebra;
using Xunit;
using Xunit.Abstractions;

namespace HessianCodegen.Tests;

/// <summary>
/// Second-derivative blocks that are zero by the layer's declaration (<see cref="IHessianLayer.NonZeroSecondDerivatives"/>:
/// a ReLU or linear layer has no <c>Xxx</c>, ReLU no <c>Xzz</c>) or by Gauss-Newton (every hidden layer's) are not stored,
/// and every reader takes the missing block as zero: the same network with every layer wrapped (a wrapper declares all
/// blocks, so they are stored, as zeros) factorizes, solves, counts inertia and log-determinant alike, on the Riccati
/// path (its first layer on the low-rank route) and on the banded LU, and both agree with the dense <c>H + eps I</c>.
/// </summary>
public sealed class ZeroBlockStorageTests(ITestOutputHelper output)
{
    private const int Inputs = 20;
    private const int Width = 4;
    private const int Classes = 5;
    private const int Count = 6;

    // The two factorizations do the same arithmetic on the same non-zeros, but the wrapper's forward and backward
    // passes run per example (not the generated batched members), so the blocks differ in round-off: measured up to
    // 1.9e-14 between the solutions and 3.3e-14 relative between the log-determinants.
    private const double RoundOff = 1e-13;

    [Fact]
    public void ZeroBlocksAreNotStored()
    {
        HessianDerivatives elided = Point(wrapped: false).Derivatives();
        HessianDerivatives stored = Point(wrapped: true).Derivatives();
        int p0 = (Inputs + 1) * Width;
        int p1 = (Width + 1) * Width;
        int p2 = (Width + 1) * Classes;

        // ReLU, ReLU, linear: no Xxx anywhere, no Xzz in the hidden ReLU and the linear layer; the loss keeps its Xzz.
        Assert.Equal(0, elided.Layer(0).Xxx.Length + elided.Layer(1).Xxx.Length + elided.Layer(2).Xxx.Length);
        Assert.Equal(0, elided.Layer(1).Xzz.Length + elided.Layer(2).Xzz.Length);
        Assert.Equal(Count * p1 * Width, elided.Layer(1).Xzx.Length);
        Assert.Equal(Count * Classes * Classes, elided.Layer(3).Xzz.Length);
        Assert.Equal(p0 * p0, stored.Layer(0).Xxx.Length);

        int saved = (p0 * p0) + (p1 * p1) + (p2 * p2) + (2 * Count * Width * Width);
        Assert.Equal(TotalLength(stored) - saved, TotalLength(elided));

        // Gauss-Newton: no hidden layer stores a second-derivative block, wrapped or not.
        foreach (HessianDerivatives gaussNewton in new[] { Point(false).Derivatives(Curvature.GaussNewton), Point(true).Derivatives(Curvature.GaussNewton) })
        {
            Assert.All(Enumerable.Range(0, 3), l => Assert.Equal(
                0, gaussNewton.Layer(l).Xxx.Length + gaussNewton.Layer(l).Xzx.Length + gaussNewton.Layer(l).Xzz.Length));
            Assert.Equal(Count * Classes * Classes, gaussNewton.Layer(3).Xzz.Length);
        }
    }

    [Theory]
    [InlineData(FactorizationPath.Riccati, 1e-3)]
    [InlineData(FactorizationPath.Riccati, 0.1)]
    [InlineData(FactorizationPath.Riccati, 1)]
    [InlineData(FactorizationPath.BandedLU, 1e-3)]
    [InlineData(FactorizationPath.BandedLU, 1)]
    public void TheHessianFactorizesAlikeWithAndWithoutTheZeroBlocks(FactorizationPath path, double epsilon)
    {
        NetworkPoint point = Point(wrapped: false);
        double[,] dense = DampedSystem.Matrix(point, epsilon);
        double[] eigenvalues = DenseReference.SymmetricEigenvalues(dense);
        (double logAbsolute, int sign) = DenseReference.LogDeterminant(dense);
        HessianFactorization elided = point.Derivatives().Factorize(epsilon, path);
        HessianFactorization stored = Point(wrapped: true).Derivatives().Factorize(epsilon, path);
        double[] rhs = RandomNetworks.Vector(7, point.Network.ParameterCount);
        (double[] x, SolveReport report) = SolveRefined(elided, rhs);
        (double[] reference, _) = SolveRefined(stored, rhs);
        double difference = Norms.RelativeError(x, reference);
        output.WriteLine($"{path} eps {epsilon}: ran {elided.Path}, routes {string.Join(",", elided.PivotBlockRoutes ?? [])}, inertia {elided.Inertia}, " +
            $"backward error {report.BackwardError:E2}, elided against stored {difference:E2}, log|det| {elided.LogDeterminant.LogAbsoluteValue:R} " +
            $"(stored {stored.LogDeterminant.LogAbsoluteValue:R}, dense {logAbsolute:R})");

        Assert.Equal(path, elided.Path);
        Assert.Equal(stored.Path, elided.Path);
        Assert.Equal(stored.PivotBlockRoutes, elided.PivotBlockRoutes);
        Assert.Equal(stored.Inertia, elided.Inertia);
        Assert.InRange(difference, 0, RoundOff);
        Assert.InRange(DampedSystem.BackwardError(dense, x, rhs), 0, 1e-14);
        Assert.Equal(sign, elided.LogDeterminant.Sign);
        Assert.Equal(stored.LogDeterminant.Sign, elided.LogDeterminant.Sign);
        Assert.InRange(Math.Abs(elided.LogDeterminant.LogAbsoluteValue - stored.LogDeterminant.LogAbsoluteValue), 0, RoundOff * Math.Abs(logAbsolute));
        Assert.InRange(Math.Abs(elided.LogDeterminant.LogAbsoluteValue - logAbsolute), 0, 1e-10 * Math.Abs(logAbsolute));
        if (path == FactorizationPath.Riccati)
        {
            Assert.Equal(PivotBlockRoute.LowRankUpdate, elided.PivotBlockRoutes![0]);
            Assert.Equal(new Inertia(eigenvalues.Count(v => v > 0), eigenvalues.Count(v => v < 0), 0), elided.Inertia);
        }
    }

    [Theory]
    [InlineData(FactorizationPath.Riccati)]
    [InlineData(FactorizationPath.BandedLU)]
    public void GaussNewtonSolvesWithoutTheHiddenLayersBlocks(FactorizationPath path)
    {
        const double epsilon = 1e-2;
        NetworkPoint point = Point(wrapped: false);
        int size = point.Network.ParameterCount;
        Matrix<double> damped = Matrix<double>.Build.DenseOfArray(DenseGaussNewton.Build(point.Network, point.Parameters, point.Batch))
            + (epsilon * Matrix<double>.Build.DenseIdentity(size));
        double[] rhs = RandomNetworks.Vector(8, size);
        double[] expected = damped.LU().Solve(Vector<double>.Build.DenseOfArray(rhs)).ToArray();
        HessianFactorization factorization = point.Derivatives(Curvature.GaussNewton).Factorize(epsilon, path);
        (double[] x, SolveReport report) = SolveRefined(factorization, rhs);
        double error = Norms.RelativeError(x, expected);
        double condition = damped.ConditionNumber();
        output.WriteLine($"{path}: solve {error:E2} (cond {condition:E2}), backward error {report.BackwardError:E2}");

        // The dense G is from extrapolated differences of the logits, good to about 1e-12 (GaussNewtonDenseTests).
        Assert.InRange(error, 0, 1e-10 * condition);
        Assert.InRange(report.BackwardError, 0, 1e-14);
        Assert.Equal(Math.Log(damped.Determinant()), factorization.LogDeterminant.LogAbsoluteValue, 1e-8);
    }

    private static (double[] X, SolveReport Report) SolveRefined(HessianFactorization factorization, double[] rhs)
    {
        var x = new double[rhs.Length];
        SolveReport report = factorization.SolveRefined(rhs, x);
        return (x, report);
    }

    private static int TotalLength(HessianDerivatives derivatives) =>
        Enumerable.Range(0, derivatives.Point.Network.Depth).Sum(l => derivatives.Layer(l).All.Length);

    /// <summary>
    /// A wide ReLU first layer (p = 84 against B a = 24: the low-rank route), a ReLU layer, a linear layer and the
    /// parameterless softmax cross-entropy; <paramref name="wrapped"/>, every layer declares all blocks non-zero.
    /// </summary>
    private static NetworkPoint Point(bool wrapped)
    {
        IHessianLayer[] layers = [new ReluLayer(Inputs, Width), new ReluLayer(Width, Width), new LinearLayer(Width, Classes), new SoftmaxCrossEntropyLoss(Classes)];
        var network = new Network(wrapped ? layers.Select(layer => (IHessianLayer)new CountingLayer(layer)).ToArray() : layers);
        return network.At(network.RandomParameters(seed: 32), RandomValues.LabeledBatch(new Random(31), Count, Inputs, Classes));
    }
}
