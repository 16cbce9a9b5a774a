using System;
using HessianCodegen.Layers;
using HessianCodegen.Tests.Infrastructure;
using HessianCodegen.Tests.ReferenceLayers;
using MathNet.Numerics.LinearAlgebra;
using Xunit;
using Xunit.Abstractions;

namespace HessianCodegen.Tests;

/// <summary>
/// Layers with <c>p = 0</c> in every position: first, in the middle, last, and a network with no
/// parameters at all. The structured solve must carry the tangents through blocks without parameters;
/// checked against a dense LU (MathNet) of <c>H + eps I</c> materialized from matrix-free products.
/// </summary>
public sealed class ParameterlessLayerTests(ITestOutputHelper output)
{
    [Fact]
    public void ParameterlessFirstLayer()
    {
        var network = new Network(new ParameterlessTanhReferenceLayer(3), new TanhLayer(3, 4), new LinearLayer(4, 3),
            new SoftmaxCrossEntropyLoss(3));
        AssertSolvesLikeDenseLU(network, Batch.WithLabels(new double[,] { { 1, -2, 0.5 }, { 0.3, 0.2, -1 } }, [2, 0]), 1e-3);
    }

    [Fact]
    public void ParameterlessMiddleLayers()
    {
        var network = new Network(new SigmoidLayer(2, 3), new ParameterlessTanhReferenceLayer(3),
            new ParameterlessTanhReferenceLayer(3), new SoftplusLayer(3, 2), new MeanSquaredErrorLayer(2, 2));
        AssertSolvesLikeDenseLU(network, Batch.WithTargets(new double[,] { { 1, -2 }, { 0.3, 0.2 }, { -1, 0.4 } },
            new double[,] { { 0.5, -0.5 }, { 1, 0 }, { 0, 0.2 } }), 1e-2);
    }

    [Fact]
    public void ParameterlessLastHiddenLayerBeforeAParameterlessLoss()
    {
        var network = new Network(new TanhLayer(2, 3), new ParameterlessTanhReferenceLayer(3), new SquaredErrorLoss(3));
        AssertSolvesLikeDenseLU(network, Batch.WithTargets(new double[,] { { 1, -2 }, { 0.3, 0.2 } },
            new double[,] { { 0.5, -0.5, 0.1 }, { 1, 0, -0.3 } }), 1e-3);
    }

    [Fact]
    public void ParameterlessLossOnABatchWiderThanAKernelTile()
    {
        // The loss layer's input over the batch, 30 examples x 5 logits = 150 values, is wider than the
        // 128 columns the pivot-block kernels solve at a time; its pivot block is empty (p = 0). The
        // training sample's default run (16 examples x 10 classes) crashed here.
        var network = new Network(new TanhLayer(2, 3), new LinearLayer(3, 5), new SoftmaxCrossEntropyLoss(5));
        var inputs = new double[30, 2];
        var labels = new int[30];
        for (int n = 0; n < 30; n++)
        {
            inputs[n, 0] = Math.Sin(n);
            inputs[n, 1] = Math.Cos(3 * n);
            labels[n] = n % 5;
        }

        Batch batch = Batch.WithLabels(inputs, labels);
        AssertSolvesLikeDenseLU(network, batch, 1e-3);
        // Indefinite H + eps I takes Bunch-Kaufman pivot blocks; G + eps I Cholesky ones.
        AssertSolvesLikeDenseLU(network, batch, 1e-6);
        NetworkPoint point = network.At(network.RandomParameters(7), batch);
        Assert.True(point.Derivatives(Curvature.GaussNewton).Factorize(1e-3).IsPositiveDefinite);
    }

    [Fact]
    public void NetworkWithoutParameters()
    {
        // Nothing to solve for: every quantity in parameter space is empty, and nothing throws.
        var network = new Network(new ParameterlessTanhReferenceLayer(3), new SoftmaxCrossEntropyLoss(3));
        NetworkPoint point = network.At([], Batch.WithLabels(new double[,] { { 1, -2, 0.5 } }, [2]));
        Assert.Equal(0, network.ParameterCount);
        Assert.True(point.Loss > 0);
        Assert.Empty(point.Gradient());
        Assert.Empty(point.HessianVector([]));
        Assert.Empty(point.GaussNewtonVector([]));
        Assert.Empty(point.Derivatives().Factorize(0).Solve([]));
        Assert.Empty(point.Derivatives(Curvature.GaussNewton).Factorize(0.1).Solve([]));

        // The loss alone: a chain of one layer, with neither hidden layers nor tangents.
        var lossAlone = new Network(new SquaredErrorLoss(2));
        NetworkPoint only = lossAlone.At([], Batch.WithTargets(new double[,] { { 1, -2 } }, new double[,] { { 0, 0 } }));
        Assert.Equal(2.5, only.Loss);
        Assert.Empty(only.GaussNewtonVector([]));
        Assert.Empty(only.Derivatives(Curvature.GaussNewton).Factorize(0).Solve([]));
    }

    private void AssertSolvesLikeDenseLU(Network network, Batch batch, double epsilon)
    {
        NetworkPoint point = network.At(network.RandomParameters(7), batch);
        int size = network.ParameterCount;
        Matrix<double> damped = Matrix<double>.Build.DenseOfArray(point.DenseHessian()) + (epsilon * Matrix<double>.Build.DenseIdentity(size));
        double[] rhs = RandomNetworks.Vector(70, size);
        double[] expected = damped.LU().Solve(Vector<double>.Build.DenseOfArray(rhs)).ToArray();
        var x = new double[size];
        SolveReport report = point.Derivatives().Factorize(epsilon).SolveRefined(rhs, x);
        double error = Norms.RelativeError(x, expected);
        double condition = damped.ConditionNumber();
        output.WriteLine($"P = {size}: error {error:E2} (cond {condition:E2}), backward error {report.BackwardError:E2}");
        Assert.InRange(error, 0, 1e-12 + (100 * condition * 1.1e-16));
        Assert.InRange(report.BackwardError, 0, 1e-14);
    }
}
