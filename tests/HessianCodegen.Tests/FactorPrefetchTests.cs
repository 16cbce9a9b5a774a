using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.Intrinsics.X86;
using HessianCodegen.Layers;
using HessianCodegen.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace HessianCodegen.Tests;

/// <summary>
/// The factorization's prefetch of the next layer's derivatives (<see cref="FactorPrefetch"/>,
/// <see cref="LayerDerivatives.QueueLowRankSpans"/>): each layer names what the low-rank route reads of it whole (the bytes
/// counted from its shapes and its groups here, the groups' blocks of <c>Xxx</c> among them), the spans are walked within the steps they were spread
/// over, the layers prefetched are those whose blocks go the low-rank route, and a factorization that prefetches gives the
/// same bits as one that does not.
/// </summary>
public sealed class FactorPrefetchTests(ITestOutputHelper output)
{
    [Fact]
    public void A_default_prefetch_names_nothing()
    {
        FactorPrefetch prefetch = default;
        Assert.Equal(0, prefetch.QueuedBytes);
    }

    [Theory]
    [MemberData(nameof(Layouts))]
    public void Each_layer_names_its_derivatives_and_the_steps_walk_them_all(string name, int seed)
    {
        HessianDerivatives derivatives = Derivatives(name, seed);
        foreach (int steps in new[] { 1, 4, 5, 7 })
        {
            for (int l = 0; l < derivatives.Point.Network.Depth - 1; l++)
            {
                LayerDerivatives d = derivatives.Layer(l);
                int p = d.ParameterCount;
                int a = d.OutputSize;
                int aIn = d.InputSize;
                int n = d.Count;
                // The reference: the blocks' shapes (docs/algorithm.md section 2), a block not stored taking no bytes; the first
                // layer's Dz is never read by the factorization (no input state).
                long groupBlockBytes = d.Has(SecondDerivativeBlocks.Xxx)
                    ? derivatives.ParameterGroups(l).Parameters.Sum(group => (long)group.Length * group.Length) * sizeof(double)
                    : 0;
                long[] spanBytes = new[]
                {
                    (long)n * a * p,
                    l > 0 ? (long)n * a * aIn : 0,
                    d.Has(SecondDerivativeBlocks.Xzx) ? (long)n * p * aIn : 0,
                    d.Has(SecondDerivativeBlocks.Xzz) ? (long)n * aIn * aIn : 0,
                }.Where(values => values > 0).Select(values => values * sizeof(double)).Append(groupBlockBytes).Where(bytes => bytes > 0).ToArray();
                // A span of L bytes covers ceil(L / 64) lines, or one more where it starts inside a line.
                long fewestLines = spanBytes.Sum(bytes => (bytes + 63) / 64);
                Assert.Equal(spanBytes.Sum() - groupBlockBytes, FactorPrefetch.OfDerivatives(d, l).QueuedBytes);
                FactorPrefetch prefetch = FactorPrefetch.Of(d, l, derivatives.GroupBlocks(l), steps);
                if (!Sse.IsSupported)
                {
                    // Nothing can be issued: nothing is named.
                    Assert.Equal(0, prefetch.QueuedBytes);
                    continue;
                }

                Assert.Equal(spanBytes.Sum(), prefetch.QueuedBytes);
                for (int s = 0; s < steps; s++)
                {
                    prefetch.Step();
                }

                // Every span's line within the steps but at most one per span that starts inside a line (PrefetchQueue.Spread).
                long lines = prefetch.IssuedLines;
                output.WriteLine($"{name}, layer {l}, {steps} steps: {lines} lines, then {prefetch.IssuedLines - lines} by Finish");
                prefetch.Finish();
                Assert.InRange(prefetch.IssuedLines - lines, 0, spanBytes.Length);
                Assert.InRange(prefetch.IssuedLines, fewestLines, fewestLines + spanBytes.Length);
            }
        }
    }

    [Theory]
    [MemberData(nameof(WellConditioned))]
    public void The_layers_prefetched_are_those_whose_blocks_go_the_low_rank_route(string name, int seed, double epsilon)
    {
        HessianDerivatives derivatives = Derivatives(name, seed);
        RiccatiFactorization factorization = RiccatiFactorization.Create(derivatives, epsilon, out int singular, prefetchNext: true)
            ?? throw new InvalidOperationException($"{name}: the pivot block of layer {singular} was singular; expected the recursion to succeed.");
        IReadOnlyList<PivotBlockRoute> routes = factorization.Routes;
        output.WriteLine($"{name}: routes {string.Join(", ", routes)}, {factorization.PrefetchedLayers} layers prefetched");
        int count = derivatives.Point.Batch.Count;
        for (int l = 0; l < routes.Count; l++)
        {
            // Well conditioned (epsilon large against Xxx, or Xxx zero): no block the route's flops take is declined for its
            // conditioning, so the prediction is the route.
            Assert.Equal(routes[l] == PivotBlockRoute.LowRankUpdate, RiccatiFactorization.PredictsLowRank(derivatives, l, count, allowLowRank: true));
            Assert.False(RiccatiFactorization.PredictsLowRank(derivatives, l, count, allowLowRank: false));
        }

        // Each layer but the last (factored first, by no layer before it) is prefetched where its block goes the low-rank route.
        int lowRankBeforeTheLast = routes.Take(routes.Count - 1).Count(route => route == PivotBlockRoute.LowRankUpdate);
        Assert.Equal(Sse.IsSupported ? lowRankBeforeTheLast : 0, factorization.PrefetchedLayers);
        if (seed == 1)
        {
            Assert.InRange(lowRankBeforeTheLast, 1, routes.Count);
        }

        factorization.Release();
        RiccatiFactorization plain = RiccatiFactorization.Create(derivatives, epsilon, out singular, prefetchNext: false)
            ?? throw new InvalidOperationException($"{name}: the pivot block of layer {singular} was singular without the prefetch; expected the recursion to succeed.");
        Assert.Equal(0, plain.PrefetchedLayers);
        plain.Release();
    }

    [Theory]
    [InlineData("tanh chain, batch 1")]
    [InlineData("tanh chain, batch 1, Gauss-Newton")]
    public void A_layer_of_more_bytes_than_the_limit_is_not_prefetched(string name)
    {
        // The Gauss-Newton chain stores no Xxx but the loss layer's: its layers' bytes are their derivatives' alone.
        HessianDerivatives derivatives = Derivatives(name, 1);
        int checkedLayers = 0;
        for (int l = 0; l < derivatives.Point.Network.Depth; l++)
        {
            if (!RiccatiFactorization.PredictsLowRank(derivatives, l, count: 1, allowLowRank: true))
            {
                continue;
            }

            long bytes = FactorPrefetch.Of(derivatives.Layer(l), l, derivatives.GroupBlocks(l), 4).QueuedBytes;
            long expected = Sse.IsSupported ? bytes : 0;
            Assert.Equal(expected, RiccatiFactorization.NextLayerPrefetch(derivatives, l, 1, allowLowRank: true, layerLimit: bytes).QueuedBytes);
            // No group blocks here, so bytes is the derivatives' alone and the line above guards the early decline's > (a >= there
            // declines the layer of exactly the limit). The early decline itself (declining before the route's prediction and the
            // groups' blocks, a time saving) is not seen from outside: the final check on the queued bytes gives the same answer.
            Assert.Equal(0, RiccatiFactorization.NextLayerPrefetch(derivatives, l, 1, allowLowRank: true, layerLimit: bytes - 1).QueuedBytes);
            checkedLayers++;
        }

        Assert.InRange(checkedLayers, 1, int.MaxValue);
    }

    [Theory]
    [InlineData(8, 170, true)]
    [InlineData(16, 16, false)]
    public void By_default_deep_chains_of_small_layers_prefetch_and_larger_layers_do_not(int width, int depth, bool prefetched)
    {
        // Batch 1: the hidden layers are predicted to go the low-rank route (the prefetch follows the prediction, not the route taken, so
        // the test does not rely on no block being declined for its conditioning); derivatives past
        // PrefetchFactorBytes, whose layers are below PrefetchFactorLayerBytes at width 8 (15 KiB) and above it at width 16 (108 KiB).
        Network network = new([.. Enumerable.Range(0, depth - 1).Select(_ => (IHessianLayer)new TanhLayer(width, width)), new SoftmaxCrossEntropyLayer(width, 3)]);
        Batch batch = RandomValues.LabeledBatch(new Random(width), count: 1, width, 3);
        HessianDerivatives derivatives = network.At(network.RandomParameters(seed: depth), batch).Derivatives();
        long derivativeBytes = Enumerable.Range(0, depth).Sum(l => (long)derivatives.Layer(l).All.Length * sizeof(double));
        Assert.InRange(derivativeBytes, RiccatiFactorization.PrefetchFactorBytes, long.MaxValue);
        long largestLayer = Enumerable.Range(1, depth - 2)
            .Max(l => FactorPrefetch.Of(derivatives.Layer(l), l, derivatives.GroupBlocks(l), 4).QueuedBytes);
        output.WriteLine($"width {width}, depth {depth}: {derivativeBytes} bytes of derivatives, {largestLayer} bytes in the largest layer's prefetch");

        const double epsilon = 1.0;
        RiccatiFactorization always = RiccatiFactorization.Create(derivatives, epsilon, out int singular, prefetchNext: true)
            ?? throw new InvalidOperationException($"width {width}: the pivot block of layer {singular} was singular; expected the recursion to succeed.");
        int lowRankLayers = always.PrefetchedLayers;
        always.Release();
        RiccatiFactorization byRule = RiccatiFactorization.Create(derivatives, epsilon, out singular)
            ?? throw new InvalidOperationException($"width {width}: the pivot block of layer {singular} was singular; expected the recursion to succeed.");
        output.WriteLine($"{lowRankLayers} layers prefetched when asked, {byRule.PrefetchedLayers} by the rule");
        if (Sse.IsSupported)
        {
            Assert.InRange(lowRankLayers, depth / 2, depth);
            Assert.Equal(largestLayer <= RiccatiFactorization.PrefetchFactorLayerBytes, prefetched);
        }

        Assert.Equal(prefetched ? lowRankLayers : 0, byRule.PrefetchedLayers);
        byRule.Release();
    }

    [Theory]
    [MemberData(nameof(Networks))]
    public void A_prefetching_factorization_gives_the_same_bits_as_a_plain_one(string name, int seed, double epsilon)
    {
        HessianDerivatives derivatives = Derivatives(name, seed);
        NetworkPoint point = derivatives.Point;
        RiccatiFactorization plain = RiccatiFactorization.Create(derivatives, epsilon, out int singular, prefetchNext: false)
            ?? throw new InvalidOperationException($"{name}: the pivot block of layer {singular} was singular; expected the recursion to succeed.");
        var random = new Random(seed);
        int size = point.Network.ParameterCount;
        double[] rhs = Enumerable.Range(0, size).Select(_ => random.NextDouble() - 0.5).ToArray();
        var plainSolution = new double[size];
        plain.Solve(rhs, plainSolution);
        (Inertia inertia, LogDeterminant logDeterminant, long flops) = (plain.Inertia, plain.LogDeterminant, plain.FlopCount);
        output.WriteLine($"{name}: routes {string.Join(", ", plain.Routes)}, inertia {inertia}");
        plain.Release();

        RiccatiFactorization prefetched = RiccatiFactorization.Create(derivatives, epsilon, out singular, prefetchNext: true)
            ?? throw new InvalidOperationException($"{name}: the pivot block of layer {singular} was singular with the prefetch; expected the recursion to succeed.");
        var prefetchedSolution = new double[size];
        prefetched.Solve(rhs, prefetchedSolution);

        Assert.All(plainSolution, value => Assert.True(double.IsFinite(value)));
        Assert.Equal(plainSolution, prefetchedSolution);
        Assert.Equal(inertia, prefetched.Inertia);
        Assert.Equal(logDeterminant, prefetched.LogDeterminant);
        Assert.Equal(flops, prefetched.FlopCount);
        prefetched.Release();
    }

    /// <summary>
    /// A tanh chain at batch 1 (low-rank blocks) and batch 8 (whole blocks), the batch-1 chain's Gauss-Newton matrix (no
    /// <c>Xxx</c> but the loss layer's), and a layer of one output (a dense <c>Dx</c>, a narrow state between wide ones); the
    /// seed is the batch's size.
    /// </summary>
    public static IEnumerable<object[]> Networks() =>
    [
        ["tanh chain, batch 8", 8, 1e-3],
        ["tanh chain, batch 1", 1, 1e-3],
        ["tanh chain, batch 1, Gauss-Newton", 1, 1e-3],
        ["one-output layer, batch 3", 3, 1e-2],
    ];

    /// <summary>
    /// The batch-1 chain damped enough that <c>Xxx + eps I</c> is well conditioned in every group (at <c>1e-3</c> most of its
    /// blocks are declined for their conditioning and go whole), its Gauss-Newton matrix (<c>X = eps I</c>), and batch 8.
    /// </summary>
    public static IEnumerable<object[]> WellConditioned() =>
    [
        ["tanh chain, batch 1", 1, 1.0],
        ["tanh chain, batch 1, Gauss-Newton", 1, 1e-3],
        ["tanh chain, batch 8", 8, 1e-3],
    ];

    /// <summary><see cref="Networks"/> without the damping, for tests that factor nothing.</summary>
    public static IEnumerable<object[]> Layouts() => Networks().Select(row => new[] { row[0], row[1] });

    private static HessianDerivatives Derivatives(string name, int seed) =>
        Point(name, seed).Derivatives(name.EndsWith("Gauss-Newton", StringComparison.Ordinal) ? Curvature.GaussNewton : Curvature.Hessian);

    private static NetworkPoint Point(string name, int seed)
    {
        bool oneOutput = name.StartsWith("one-output", StringComparison.Ordinal);
        bool gaussNewton = name.EndsWith("Gauss-Newton", StringComparison.Ordinal);
        const int classes = 3;
        IEnumerable<IHessianLayer> chain = Enumerable.Range(0, 12).Select(_ => (IHessianLayer)new TanhLayer(8, 8));
        Network network = oneOutput
            ? new Network(new TanhLayer(4, 6), new TanhLayer(6, 1), new TanhLayer(1, 5), new SoftmaxCrossEntropyLayer(5, classes))
            : gaussNewton
                ? new Network([.. chain, new LinearLayer(8, classes), new SoftmaxCrossEntropyLoss(classes)]) // the loss its own layer
                : new Network([.. chain, new SoftmaxCrossEntropyLayer(8, classes)]);
        Batch batch = RandomValues.LabeledBatch(new Random(seed), count: seed, network.Layers[0].InputSize, classes);
        return network.At(network.RandomParameters(seed: 17), batch);
    }
}
