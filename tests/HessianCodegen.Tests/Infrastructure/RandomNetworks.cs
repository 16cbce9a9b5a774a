using System;
using HessianCodegen.Tests.ReferenceLayers;

namespace HessianCodegen.Tests.Infrastructure;

/// <summary>Reproducible random networks of reference layers with mixed widths and activations, and batches for them.</summary>
public static class RandomNetworks
{
    private static readonly Activation[] Activations = [Activation.Tanh, Activation.Sigmoid, Activation.Softplus, Activation.Identity];

    /// <summary>
    /// A chain of <paramref name="depth"/> layers (the last a loss) with widths drawn from 1..5 and a
    /// batch of <paramref name="batchSize"/> examples, at random parameters of a moderate scale.
    /// </summary>
    public static NetworkPoint Point(int seed, int depth, int batchSize, bool regression)
    {
        var random = new Random(seed);
        var layers = new IHessianLayer[depth];
        int width = random.Next(1, 6);
        int inputs = width;
        for (int l = 0; l + 1 < depth; l++)
        {
            int outputs = random.Next(1, 6);
            layers[l] = new DenseReferenceLayer(Activations[random.Next(Activations.Length)], width, outputs);
            width = outputs;
        }

        int classes = random.Next(2, 5);
        layers[^1] = regression
            ? new MeanSquaredErrorReferenceLayer(width, classes)
            : new SoftmaxCrossEntropyReferenceLayer(width, classes);
        var network = new Network(layers);

        var rows = new double[batchSize, inputs];
        for (int n = 0; n < batchSize; n++)
        {
            for (int j = 0; j < inputs; j++)
            {
                rows[n, j] = random.NextDouble() * 4 - 2;
            }
        }

        Batch batch;
        if (regression)
        {
            var targets = new double[batchSize, classes];
            for (int n = 0; n < batchSize; n++)
            {
                for (int k = 0; k < classes; k++)
                {
                    targets[n, k] = random.NextDouble() * 2 - 1;
                }
            }

            batch = Batch.WithTargets(rows, targets);
        }
        else
        {
            var labels = new int[batchSize];
            for (int n = 0; n < batchSize; n++)
            {
                labels[n] = random.Next(classes);
            }

            batch = Batch.WithLabels(rows, labels);
        }

        double[] parameters = network.RandomParameters(seed);
        for (int i = 0; i < parameters.Length; i++)
        {
            parameters[i] *= 2;
        }

        return network.At(parameters, batch);
    }

    public static double[] Vector(int seed, int length)
    {
        var random = new Random(seed);
        var values = new double[length];
        for (int i = 0; i < length; i++)
        {
            values[i] = random.NextDouble() * 2 - 1;
        }

        return values;
    }
}
