using System;
using HessianCodegen.Layers;
using HessianCodegen.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace HessianCodegen.Tests;

/// <summary>
/// Whole networks of generated standard layers that the oracle cases do not contain (ReluLayer,
/// LinearLayer), against central differences of the loss and of the gradient, and through the
/// structured solve against a dense LU.
/// </summary>
public sealed class StandardLayerNetworkTests(ITestOutputHelper output)
{
    public static TheoryData<string> Networks => new(["relu-classifier", "linear-relu-regression"]);

    [Theory]
    [MemberData(nameof(Networks))]
    public void GradientMatchesCentralDifferencesEntryByEntry(string name)
    {
        NetworkPoint point = Point(name);
        double[] gradient = point.Gradient();
        double[] differences = FiniteDifferences.GradientOfLoss(point);
        double scale = Math.Max(1e-3, Norms.Norm(gradient));
        for (int j = 0; j < gradient.Length; j++)
        {
            Assert.True(Math.Abs(gradient[j] - differences[j]) <= 1e-8 * scale,
                $"{name}: gradient[{j}] = {gradient[j]:R}; central differences give {differences[j]:R}");
        }
    }

    [Theory]
    [MemberData(nameof(Networks))]
    public void DenseHessianMatchesCentralDifferencesOfTheGradient(string name)
    {
        NetworkPoint point = Point(name);
        double[,] hessian = point.DenseHessian();
        double error = Norms.RelativeError(hessian, FiniteDifferences.HessianOfLoss(point));
        output.WriteLine($"{name}: dense Hessian against central differences {error:E2}");
        Assert.InRange(error, 0, 1e-8);
    }

    [Theory]
    [MemberData(nameof(Networks))]
    public void StructuredSolveMatchesTheDenseLU(string name)
    {
        NetworkPoint point = Point(name);
        const double epsilon = 1e-2;
        double[,] matrix = DampedSystem.Matrix(point, epsilon);
        double[] rhs = RandomNetworks.Vector(77, point.Network.ParameterCount);
        double[] x = point.Derivatives().Factorize(epsilon).Solve(rhs);
        double tolerance = DampedSystem.SolutionTolerance(DampedSystem.ConditionNumber(matrix));
        double difference = Norms.RelativeError(x, DenseReference.Solve(matrix, rhs));
        double backward = DampedSystem.BackwardError(matrix, x, rhs);
        output.WriteLine($"{name}: backward error {backward:E2}, difference from dense LU {difference:E2} (tolerance {tolerance:E2})");
        Assert.InRange(backward, 0, 1e-14);
        Assert.InRange(difference, 0, tolerance);
    }

    private static NetworkPoint Point(string name)
    {
        var inputs = new double[,] { { 0.9, -0.4, 0.3 }, { -0.6, 0.8, -0.1 }, { 0.2, 0.5, -0.9 } };
        Network network;
        Batch batch;
        if (name == "relu-classifier")
        {
            network = new Network(new LinearLayer(3, 4), new ReluLayer(4, 5), new TanhLayer(5, 4), new ReluLayer(4, 4), new SoftmaxCrossEntropyLayer(4, 3));
            batch = Batch.WithLabels(inputs, [2, 0, 1]);
        }
        else
        {
            network = new Network(new LinearLayer(3, 5), new ReluLayer(5, 4), new LinearLayer(4, 3), new MeanSquaredErrorLayer(3, 2));
            batch = Batch.WithTargets(inputs, new double[,] { { 0.5, -0.5 }, { 1, 0 }, { -0.3, 0.2 } });
        }

        return network.At(network.RandomParameters(seed: 5), batch);
    }
}
