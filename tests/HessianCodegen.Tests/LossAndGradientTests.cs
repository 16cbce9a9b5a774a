using System;
using System.Linq;
using System.Threading.Tasks;
using HessianCodegen.Layers;
using HessianCodegen.Tests.Infrastructure;
using Xunit;

namespace HessianCodegen.Tests;

/// <summary>
/// <see cref="Network.LossAndGradient"/> against <c>At(...).Loss</c> and <c>At(...).Gradient()</c>, which run the
/// same pass and so must agree to the bit; its argument checks, which are At's plus the gradient's; that a repeated
/// call allocates nothing and a pass above the pool's cap is not kept; reuse of the rows across batch sizes and
/// threads; and its gradient against central differences of its own loss (the PyTorch oracle is in
/// <see cref="OracleTests"/>).
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

    [Theory]
    [InlineData("tanh-classifier")]
    [InlineData("relu-regression")]
    [InlineData("split-loss")]
    public void ReusedBuffersServeLargerAndSmallerBatches(string name)
    {
        // One network, a large batch, then small ones, then large again: the rented rows are then longer than the
        // batch needs, and what the large batch left in them must not reach the small one's loss or gradient.
        (Network network, _) = BatchedGradientTests.Create(name, 1);
        double[] parameters = network.RandomParameters(seed: 2);
        var gradient = new double[network.ParameterCount];
        foreach (int count in new[] { 257, 3, 1, 64, 257, 3 })
        {
            (_, Batch batch) = BatchedGradientTests.Create(name, count);
            double loss = network.LossAndGradient(parameters, batch, gradient);
            NetworkPoint point = network.At(parameters, batch);
            AssertSameBits([point.Loss], [loss]);
            AssertSameBits(point.Gradient(), gradient);
        }
    }

    [Theory]
    [InlineData(5, 4, false)]
    [InlineData(17, 6, true)]
    [InlineData(29, 2, false)]
    public void ReusedBuffersServeLargerAndSmallerBatchesOnReferenceLayers(int seed, int depth, bool regression)
    {
        // The same seed draws the same layers whatever the batch size, so the first point's network takes every batch.
        Network network = RandomNetworks.Point(seed, depth, 1, regression).Network;
        double[] parameters = network.RandomParameters(seed);
        var gradient = new double[network.ParameterCount];
        foreach (int count in new[] { 33, 2, 1, 33, 5 })
        {
            Batch batch = RandomNetworks.Point(seed, depth, count, regression).Batch;
            double loss = network.LossAndGradient(parameters, batch, gradient);
            NetworkPoint point = network.At(parameters, batch);
            AssertSameBits([point.Loss], [loss]);
            AssertSameBits(point.Gradient(), gradient);
        }
    }

    [Fact]
    public void ConcurrentCallsOfMixedBatchSizesEqualAtToTheBit()
    {
        // Several threads on one network, each call renting its own rows and workspaces: a set shared by two calls,
        // or rows of a larger batch read by a smaller one, would show here as a wrong bit.
        (Network network, _) = BatchedGradientTests.Create("tanh-classifier", 1);
        double[] parameters = network.RandomParameters(seed: 4);
        int[] counts = [1, 257, 3, 64, 513];
        Batch[] batches = counts.Select(count => BatchedGradientTests.Create("tanh-classifier", count).Batch).ToArray();
        NetworkPoint[] expected = batches.Select(batch => network.At(parameters, batch)).ToArray();

        const int calls = 400;
        var losses = new double[calls];
        var gradients = new double[calls][];
        Parallel.For(0, calls, new ParallelOptions { MaxDegreeOfParallelism = 4 }, call =>
        {
            gradients[call] = new double[network.ParameterCount];
            losses[call] = network.LossAndGradient(parameters, batches[call % batches.Length], gradients[call]);
        });

        for (int call = 0; call < calls; call++)
        {
            NetworkPoint point = expected[call % batches.Length];
            AssertSameBits([point.Loss], [losses[call]]);
            AssertSameBits(point.Gradient(), gradients[call]);
        }
    }

    [Fact]
    public void APassAboveThePoolCapIsNotKept()
    {
        // A batch whose rows pass PassBuffers.PoolableValues (a whole data set in one call): its rows are left to the
        // collector, so the same call again allocates them again instead of finding them pinned in the network.
        const int count = 16384;
        (Network network, Batch batch) = BatchedGradientTests.Create("tanh-classifier", count);
        var rows = new PassBuffers(network);
        rows.Reserve(count);
        Assert.True(rows.Values > PassBuffers.PoolableValues, $"{rows.Values} values; expected a set above the cap");

        double[] parameters = network.RandomParameters(seed: 5);
        var gradient = new double[network.ParameterCount];
        network.LossAndGradient(parameters, batch, gradient);

        long before = GC.GetAllocatedBytesForCurrentThread();
        network.LossAndGradient(parameters, batch, gradient);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(allocated >= rows.Values * sizeof(double), $"{allocated} bytes allocated; expected the rows again");
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

    [Theory]
    [InlineData("tanh-classifier")]
    [InlineData("relu-regression")]
    [InlineData("split-loss")]
    public void GradientMatchesCentralDifferencesOfItsLoss(string name)
    {
        (Network network, Batch batch) = BatchedGradientTests.Create(name, 3);
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

    [Fact]
    public void NotFiniteLossLeavesTheGradientAsItWas()
    {
        // The loss is checked after the forward pass, before the gradient is cleared for the backward pass.
        var network = new Network(new LinearLayer(2, 2), new MeanSquaredErrorLayer(2, 1));
        double[] parameters = Enumerable.Repeat(1e200, network.ParameterCount).ToArray();
        Batch batch = Batch.WithTargets(new double[,] { { 1, 1 } }, new double[,] { { 0 } });
        double[] gradient = Enumerable.Range(1, network.ParameterCount).Select(j => j / 7.0).ToArray();
        double[] before = (double[])gradient.Clone();

        Assert.Throws<ArithmeticException>(() => network.LossAndGradient(parameters, batch, gradient));

        AssertSameBits(before, gradient);
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
