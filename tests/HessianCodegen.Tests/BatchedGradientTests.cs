using System;
using HessianCodegen.Layers;
using HessianCodegen.Tests.Infrastructure;
using Xunit;

namespace HessianCodegen.Tests;

/// <summary>
/// The loss and gradient of a <see cref="NetworkPoint"/>, which come from the batched layer members,
/// against the per-example path they replaced (every example through <c>Forward</c>, then
/// <c>BackpropInput</c> and <c>AddParameterGradient</c>), for generated layers with batched members,
/// a parameterless loss that uses the per-example default, and batch sizes small and large.
/// </summary>
public sealed class BatchedGradientTests
{
    public static TheoryData<string, int> Cases()
    {
        var data = new TheoryData<string, int>();
        foreach (string network in new[] { "tanh-classifier", "relu-regression", "split-loss" })
        {
            foreach (int count in new[] { 1, 3, 64, 257, 1000 })
            {
                data.Add(network, count);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void LossAndGradientEqualThePerExamplePath(string name, int count)
    {
        (Network network, Batch batch) = Create(name, count);
        double[] parameters = network.RandomParameters(seed: count);
        NetworkPoint point = network.At(parameters, batch);

        (double loss, double[] gradient) = PerExample(network, parameters, batch);

        Assert.InRange(Math.Abs(point.Loss - loss), 0, 1e-14 * Math.Max(1, Math.Abs(loss)));
        Assert.InRange(Norms.RelativeError(point.Gradient(), gradient), 0, 1e-13);
    }

    /// <summary>The loss and gradient one example at a time, through the per-example members only.</summary>
    private static (double Loss, double[] Gradient) PerExample(Network network, double[] parameters, Batch batch)
    {
        int depth = network.Depth;
        var gradient = new double[network.ParameterCount];
        double loss = 0;
        for (int n = 0; n < batch.Count; n++)
        {
            var activations = new double[depth + 1][];
            activations[0] = batch.Input(n).ToArray();
            for (int l = 0; l < depth; l++)
            {
                IHessianLayer layer = network.Layers[l];
                activations[l + 1] = new double[layer.OutputSize];
                layer.Forward(network.ParameterSlice(parameters, l), activations[l], Data(network, batch, l, n), activations[l + 1]);
            }

            loss += activations[depth][0];
            double[] adjoint = [1.0 / batch.Count];
            for (int l = depth - 1; l >= 0; l--)
            {
                IHessianLayer layer = network.Layers[l];
                ReadOnlySpan<double> layerParameters = network.ParameterSlice(parameters, l);
                layer.AddParameterGradient(layerParameters, activations[l], Data(network, batch, l, n), adjoint,
                    network.ParameterSlice(gradient.AsSpan(), l));
                var inputAdjoint = new double[layer.InputSize];
                layer.BackpropInput(layerParameters, activations[l], Data(network, batch, l, n), adjoint, inputAdjoint);
                adjoint = inputAdjoint;
            }
        }

        return (loss / batch.Count, gradient);
    }

    private static ReadOnlySpan<double> Data(Network network, Batch batch, int layer, int example) =>
        layer == network.Depth - 1 ? batch.Data(example) : default;

    internal static (Network Network, Batch Batch) Create(string name, int count)
    {
        var random = new Random(count);
        var inputs = new double[count, 5];
        for (int n = 0; n < count; n++)
        {
            for (int j = 0; j < 5; j++)
            {
                inputs[n, j] = 2 * random.NextDouble() - 1;
            }
        }

        var labels = new int[count];
        var targets = new double[count, 3];
        for (int n = 0; n < count; n++)
        {
            labels[n] = random.Next(4);
            for (int k = 0; k < 3; k++)
            {
                targets[n, k] = 2 * random.NextDouble() - 1;
            }
        }

        return name switch
        {
            "tanh-classifier" => (new Network(new TanhLayer(5, 8), new TanhLayer(8, 8), new SoftmaxCrossEntropyLayer(8, 4)),
                Batch.WithLabels(inputs, labels)),
            "relu-regression" => (new Network(new LinearLayer(5, 7), new ReluLayer(7, 6), new MeanSquaredErrorLayer(6, 3)),
                Batch.WithTargets(inputs, targets)),
            "split-loss" => (new Network(new SigmoidLayer(5, 6), new LinearLayer(6, 4), new SoftmaxCrossEntropyLoss(4)),
                Batch.WithLabels(inputs, labels)),
            _ => throw new ArgumentOutOfRangeException(nameof(name), name, "No such network."),
        };
    }
}
