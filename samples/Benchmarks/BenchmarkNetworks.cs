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

    /// <summary>Classes of the tanh chains' softmax cross-entropy layer.</summary>
    public const int TanhClasses = 4;

    /// <summary>The tanh chain of the main table and of --gradient: depth - 1 TanhLayer(width, width), then SoftmaxCrossEntropyLayer(width, 4).</summary>
    public static Network TanhChain(int width, int depth)
    {
        var layers = new IHessianLayer[depth];
        for (int l = 0; l + 1 < depth; l++)
        {
            layers[l] = new TanhLayer(width, width);
        }

        layers[depth - 1] = new SoftmaxCrossEntropyLayer(width, TanhClasses);
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
