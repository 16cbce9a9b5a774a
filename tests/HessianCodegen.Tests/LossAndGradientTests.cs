using System;
using System.Linq;
using HessianCodegen.Layers;
using HessianCodegen.Tests.Infrastructure;
using Xunit;

namespace HessianCodegen.Tests;

/// <summary>
/// <see cref="Network.LossAndGradient"/> against <c>At(...).Loss</c> and <c>At(...).Gradient()</c>, which run the
/// same pass and so must agree to the bit; its argument checks, which are At's plus the gradient's; that a repeated
/// call allocates nothing; and its gradient against central differences of its own loss.
/// </summary>
public sealed class LossAndGradientTests
{
    public static TheoryData<string, int> StandardCases()
    {
        var data = new TheoryData<string, int>();
        foreach (string network in new[] { "tanh-classifier", "relu-regression", "split-loss" })
        {
            foreach (int count in new[] { 1, 3, 64, 257 })
            {
                data.Add(network, count);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(StandardCases))]
    public void EqualsTheLossAndGradientOfAtToTheBit(string name, int count)
    {
        (Network network, Batch batch) = BatchedGradientTests.Create(name, count);
        double[] parameters = network.RandomParameters(seed: count);
        NetworkPoint point = network.At(parameters, batch);

        // What the span held before must not leak into the result: the call writes it, it does not add to it.
        double[] gradient = Enumerable.Repeat(double.NaN, network.ParameterCount).ToArray();
        double loss = network.LossAndGradient(parameters, batch, gradient);

        AssertSameBits([point.Loss], [loss]);
        AssertSameBits(point.Gradient(), gradient);
    }

    [Theory]
    [InlineData(5, 4, 3, false)]
    [InlineData(17, 6, 5, true)]
    [InlineData(29, 2, 1, false)]
    public void EqualsAtOnReferenceLayersToTheBit(int seed, int depth, int count, bool regression)
    {
        // Reference layers use the interface's per-example defaults of the batched members.
        NetworkPoint point = RandomNetworks.Point(seed, depth, count, regression);
        var gradient = new double[point.Network.ParameterCount];
        double loss = point.Network.LossAndGradient(point.Parameters, point.Batch, gradient);

        AssertSameBits([point.Loss], [loss]);
        AssertSameBits(point.Gradient(), gradient);
    }

    [Fact]
    public void ReusedBuffersServeLargerAndSmallerBatches()
    {
        // One network, batches growing then shrinking: the rented rows are then longer than the batch needs.
        (Network network, _) = BatchedGradientTests.Create("tanh-classifier", 1);
        double[] parameters = network.RandomParameters(seed: 2);
        var gradient = new double[network.ParameterCount];
        foreach (int count in new[] { 3, 257, 1, 64, 3 })
        {
            (_, Batch batch) = BatchedGradientTests.Create("tanh-classifier", count);
            double loss = network.LossAndGradient(parameters, batch, gradient);
            NetworkPoint point = network.At(parameters, batch);
            AssertSameBits([point.Loss], [loss]);
            AssertSameBits(point.Gradient(), gradient);
        }
    }

    [Theory]
    [InlineData("tanh-classifier", 1)]
    [InlineData("relu-regression", 64)]
    [InlineData("split-loss", 257)]
    public void ARepeatedCallAllocatesNothing(string name, int count)
    {
        (Network network, Batch batch) = BatchedGradientTests.Create(name, count);
        double[] parameters = network.RandomParameters(seed: count);
        var gradient = new double[network.ParameterCount];
        network.LossAndGradient(parameters, batch, gradient);

        long before = GC.GetAllocatedBytesForCurrentThread();
        network.LossAndGradient(parameters, batch, gradient);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
    }

    [Fact]
    public void GradientMatchesCentralDifferencesOfItsLoss()
    {
        (Network network, Batch batch) = BatchedGradientTests.Create("tanh-classifier", 3);
        double[] parameters = network.RandomParameters(seed: 3);
        var gradient = new double[network.ParameterCount];
        network.LossAndGradient(parameters, batch, gradient);

        var scratch = new double[network.ParameterCount];
        double scale = Math.Max(1e-3, Norms.Norm(gradient));
        for (int j = 0; j < parameters.Length; j++)
        {
            double h = FiniteDifferences.RelativeStep * Math.Max(1, Math.Abs(parameters[j]));
            double[] plus = (double[])parameters.Clone();
            double[] minus = (double[])parameters.Clone();
            plus[j] += h;
            minus[j] -= h;
            double difference = (network.LossAndGradient(plus, batch, scratch) - network.LossAndGradient(minus, batch, scratch)) / (plus[j] - minus[j]);
            Assert.True(Math.Abs(gradient[j] - difference) <= 1e-8 * scale,
                $"gradient[{j}] = {gradient[j]:R}; central differences give {difference:R}");
        }
    }

    [Fact]
    public void ParametersOfTheWrongLength()
    {
        (Network network, Batch batch) = BatchedGradientTests.Create("tanh-classifier", 3);
        int n = network.ParameterCount;
        var error = Assert.Throws<ArgumentException>(() => network.LossAndGradient(new double[n - 1], batch, new double[n]));
        AssertMentions(error, "parameters", $"{n - 1}", $"{n}");
    }

    [Fact]
    public void GradientOfTheWrongLength()
    {
        (Network network, Batch batch) = BatchedGradientTests.Create("tanh-classifier", 3);
        int n = network.ParameterCount;
        var error = Assert.Throws<ArgumentException>(() => network.LossAndGradient(network.RandomParameters(1), batch, new double[n + 2]));
        AssertMentions(error, "gradient", $"{n + 2}", $"{n}");
    }

    [Fact]
    public void GradientOverlappingTheParameters()
    {
        (Network network, Batch batch) = BatchedGradientTests.Create("tanh-classifier", 3);
        double[] parameters = network.RandomParameters(1);
        var error = Assert.Throws<ArgumentException>(() => network.LossAndGradient(parameters, batch, parameters));
        AssertMentions(error, "gradient overlaps parameters", "separate memory");
    }

    [Fact]
    public void NotFiniteParameter()
    {
        (Network network, Batch batch) = BatchedGradientTests.Create("tanh-classifier", 3);
        double[] parameters = network.RandomParameters(1);
        parameters[7] = double.NaN;
        var error = Assert.Throws<ArgumentException>(() => network.LossAndGradient(parameters, batch, new double[parameters.Length]));
        AssertMentions(error, "parameters[7]", "NaN", "finite");
    }

    [Fact]
    public void BatchRowsOfTheWrongWidth()
    {
        (Network network, _) = BatchedGradientTests.Create("tanh-classifier", 3);
        var error = Assert.Throws<ArgumentException>(() => network.LossAndGradient(network.RandomParameters(1),
            Batch.WithLabels(new double[,] { { 1, 2 } }, [0]), new double[network.ParameterCount]));
        AssertMentions(error, "batch rows", "2", "5");
    }

    [Fact]
    public void LabelOutsideTheClassRange()
    {
        (Network network, _) = BatchedGradientTests.Create("tanh-classifier", 3);
        var error = Assert.Throws<ArgumentException>(() => network.LossAndGradient(network.RandomParameters(1),
            Batch.WithLabels(new double[,] { { 1, 2, 3, 4, 5 } }, [4]), new double[network.ParameterCount]));
        AssertMentions(error, "label", "4", "class index");
    }

    [Fact]
    public void TargetsOfTheWrongLength()
    {
        (Network network, _) = BatchedGradientTests.Create("relu-regression", 3);
        var error = Assert.Throws<ArgumentException>(() => network.LossAndGradient(network.RandomParameters(1),
            Batch.WithTargets(new double[,] { { 1, 2, 3, 4, 5 } }, new double[1, 2]), new double[network.ParameterCount]));
        AssertMentions(error, "has 2 data values per example", "expected 3");
    }

    [Fact]
    public void NullBatch()
    {
        (Network network, _) = BatchedGradientTests.Create("tanh-classifier", 3);
        Assert.Throws<ArgumentNullException>(() => network.LossAndGradient(network.RandomParameters(1), null!, new double[network.ParameterCount]));
    }

    [Fact]
    public void NotFiniteLoss()
    {
        // Finite but huge weights: the regression's outputs overflow, and the squared error is infinite.
        var network = new Network(new LinearLayer(2, 2), new MeanSquaredErrorLayer(2, 1));
        double[] parameters = Enumerable.Repeat(1e200, network.ParameterCount).ToArray();
        Batch batch = Batch.WithTargets(new double[,] { { 1, 1 } }, new double[,] { { 0 } });
        var error = Assert.Throws<ArithmeticException>(() => network.LossAndGradient(parameters, batch, new double[parameters.Length]));
        AssertMentions(error, "loss", "Infinity", "finite");

        // The rows rented for the failed call serve the next one.
        parameters.AsSpan().Fill(0.5);
        var gradient = new double[parameters.Length];
        double loss = network.LossAndGradient(parameters, batch, gradient);
        NetworkPoint point = network.At(parameters, batch);
        AssertSameBits([point.Loss], [loss]);
        AssertSameBits(point.Gradient(), gradient);
    }

    private static void AssertSameBits(double[] expected, double[] actual) =>
        Assert.Equal(expected.Select(BitConverter.DoubleToInt64Bits), actual.Select(BitConverter.DoubleToInt64Bits));

    private static void AssertMentions(Exception error, params string[] fragments)
    {
        foreach (string fragment in fragments)
        {
            Assert.Contains(fragment, error.Message, StringComparison.Ordinal);
        }
    }
}
