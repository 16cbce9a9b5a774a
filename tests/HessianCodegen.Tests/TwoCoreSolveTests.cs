using System;
using System.Collections.Generic;
using System.Linq;
using HessianCodegen.Layers;
using HessianCodegen.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace HessianCodegen.Tests;

/// <summary>
/// The solve's products with <c>Y</c> on two cores (<see cref="TwoCoreSweepProducts"/>): the same result, to the bit, as on one
/// core, with and without the prefetch, on networks small enough to take neither on their own (the two-core path is asked
/// for, as <see cref="RiccatiFactorization.PrefetchSolveBytes"/> would ask it of a deep one), whose gains split (more than
/// <see cref="LinearAlgebra.MatrixVectorKernels.FourRowColumns"/> columns) or, beside them, do not.
/// </summary>
public sealed class TwoCoreSolveTests(ITestOutputHelper output)
{
    [Theory]
    [MemberData(nameof(Networks))]
    public void A_two_core_solve_gives_the_same_bits_as_a_one_core_one(int[] widths, int batch, double epsilon)
    {
        var layers = new List<IHessianLayer>();
        for (int l = 0; l + 1 < widths.Length; l++)
        {
            layers.Add(new TanhLayer(widths[l], widths[l + 1]));
        }

        const int classes = 3;
        layers.Add(new SoftmaxCrossEntropyLayer(widths[^1], classes));
        var network = new Network([.. layers]);
        Batch examples = RandomValues.LabeledBatch(new Random(batch), batch, widths[0], classes);
        NetworkPoint point = network.At(network.RandomParameters(seed: 23), examples);
        RiccatiFactorization factorization = RiccatiFactorization.Create(point.Derivatives(), epsilon, out int singular)
            ?? throw new InvalidOperationException($"The pivot block of layer {singular} was singular; expected the recursion to succeed.");
        output.WriteLine($"routes {string.Join(", ", factorization.Routes)}, inertia {factorization.Inertia}");

        // The products that split: backward every layer with an input state of more than FourRowColumns, forward the same
        // layers (their input state is the state the forward sweep multiplies).
        int expectedSplits = 0;
        for (int l = 1; l < network.Depth; l++)
        {
            expectedSplits += batch * network.Layers[l].InputSize > LinearAlgebra.MatrixVectorKernels.FourRowColumns ? 2 : 0;
        }

        var random = new Random(batch + widths.Length);
        double[] rhs = Enumerable.Range(0, network.ParameterCount).Select(_ => random.NextDouble() - 0.5).ToArray();
        foreach (bool prefetch in new[] { false, true })
        {
            var oneCore = new double[rhs.Length];
            var twoCores = new double[rhs.Length];
            (_, int oneCoreSplits) = factorization.Solve(rhs, oneCore, prefetchLayers: prefetch, twoCores: false);
            (_, int twoCoreSplits) = factorization.Solve(rhs, twoCores, prefetchLayers: prefetch, twoCores: true);
            output.WriteLine($"prefetch {prefetch}: {twoCoreSplits} products on two cores");

            Assert.Equal(0, oneCoreSplits);
            Assert.Equal(expectedSplits, twoCoreSplits);
            Assert.All(oneCore, value => Assert.True(double.IsFinite(value)));
            Assert.Equal(oneCore.Select(BitConverter.DoubleToInt64Bits), twoCores.Select(BitConverter.DoubleToInt64Bits));
        }

        factorization.Release();
    }

    /// <summary>
    /// A width-8 chain at batch 8 (every gain 72 x 64: split, columns a multiple of the vectors' width), widths that make the
    /// halves uneven and leave columns past the vectors (batch 5: 45 and 35 columns; rows not a multiple of four), and a
    /// layer of three inputs among them (batch 8: 24 columns, not split).
    /// </summary>
    public static IEnumerable<object[]> Networks() =>
    [
        [Enumerable.Repeat(8, 13).ToArray(), 8, 1e-3],
        [new[] { 9, 7, 9, 3, 7, 5 }, 5, 1e-2],
        [new[] { 8, 8, 3, 8, 8 }, 8, 1e-3],
    ];
}
