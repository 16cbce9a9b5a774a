using System;
using HessianCodegen;
using HessianCodegen.Layers;

namespace Benchmarks;

/// <summary>The networks and batches the reports share, so that they time the same thing.</summary>
internal static class BenchmarkNetworks
{
    /// <summary>Width of issue 7's ReLU network's hidden layers, and its classes.</summary>
    public const int ReluWidth = 24;
    public const int ReluClasses = 10;

    /// <summary>ReLU layers in issue 7's network; the softmax cross-entropy layer follows them.</summary>
    public const int ReluLayers = 7;

    /// <summary>Issue 7's ReLU network with <paramref name="inputs"/> inputs (192 in the issue): 7 ReLU layers of width 24, softmax cross-entropy over 10 classes.</summary>
    public static Network Relu(int inputs)
    {
        var layers = new IHessianLayer[ReluLayers + 1];
        for (int l = 0; l < ReluLayers; l++)
        {
            layers[l] = new ReluLayer(l == 0 ? inputs : ReluWidth, ReluWidth);
        }

        layers[ReluLayers] = new SoftmaxCrossEntropyLayer(ReluWidth, ReluClasses);
        return new Network(layers);
    }

    /// <summary>A seeded batch: inputs uniform in [-1, 1), labels uniform over the classes.</summary>
    public static Batch RandomBatch(int inputs, int classes, int count, int seed)
    {
        var random = new Random(seed);
        var rows = new double[count, inputs];
        var labels = new int[count];
        for (int n = 0; n < count; n++)
        {
            for (int j = 0; j < inputs; j++)
            {
                rows[n, j] = (2.0 * random.NextDouble()) - 1.0;
            }

            labels[n] = random.Next(classes);
        }

        return Batch.WithLabels(rows, labels);
    }
}
