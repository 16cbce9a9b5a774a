using System;
using System.Collections.Generic;
using System.Linq;
using HessianCodegen.LinearAlgebra;
using HessianCodegen.Layers;
using HessianCodegen.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace HessianCodegen.Tests;

/// <summary>
/// The solve's prefetch of the next layer (<see cref="PrefetchQueue"/>, <see cref="RiccatiFactorization.QueueSolveSpans"/>):
/// the queue walks every cache line of the spans named to it once, in the steps it was told; each layer names what the sweeps
/// read of it (counted here from the layers' shapes, as <see cref="RiccatiFactorization.SolveBytesPerLayer"/> counts it); and
/// a solve that prefetches gives the same result, to the bit, as one that does not (small networks do not prefetch on their
/// own).
/// </summary>
public sealed class SolvePrefetchTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(40)]
    public void The_queue_walks_every_line_of_its_spans_once_in_its_steps(int steps)
    {
        // Spans of several element types, starting inside lines and on them, as short as one byte and crossing pages; pinned,
        // so that the reference's addresses are the queue's.
        byte[] bytes = GC.AllocateArray<byte>(9000, pinned: true);
        double[] values = GC.AllocateArray<double>(3000, pinned: true);
        int[] indices = GC.AllocateArray<int>(700, pinned: true);
        var spans = new (Array Array, int StartByte, int Length)[]
        {
            (bytes, 1, 1),
            (values, 3 * sizeof(double), 129 * sizeof(double)),
            (bytes, 63, 2),
            (indices, 5 * sizeof(int), 600 * sizeof(int)),
            (values, 0, 3000 * sizeof(double)),
            (bytes, 100, 8800),
        };

        var queue = new PrefetchQueue();
        queue.Add(bytes.AsSpan(1, 1));
        queue.Add<double>(values.AsSpan(3, 129));
        queue.Add(bytes.AsSpan(63, 2));
        queue.Add<int>(indices.AsSpan(5, 600));
        queue.Add<double>(values);
        queue.Add(ReadOnlySpan<byte>.Empty);
        queue.Add(bytes.AsSpan(100, 8800));

        // The reference: per span, the lines from the one that holds its first byte to the one that holds its last.
        long expectedLines = 0;
        foreach ((Array array, int startByte, int length) in spans)
        {
            expectedLines += LinesCovering(array, startByte, length);
        }

        Assert.Equal(spans.Sum(s => (long)s.Length), queue.QueuedBytes);
        queue.Spread(steps);
        var stepLines = new long[steps];
        for (int s = 0; s < steps; s++)
        {
            long before = queue.IssuedLines;
            queue.Step();
            stepLines[s] = queue.IssuedLines - before;
        }

        long afterSteps = queue.IssuedLines;
        queue.Finish();
        output.WriteLine($"{steps} steps: {string.Join(" ", stepLines)}, then {queue.IssuedLines - afterSteps} by Finish, of {expectedLines}");

        Assert.Equal(expectedLines, queue.IssuedLines);
        // The steps issue the same number of lines each, until the lines run out (then fewer in one step, none after it).
        int full = Array.FindIndex(stepLines, lines => lines != stepLines[0]);
        if (full >= 0)
        {
            Assert.InRange(stepLines[full], 0, stepLines[0] - 1);
            Assert.All(stepLines[(full + 1)..], lines => Assert.Equal(0, lines));
            Assert.Equal(expectedLines, afterSteps);
        }

        // Together they cover the reference's lines but at most one per span (one that starts inside a line may take one
        // more than its bytes, which Finish issues), and a step takes no more than its share of them and that one per span.
        Assert.InRange(expectedLines - afterSteps, 0, spans.Length);
        Assert.InRange(stepLines[0] * steps, 0, expectedLines + spans.Length + steps - 1);

        queue.Step();
        queue.Finish();
        Assert.Equal(expectedLines, queue.IssuedLines);
    }

    [Fact]
    public void A_queue_refuses_a_span_beyond_its_capacity()
    {
        double[] values = new double[4];
        var queue = new PrefetchQueue();
        for (int i = 0; i < PrefetchQueue.Capacity; i++)
        {
            queue.Add<double>(values);
        }

        bool refused = false;
        try
        {
            queue.Add<double>(values);
        }
        catch (InvalidOperationException e)
        {
            refused = e.Message.Contains("prefetch queue", StringComparison.Ordinal);
        }

        Assert.True(refused);
    }

    [Theory]
    [MemberData(nameof(Networks))]
    public void Each_layer_names_the_bytes_the_sweeps_read_of_it(TestNetwork shape, int batch, double epsilon)
    {
        NetworkPoint point = Point(shape, batch);
        RiccatiFactorization factorization = Factorize(point, epsilon);
        Network network = point.Network;
        long[] solveBytes = factorization.SolveBytesPerLayer();
        for (int l = 0; l < network.Depth; l++)
        {
            // What a sweep reads of layer l, from its shapes: Y (p x m_in) and the Dz blocks (a x a_in per example), none
            // where there is no input state (the first layer) or no output state (the loss), Dx (m x p, or compressed),
            // and the pivot block's stored factors.
            IHessianLayer layer = network.Layers[l];
            int p = layer.ParameterCount;
            int m = l + 1 < network.Depth ? batch * layer.OutputSize : 0;
            int mIn = l > 0 ? batch * layer.InputSize : 0;
            long gain = (long)p * mIn * sizeof(double);
            long dz = mIn > 0 && m > 0 ? (long)batch * layer.OutputSize * layer.InputSize * sizeof(double) : 0;
            CompressedJacobian jacobian = factorization.Jacobian(l);
            long dx = jacobian.IsCompressed ? jacobian.StoredBytes : (long)m * p * sizeof(double);
            long expected = gain + dz + dx + factorization.Block(l).StoredBytes;

            var queue = new PrefetchQueue();
            factorization.QueueSolveSpans(l, ref queue);
            Assert.Equal(expected, queue.QueuedBytes);
            Assert.Equal(2 * expected, solveBytes[l]);
        }

        factorization.Release();
    }

    [Theory]
    [MemberData(nameof(Networks))]
    public void A_prefetching_solve_gives_the_same_bits_as_a_plain_one(TestNetwork shape, int batch, double epsilon)
    {
        NetworkPoint point = Point(shape, batch);
        RiccatiFactorization factorization = Factorize(point, epsilon);
        var random = new Random(batch);
        int size = point.Network.ParameterCount;
        double[] rhs = Enumerable.Range(0, size).Select(_ => random.NextDouble() - 0.5).ToArray();
        var plain = new double[size];
        var prefetched = new double[size];
        int plainQueued = factorization.Solve(rhs, plain, prefetchLayers: false);
        int prefetchQueued = factorization.Solve(rhs, prefetched, prefetchLayers: true);

        // The prefetching solve took the chunked path: each sweep queued every layer after its first.
        Assert.Equal(0, plainQueued);
        Assert.Equal(2 * (point.Network.Depth - 1), prefetchQueued);
        Assert.All(plain, value => Assert.True(double.IsFinite(value)));
        Assert.Equal(plain.Select(BitConverter.DoubleToInt64Bits), prefetched.Select(BitConverter.DoubleToInt64Bits));
        factorization.Release();
    }

    /// <summary>The networks of <see cref="Networks"/>.</summary>
    public enum TestNetwork
    {
        /// <summary>24 tanh layers of width 8, then the loss.</summary>
        TanhChain,

        /// <summary>A tanh layer of one output between two others (a dense <c>Dx</c>), then the loss.</summary>
        OneOutputLayer,
    }

    /// <summary>
    /// Networks whose layers take every storage a sweep reads: whole blocks with Cholesky and Bunch-Kaufman factors (a tanh
    /// chain at batch 8), low-rank blocks with Cholesky and Bunch-Kaufman cores (the same chain at batch 1), a dense <c>Dx</c>
    /// (a layer of one output, every parameter in each row) and rows of <c>Y</c> not a multiple of the prefetch's rows.
    /// </summary>
    public static IEnumerable<object[]> Networks() =>
    [
        [TestNetwork.TanhChain, 8, 1e-3],
        [TestNetwork.TanhChain, 1, 1e-3],
        [TestNetwork.OneOutputLayer, 3, 1e-2],
    ];

    private RiccatiFactorization Factorize(NetworkPoint point, double epsilon)
    {
        RiccatiFactorization factorization = RiccatiFactorization.Create(point.Derivatives(), epsilon, out int singular)
            ?? throw new InvalidOperationException($"The pivot block of layer {singular} was singular; expected the recursion to succeed.");
        output.WriteLine($"routes {string.Join(", ", factorization.Routes)}, inertia {factorization.Inertia}");
        return factorization;
    }

    private static NetworkPoint Point(TestNetwork shape, int batch)
    {
        const int classes = 3;
        Network network = shape switch
        {
            TestNetwork.TanhChain => new Network([.. Enumerable.Range(0, 24).Select(_ => (IHessianLayer)new TanhLayer(8, 8)), new SoftmaxCrossEntropyLayer(8, classes)]),
            TestNetwork.OneOutputLayer => new Network(new TanhLayer(4, 6), new TanhLayer(6, 1), new TanhLayer(1, 5), new SoftmaxCrossEntropyLayer(5, classes)),
            _ => throw new ArgumentOutOfRangeException(nameof(shape), shape, "Expected a network of TestNetwork."),
        };
        Batch examples = RandomValues.LabeledBatch(new Random(batch), batch, network.Layers[0].InputSize, classes);
        return network.At(network.RandomParameters(seed: 17), examples);
    }

    /// <summary>The lines from the one that holds the span's first byte to the one that holds its last (the array is pinned).</summary>
    private static long LinesCovering(Array array, int startByte, int length)
    {
        long start = (long)System.Runtime.InteropServices.Marshal.UnsafeAddrOfPinnedArrayElement(array, 0) + startByte;
        return ((start + length - 1) / PrefetchQueue.LineBytes) - (start / PrefetchQueue.LineBytes) + 1;
    }
}
