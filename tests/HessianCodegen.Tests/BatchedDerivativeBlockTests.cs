using System;
using System.Linq;
using HessianCodegen.Layers;
using HessianCodegen.Tests.Infrastructure;
using Xunit;

namespace HessianCodegen.Tests;

/// <summary>
/// The batched derivative blocks of every standard layer (<see cref="IHessianLayer.AddJacobiansBatch"/>,
/// <see cref="IHessianLayer.AddSecondDerivativesBatch"/>) against the per-example members called once per example:
/// <c>Dx</c>, <c>Dz</c>, <c>Xzx</c> and <c>Xzz</c> stacked, <c>Xxx</c> summed. The activation layers compute theirs
/// from the slopes and curvatures of the whole batch, and their per-example members are these batched members with
/// <c>count</c> 1: for them this checks the batching (a batch against count-1 calls), not the blocks' values, which
/// ActivationBlocksTests checks against finite differences. The others keep per-example code, which the interface's
/// defaults call. Also: an empty <c>xzx</c> or <c>xzz</c> is not wanted and leaves the rest unchanged, and a
/// workspace at one point gives the same blocks when it already holds the slopes.
/// </summary>
public sealed class BatchedDerivativeBlockTests
{
    public static TheoryData<string, int> Cases()
    {
        var data = new TheoryData<string, int>();
        foreach (string layer in Layers.Keys())
        {
            foreach (int count in new[] { 1, 3, 7 })
            {
                data.Add(layer, count);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void BatchedBlocksAreThePerExampleBlocksStackedAndSummed(string name, int count)
    {
        IHessianLayer layer = Layers.Create(name);
        var random = new Random(11 * count + name.Length);
        (double[] parameters, double[] inputs, double[] data, double[] adjoints) = Arguments(layer, count, random);
        (double[] dx, double[] dz, double[] xxx, double[] xzx, double[] xzz) start = Start(layer, count, new Random(5));
        (double[] dx, double[] dz, double[] xxx, double[] xzx, double[] xzz) expected = PerExample(layer, count, parameters, inputs, data, adjoints);

        // Accumulated onto the same random start as the per-example blocks, on a workspace at one point, twice: the
        // second call reads the slopes the first one kept.
        var workspace = LayerWorkspace.AtOnePoint();
        for (int call = 0; call < 2; call++)
        {
            (double[] dx, double[] dz, double[] xxx, double[] xzx, double[] xzz) actual = Start(layer, count, new Random(5));
            layer.AddJacobiansBatch(count, parameters, inputs, data, actual.dx, actual.dz, workspace);
            layer.AddSecondDerivativesBatch(count, parameters, inputs, data, adjoints, actual.xxx, actual.xzx, actual.xzz, workspace);

            AssertClose("Dx", start.dx, expected.dx, actual.dx);
            AssertClose("Dz", start.dz, expected.dz, actual.dz);
            AssertClose("Xxx", start.xxx, expected.xxx, actual.xxx);
            AssertClose("Xzx", start.xzx, expected.xzx, actual.xzx);
            AssertClose("Xzz", start.xzz, expected.xzz, actual.xzz);
        }

        // xzx and xzz empty: not wanted, and Xxx is unchanged (a fresh workspace, and one that is not at a point).
        (double[] _, double[] _, double[] xxxAlone, double[] _, double[] _) = Start(layer, count, new Random(5));
        layer.AddSecondDerivativesBatch(count, parameters, inputs, data, adjoints, xxxAlone, [], [], new LayerWorkspace());
        AssertClose("Xxx without Xzx and Xzz", start.xxx, expected.xxx, xxxAlone);
    }

    /// <summary>The blocks from the per-example members, one call per example, onto a random start.</summary>
    private static (double[], double[], double[], double[], double[]) PerExample(IHessianLayer layer, int count, double[] parameters, double[] inputs,
        double[] data, double[] adjoints)
    {
        (double[] dx, double[] dz, double[] xxx, double[] xzx, double[] xzz) blocks = Start(layer, count, new Random(5));
        int a = layer.OutputSize, p = layer.ParameterCount, aIn = layer.InputSize, d = layer.DataSize;
        for (int n = 0; n < count; n++)
        {
            ReadOnlySpan<double> input = inputs.AsSpan(n * aIn, aIn), example = data.AsSpan(n * d, d);
            layer.AddJacobians(parameters, input, example, blocks.dx.AsSpan(n * a * p, a * p), blocks.dz.AsSpan(n * a * aIn, a * aIn));
            layer.AddSecondDerivatives(parameters, input, example, adjoints.AsSpan(n * a, a), blocks.xxx,
                blocks.xzx.AsSpan(n * p * aIn, p * aIn), blocks.xzz.AsSpan(n * aIn * aIn, aIn * aIn));
        }

        return blocks;
    }

    private static (double[], double[], double[], double[], double[]) Start(IHessianLayer layer, int count, Random random)
    {
        int a = layer.OutputSize, p = layer.ParameterCount, aIn = layer.InputSize;
        return (Values(random, count * a * p), Values(random, count * a * aIn), Values(random, p * p), Values(random, count * p * aIn), Values(random, count * aIn * aIn));
    }

    private static (double[], double[], double[], double[]) Arguments(IHessianLayer layer, int count, Random random)
    {
        double[] parameters = Values(random, layer.ParameterCount);
        double[] inputs = Values(random, count * layer.InputSize);
        double[] adjoints = Values(random, count * layer.OutputSize);
        var data = new double[count * layer.DataSize];
        for (int n = 0; n < count; n++)
        {
            foreach (DataField field in layer.DataLayout)
            {
                for (int k = 0; k < field.Width; k++)
                {
                    data[n * layer.DataSize + field.Offset + k] = field.Kind == DataKind.ClassLabel ? random.Next(field.Size) : 2 * random.NextDouble() - 1;
                }
            }
        }

        return (parameters, inputs, data, adjoints);
    }

    private static double[] Values(Random random, int length) => Enumerable.Range(0, length).Select(_ => 2 * random.NextDouble() - 1).ToArray();

    // What each call added to the start; sums over a batch in another order: equal to rounding, relative to the block's size.
    private static void AssertClose(string block, double[] start, double[] expected, double[] actual)
    {
        double[] added = actual.Select((value, k) => value - start[k]).ToArray();
        double[] expectedAdded = expected.Select((value, k) => value - start[k]).ToArray();
        double error = Norms.RelativeError(added, expectedAdded);
        Assert.True(error <= 1e-14, $"{block}: relative error {error:E2} of what was added.");
    }

    private static class Layers
    {
        public static string[] Keys() =>
            ["tanh", "sigmoid", "relu", "linear", "softplus", "softmax-cross-entropy", "mean-squared-error", "softmax-loss", "squared-error-loss"];

        public static IHessianLayer Create(string name) => name switch
        {
            "tanh" => new TanhLayer(5, 4),
            "sigmoid" => new SigmoidLayer(5, 4),
            "relu" => new ReluLayer(5, 4),
            "linear" => new LinearLayer(5, 4),
            "softplus" => new SoftplusLayer(5, 4),
            "softmax-cross-entropy" => new SoftmaxCrossEntropyLayer(5, 4),
            "mean-squared-error" => new MeanSquaredErrorLayer(5, 3),
            "softmax-loss" => new SoftmaxCrossEntropyLoss(4),
            "squared-error-loss" => new SquaredErrorLoss(4),
            _ => throw new ArgumentOutOfRangeException(nameof(name), name, "No such layer."),
        };
    }
}
