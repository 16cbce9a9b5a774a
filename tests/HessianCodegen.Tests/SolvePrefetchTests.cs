using System;
using System.Collections.Generic;
using System.Linq;
using HessianCodegen.LinearAlgebra;
using HessianCodegen.Layers;
using Xunit;
using Xunit.Abstractions;

namespace HessianCodegen.Tests;

/// <summary>
/// The solve's prefetch of the next layer (<see cref="PrefetchQueue"/>, <see cref="RiccatiFactorization.QueueSolveSpans"/>):
/// the queue walks every cache line of the spans named to it once, in the steps it was told; each layer names what the solve
/// reads of it (the bytes <see cref="RiccatiFactorization.SolveBytesPerLayer"/> counts from the shapes); and a solve that
/// prefetches gives the same result, to the bit, as one that does not (small networks do not prefetch on their own).
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
        long before = 0;
        long largestStep = 0;
        for (int s = 0; s < steps; s++)
        {
            queue.Step();
            largestStep = Math.Max(largestStep, queue.IssuedLines - before);
            before = queue.IssuedLines;
        }

        long afterSteps = queue.IssuedLines;
        queue.Finish();
        output.WriteLine($"{steps} steps: {afterSteps} lines, then {queue.IssuedLines - afterSteps} by Finish, of {expectedLines}; largest step {largestStep}");

        Assert.Equal(expectedLines, queue.IssuedLines);
        // The steps cover all but at most one line per span that starts inside a line, and none is longer than its share.
        Assert.InRange(expectedLines - afterSteps, 0, spans.Length);
        Assert.InRange(largestStep, 0, ((queue.QueuedBytes / PrefetchQueue.LineBytes) + spans.Length + steps - 1) / steps);

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
    public void Each_layer_names_the_bytes_a_sweep_reads_of_it(string name, int seed, double epsilon)
    {
        RiccatiFactorization factorization = Factorize(name, seed, epsilon);
        long[] solveBytes = factorization.SolveBytesPerLayer();
        for (int l = 0; l < solveBytes.Length; l++)
        {
            var queue = new PrefetchQueue();
            factorization.QueueSolveSpans(l, ref queue);
            Assert.Equal(solveBytes[l] / 2, queue.QueuedBytes);
        }

        factorization.Release();
    }

    [Theory]
    [MemberData(nameof(Networks))]
    public void A_prefetching_solve_gives_the_same_bits_as_a_plain_one(string name, int seed, double epsilon)
    {
        RiccatiFactorization factorization = Factorize(name, seed, epsilon);
        var random = new Random(seed);
        int size = Point(name, seed).Network.ParameterCount;
        double[] rhs = Enumerable.Range(0, size).Select(_ => random.NextDouble() - 0.5).ToArray();
        var plain = new double[size];
        var prefetched = new double[size];
        factorization.Solve(rhs, plain, prefetchLayers: false);
        factorization.Solve(rhs, prefetched, prefetchLayers: true);

        Assert.All(plain, value => Assert.True(double.IsFinite(value)));
        Assert.Equal(plain, prefetched);
        factorization.Release();
    }

    /// <summary>
    /// Networks whose layers take every storage a sweep reads: whole blocks with Cholesky and Bunch-Kaufman factors (a tanh
    /// chain at batch 8), low-rank blocks with Cholesky and Bunch-Kaufman cores (the same chain at batch 1), a dense <c>Dx</c>
    /// (a layer of one output, every parameter in each row) and rows of <c>Y</c> not a multiple of the prefetch's rows.
    /// </summary>
    public static IEnumerable<object[]> Networks() =>
    [
        ["tanh chain, batch 8", 8, 1e-3],
        ["tanh chain, batch 1", 1, 1e-3],
        ["one-output layer, batch 3", 3, 1e-2],
    ];

    private RiccatiFactorization Factorize(string name, int seed, double epsilon)
    {
        NetworkPoint point = Point(name, seed);
        RiccatiFactorization factorization = RiccatiFactorization.Create(point.Derivatives(), epsilon, out int singular)
            ?? throw new InvalidOperationException($"{name}: the pivot block of layer {singular} was singular; expected the recursion to succeed.");
        output.WriteLine($"{name}: routes {string.Join(", ", factorization.Routes)}, inertia {factorization.Inertia}");
        return factorization;
    }

    private static NetworkPoint Point(string name, int seed)
    {
        bool oneOutput = name.StartsWith("one-output", StringComparison.Ordinal);
        const int classes = 3;
        Network network = oneOutput
            ? new Network(new TanhLayer(4, 6), new TanhLayer(6, 1), new TanhLayer(1, 5), new SoftmaxCrossEntropyLayer(5, classes))
            : new Network([.. Enumerable.Range(0, 24).Select(_ => (IHessianLayer)new TanhLayer(8, 8)), new SoftmaxCrossEntropyLayer(8, classes)]);
        int inputs = network.Layers[0].InputSize;
        var random = new Random(seed);
        var rows = new double[seed, inputs];
        var labels = new int[seed];
        for (int n = 0; n < seed; n++)
        {
            for (int j = 0; j < inputs; j++)
            {
                rows[n, j] = (2 * random.NextDouble()) - 1;
            }

            labels[n] = random.Next(classes);
        }

        return network.At(network.RandomParameters(seed: 17), Batch.WithLabels(rows, labels));
    }

    /// <summary>The lines from the one that holds the span's first byte to the one that holds its last (the array is pinned).</summary>
    private static long LinesCovering(Array array, int startByte, int length)
    {
        long start = (long)System.Runtime.InteropServices.Marshal.UnsafeAddrOfPinnedArrayElement(array, 0) + startByte;
        return ((start + length - 1) / PrefetchQueue.LineBytes) - (start / PrefetchQueue.LineBytes) + 1;
    }
}
