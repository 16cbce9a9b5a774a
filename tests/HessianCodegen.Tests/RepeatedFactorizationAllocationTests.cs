using System;
using System.Linq;
using HessianCodegen.Layers;
using Xunit;
using Xunit.Abstractions;

namespace HessianCodegen.Tests;

/// <summary>
/// What a repeated factorization of the same derivatives allocates (a trust-region or damping search factors them again and again):
/// at batch 1 the storage comes from the pool and the recursion's work arrays from the derivatives (<see cref="RiccatiScratch"/>),
/// and a layer adds only its factor objects (a low-rank layer's factor and its core's, a few hundred bytes) and its entries of the
/// result's per-layer arrays: no array per group and layer (the low-rank groups are views by offset), no work array per factorization.
/// Counted with <see cref="GC.GetAllocatedBytesForCurrentThread"/>, never timed.
/// </summary>
public sealed class RepeatedFactorizationAllocationTests(ITestOutputHelper output)
{
    /// <summary>Bytes a layer may add to a repeated factorization (about 500 measured: four small objects and the result's entries).</summary>
    private const long PerLayerBound = 1024;

    [Fact]
    public void RepeatedBatchOneFactorizationAllocatesOnlyItsLayersFactorObjects()
    {
        const int shallow = 16, deep = 48;
        long shallowBytes = RepeatedFactorizationBytes(shallow);
        long deepBytes = RepeatedFactorizationBytes(deep);
        long perLayer = (deepBytes - shallowBytes) / (deep - shallow);
        output.WriteLine($"depth {shallow}: {shallowBytes} bytes, depth {deep}: {deepBytes} bytes; {perLayer} per layer");
        Assert.True(perLayer <= PerLayerBound, $"a repeated factorization allocated {perLayer} bytes per layer; expected at most {PerLayerBound}");

        // The whole factorization too (its work arrays: 146 KB at depth 128 when each factorization made its own).
        Assert.True(deepBytes <= PerLayerBound * deep, $"a repeated factorization of depth {deep} allocated {deepBytes} bytes; expected at most {PerLayerBound * deep}");
    }

    [Fact]
    public void DerivativesKeepTheWorkArraysUntilDisposed()
    {
        var network = new Network(new TanhLayer(8, 8), new TanhLayer(8, 8), new SoftmaxCrossEntropyLayer(8, 4));
        HessianDerivatives derivatives = network.At(network.RandomParameters(seed: 5), Batch.WithLabels(new double[1, 8], [1])).Derivatives();
        Assert.False(derivatives.KeepsRiccatiScratch);
        derivatives.Factorize(1e-3).Dispose();
        Assert.True(derivatives.KeepsRiccatiScratch);

        // Disposed, the derivatives make no more factorizations: they let the arrays go.
        derivatives.Dispose();
        Assert.False(derivatives.KeepsRiccatiScratch);
    }

    /// <summary>
    /// A factorization that finishes after its derivatives were disposed (one of them still live holds their blocks) keeps no work
    /// arrays on them: nothing would take them.
    /// </summary>
    [Fact]
    public void AFactorizationFinishingAfterDisposeKeepsNone()
    {
        var network = new Network(new TanhLayer(8, 8), new TanhLayer(8, 8), new SoftmaxCrossEntropyLayer(8, 4));
        HessianDerivatives derivatives = network.At(network.RandomParameters(seed: 5), Batch.WithLabels(new double[1, 8], [1])).Derivatives();
        using HessianFactorization live = derivatives.Factorize(1e-3);
        derivatives.Dispose();
        RiccatiFactorization? late = RiccatiFactorization.Create(derivatives, 1e-3, out int singularLayer);
        Assert.NotNull(late);
        Assert.Equal(-1, singularLayer);
        Assert.False(derivatives.KeepsRiccatiScratch);
        late.Release();
    }

    /// <summary>
    /// A scratch that is not kept (a large factorization's) lets the old square go when the whole blocks change order, so that it never
    /// holds two squares (hundreds of MB at issue 7's network); a kept (small) one keeps the old as its spare.
    /// </summary>
    [Fact]
    public void OnlyAKeptScratchHoldsASpareSquare()
    {
        var large = new RiccatiScratch();
        large.BlockOf(16, keepSpare: false);
        large.BlockOf(9, keepSpare: false);
        Assert.Equal(9, large.Block.Length);
        Assert.Empty(large.SpareBlock);

        var kept = new RiccatiScratch();
        double[] first = kept.BlockOf(16, keepSpare: true);
        kept.BlockOf(9, keepSpare: true);
        Assert.Same(first, kept.SpareBlock);
        Assert.Same(first, kept.BlockOf(16, keepSpare: true));
    }

    /// <summary>
    /// The bytes this thread allocates for a factorization (disposed) of a width-8 batch-1 tanh chain's derivatives, after two
    /// factorizations of them that filled the pool and the derivatives' scratch; the least of three, against a stray first use of a
    /// shared pool's thread-local store.
    /// </summary>
    private static long RepeatedFactorizationBytes(int depth)
    {
        var network = new Network([.. Enumerable.Range(0, depth - 1).Select(_ => (IHessianLayer)new TanhLayer(8, 8)), new SoftmaxCrossEntropyLayer(8, 4)]);
        var random = new Random(depth);
        var inputs = new double[1, 8];
        for (int j = 0; j < 8; j++)
        {
            inputs[0, j] = (2 * random.NextDouble()) - 1;
        }

        HessianDerivatives derivatives = network.At(network.RandomParameters(seed: depth), Batch.WithLabels(inputs, [2])).Derivatives();
        derivatives.FactorStoragePool = new FactorStoragePool(holdStrongly: true); // its own, held: a collection does not empty it
        const double epsilon = 1e-3;
        derivatives.Factorize(epsilon).Dispose();
        derivatives.Factorize(epsilon).Dispose();
        long least = long.MaxValue;
        for (int attempt = 0; attempt < 3; attempt++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            FactorizationPath path;
            using (HessianFactorization factorization = derivatives.Factorize(epsilon))
            {
                path = factorization.Path;
            }

            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
            Assert.Equal(FactorizationPath.Riccati, path);
        }

        return least;
    }
}
