using System;
using System.Linq;
using HessianCodegen.Tests.Infrastructure;
using HessianCodegen.Tests.ReferenceLayers;
using Xunit;
using Xunit.Abstractions;

namespace HessianCodegen.Tests;

/// <summary>
/// The structured solve against a dense LU (MathNet) of the materialized <c>H + eps I</c> (H
/// assembled column by column from matrix-free products, which <see cref="DenseHessianTests"/> checks
/// against finite differences of the gradient on these same networks), to the oracle's tolerance
/// <c>1e-12 + 100 cond u</c> with the condition number from MathNet's symmetric eigensolver.
/// </summary>
public sealed class StructuredSolveTests(ITestOutputHelper output)
{
    public static TheoryData<int, int, int, bool, double> RandomCases() => new()
    {
        { 1, 2, 1, false, 1e-3 },
        { 2, 3, 3, false, 1e-2 },
        { 3, 5, 2, true, 1e-3 },
        { 4, 7, 4, false, 1e-5 },
        { 5, 6, 5, true, 1e-4 },
        { 6, 9, 3, false, 0.3 },
        { 7, 4, 6, true, 1e-3 },
        { 8, 12, 2, false, 1e-2 },
    };

    [Theory]
    [MemberData(nameof(RandomCases))]
    public void SolutionHasARoundOffResidualOnRandomNetworks(int seed, int depth, int batchSize, bool regression, double epsilon)
    {
        NetworkPoint point = RandomNetworks.Point(seed, depth, batchSize, regression);
        double[,] matrix = DampedSystem.Matrix(point, epsilon);
        double[] rhs = RandomNetworks.Vector(seed + 100, point.Network.ParameterCount);
        HessianFactorization factorization = point.Derivatives().Factorize(epsilon);

        var x = new double[rhs.Length];
        SolveReport report = factorization.SolveRefined(rhs, x);
        double residual = DampedSystem.BackwardError(matrix, x, rhs);
        double[] dense = DenseReference.Solve(matrix, rhs);
        double difference = Norms.RelativeError(x, dense);
        double tolerance = DampedSystem.SolutionTolerance(DampedSystem.ConditionNumber(matrix));
        output.WriteLine(
            $"seed {seed}: n = {rhs.Length}, path {factorization.Path}, backward error {residual:E2} (reported " +
            $"{report.BackwardError:E2}), difference from dense LU {difference:E2} (tolerance {tolerance:E2})");

        Assert.InRange(residual, 0, 1e-14);
        Assert.InRange(report.BackwardError, 0, 1e-14);
        Assert.InRange(difference, 0, tolerance);
    }

    [Fact]
    public void RefinementStepIsTakenOnlyWhenItHelps()
    {
        NetworkPoint point = RandomNetworks.Point(13, 5, 3, regression: false);
        const double epsilon = 1e-3;
        double[,] matrix = DampedSystem.Matrix(point, epsilon);
        double[] rhs = RandomNetworks.Vector(500, point.Network.ParameterCount);
        HessianFactorization factorization = point.Derivatives().Factorize(epsilon);

        // With a target of 1e-15 a step is kept only when it lowers the backward error.
        var x = new double[rhs.Length];
        SolveReport plain = factorization.SolveRefined(rhs, x);
        Assert.Equal(plain.Refined, plain.BackwardError < plain.InitialBackwardError);
        Assert.Equal(plain.Refined, plain.RefinementSteps > 0);
        Assert.InRange(plain.RefinementSteps, 0, 4);

        // With an unreachable target, refinement runs until the backward error stops decreasing, and
        // either way the returned solution has the error the report states.
        var refined = new double[rhs.Length];
        SolveReport forced = factorization.SolveRefined(rhs, refined, target: 0, fallbackThreshold: 1e-14);
        Assert.True(forced.BackwardError <= forced.InitialBackwardError);
        Assert.Equal(forced.Refined, forced.BackwardError < forced.InitialBackwardError);
        Assert.InRange(DampedSystem.BackwardError(matrix, refined, rhs), 0, 1e-14);
        output.WriteLine($"backward error {forced.InitialBackwardError:E2} -> {forced.BackwardError:E2}, steps: {forced.RefinementSteps}");
    }

    [Fact]
    public void SingleLossLayer()
    {
        // Multinomial logistic regression: the chain is the loss layer alone, the system is H + eps I itself.
        var network = new Network(new SoftmaxCrossEntropyReferenceLayer(4, 3));
        var inputs = new double[,] { { 1, -2, 0.5, 0.1 }, { 0.3, 0.2, -1, 2 }, { -0.7, 1.1, 0.4, -0.2 } };
        NetworkPoint point = network.At(network.RandomParameters(9), Batch.WithLabels(inputs, [2, 0, 1]));
        AssertSolvesLikeDenseLU(point, 1e-3, seed: 9);
    }

    [Fact]
    public void LossLayerWithoutParameters()
    {
        // Linear regression written as a linear layer and a parameterless squared distance:
        // the last block has no unknowns of its own.
        var network = new Network(
            new DenseReferenceLayer(Activation.Tanh, 3, 4),
            new DenseReferenceLayer(Activation.Identity, 4, 2),
            new SquaredDistanceReferenceLayer(2));
        var inputs = new double[,] { { 1, -2, 0.5 }, { 0.3, 0.2, -1 } };
        var targets = new double[,] { { 0.5, -0.5 }, { 1, 0 } };
        NetworkPoint point = network.At(network.RandomParameters(10), Batch.WithTargets(inputs, targets));
        AssertSolvesLikeDenseLU(point, 1e-2, seed: 10);
    }

    [Fact]
    public void ManyRightHandSidesShareOneFactorization()
    {
        NetworkPoint point = RandomNetworks.Point(11, 6, 3, regression: false);
        const double epsilon = 1e-2;
        double[,] matrix = DampedSystem.Matrix(point, epsilon);
        double tolerance = DampedSystem.SolutionTolerance(DampedSystem.ConditionNumber(matrix));
        HessianFactorization factorization = point.Derivatives().Factorize(epsilon);
        var x = new double[factorization.Size];
        for (int k = 0; k < 5; k++)
        {
            double[] rhs = RandomNetworks.Vector(200 + k, factorization.Size);
            factorization.Solve(rhs, x);
            Assert.InRange(DampedSystem.BackwardError(matrix, x, rhs), 0, 1e-14);
            Assert.InRange(Norms.RelativeError(x, DenseReference.Solve(matrix, rhs)), 0, tolerance);
        }
    }

    [Fact]
    public void NewEpsilonReusesTheDerivatives()
    {
        NetworkPoint plain = RandomNetworks.Point(12, 5, 2, regression: true);
        CountingLayer[] layers = plain.Network.Layers.Select(layer => new CountingLayer(layer)).ToArray();
        var network = new Network(layers);
        NetworkPoint point = network.At(plain.Parameters, plain.Batch);
        HessianDerivatives derivatives = point.Derivatives();
        int evaluations = layers.Sum(layer => layer.SecondDerivativeCalls + layer.JacobianCalls);
        Assert.True(evaluations > 0);

        double[] rhs = RandomNetworks.Vector(300, network.ParameterCount);
        foreach (double epsilon in new[] { 1e-3, 1e-1, 1.0 })
        {
            HessianFactorization factorization = derivatives.Factorize(epsilon);
            Assert.Equal(epsilon, factorization.Epsilon);
            double[] x = factorization.Solve(rhs);
            Assert.InRange(DampedSystem.BackwardError(DampedSystem.Matrix(plain, epsilon), x, rhs), 0, 1e-14);
        }

        Assert.Equal(evaluations, layers.Sum(layer => layer.SecondDerivativeCalls + layer.JacobianCalls));
    }

    [Fact]
    public void SingularSystemNamesTheLayer()
    {
        // A linear first layer fed zero inputs: its weights change nothing, so their rows and columns
        // of H are zero, and with eps = 0 the system is singular in that layer's block.
        var network = new Network(
            new DenseReferenceLayer(Activation.Identity, 3, 2),
            new DenseReferenceLayer(Activation.Tanh, 2, 2),
            new SoftmaxCrossEntropyReferenceLayer(2, 2));
        NetworkPoint point = network.At(network.RandomParameters(5), Batch.WithLabels(new double[2, 3], [0, 1]));
        HessianDerivatives derivatives = point.Derivatives();

        var error = Assert.Throws<SingularSystemException>(() => derivatives.Factorize(0));
        output.WriteLine(error.Message);
        Assert.Equal(0, error.Layer);
        Assert.Equal(0, error.Epsilon);
        Assert.Contains("layer 0 (DenseReferenceLayer)", error.Message, StringComparison.Ordinal);
        Assert.Contains("parameter", error.Message, StringComparison.Ordinal);

        // Damping makes it regular again.
        double[] rhs = RandomNetworks.Vector(400, network.ParameterCount);
        double[] x = derivatives.Factorize(0.5).Solve(rhs);
        Assert.InRange(DampedSystem.BackwardError(DampedSystem.Matrix(point, 0.5), x, rhs), 0, 1e-14);
    }

    [Theory]
    [InlineData(FactorizationPath.BandedLU, 0.1)]
    [InlineData(FactorizationPath.Riccati, 10.0)]
    public void FlopCountGrowsLinearlyWithDepth(FactorizationPath path, double epsilon)
    {
        long Flops(int depth, FactorizationPath path)
        {
            var layers = new IHessianLayer[depth];
            for (int l = 0; l + 1 < depth; l++)
            {
                layers[l] = new DenseReferenceLayer(Activation.Tanh, 4, 4);
            }

            layers[^1] = new SoftmaxCrossEntropyReferenceLayer(4, 3);
            var network = new Network(layers);
            NetworkPoint point = network.At(network.RandomParameters(3), Batch.WithLabels(new double[,] { { 1, -1, 0.5, 0.2 } }, [1]));
            return point.Derivatives().Factorize(epsilon, path).FlopCount;
        }

        long shallow = Flops(9, path);
        long middle = Flops(17, path);
        long deep = Flops(33, path);

        // Every hidden layer of the same shape costs the same, so 16 more layers cost twice what 8 more do.
        double ratio = (double)(deep - middle) / (middle - shallow);
        output.WriteLine($"flops: depth 9 {shallow}, 17 {middle}, 33 {deep}; increment ratio {ratio:F3}");
        Assert.InRange(ratio, 1.9, 2.1);
    }

    private static void AssertSolvesLikeDenseLU(NetworkPoint point, double epsilon, int seed)
    {
        double[,] matrix = DampedSystem.Matrix(point, epsilon);
        double[] rhs = RandomNetworks.Vector(seed, point.Network.ParameterCount);
        double[] x = point.Derivatives().Factorize(epsilon).Solve(rhs);
        Assert.InRange(DampedSystem.BackwardError(matrix, x, rhs), 0, 1e-14);
        double tolerance = DampedSystem.SolutionTolerance(DampedSystem.ConditionNumber(matrix));
        Assert.InRange(Norms.RelativeError(x, DenseReference.Solve(matrix, rhs)), 0, tolerance);
    }
}
