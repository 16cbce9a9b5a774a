using System;
using System.Collections.Generic;
using System.Linq;
using HessianCodegen.Layers;
using HessianCodegen.Tests.Infrastructure;
using Xunit;

namespace HessianCodegen.Tests;

/// <summary>
/// The groups' blocks of <c>Xxx</c> the derivatives keep for the low-rank route (<see cref="HessianDerivatives.GroupBlocks"/>,
/// <see cref="CompactGroupBlocks"/>): each group's <c>q x q</c> block holds <c>Xxx</c> at its parameters (read here from the
/// dense block by its definition), nothing is copied where <c>Xxx</c> is not stored (a ReLU chain), and the route given the
/// kept blocks gives the same bits as given the dense <c>Xxx</c>, layer by layer.
/// </summary>
public sealed class CompactGroupBlocksTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Each_group_block_holds_its_entries_of_Xxx(int batch)
    {
        HessianDerivatives derivatives = TanhChain(batch).Derivatives(Curvature.Hessian);
        for (int l = 0; l < derivatives.Point.Network.Depth; l++)
        {
            LayerDerivatives d = derivatives.Layer(l);
            int p = d.ParameterCount;
            double[] blocks = derivatives.GroupBlocks(l);
            Assert.Same(blocks, derivatives.GroupBlocks(l));
            if (!d.Has(SecondDerivativeBlocks.Xxx))
            {
                Assert.Empty(blocks);
                continue;
            }

            int offset = 0;
            foreach (int[] parameters in derivatives.ParameterGroups(l).Parameters)
            {
                int q = parameters.Length;
                for (int i = 0; i < q; i++)
                {
                    for (int j = 0; j < q; j++)
                    {
                        double expected = j <= i ? d.Xxx[(parameters[i] * p) + parameters[j]] : 0;
                        Assert.True(expected.Equals(blocks[offset + (i * q) + j]),
                            $"batch {batch}, layer {l}, group of {q} at {offset}: ({i}, {j}) = {blocks[offset + (i * q) + j]:R}; expected Xxx's {expected:R}");
                    }
                }

                offset += q * q;
            }

            Assert.Equal(offset, blocks.Length);
            Assert.Contains(blocks, value => value != 0);
        }
    }

    [Fact]
    public void Nothing_is_copied_where_Xxx_is_not_stored()
    {
        Network network = new(new ReluLayer(6, 8), new ReluLayer(8, 8), new SoftmaxCrossEntropyLayer(8, 3));
        Batch batch = RandomValues.LabeledBatch(new Random(5), count: 2, network.Layers[0].InputSize, 3);
        HessianDerivatives derivatives = network.At(network.RandomParameters(seed: 5), batch).Derivatives(Curvature.Hessian);
        for (int l = 0; l < network.Depth - 1; l++)
        {
            Assert.False(derivatives.Layer(l).Has(SecondDerivativeBlocks.Xxx));
            Assert.Empty(derivatives.GroupBlocks(l));
        }
    }

    [Theory]
    [InlineData(1, 1.0)]
    [InlineData(1, 0.05)]
    [InlineData(3, 1.0)]
    public void The_route_from_the_kept_blocks_gives_the_same_bits_as_from_Xxx(int batch, double epsilon)
    {
        HessianDerivatives derivatives = TanhChain(batch).Derivatives(Curvature.Hessian);
        var random = new Random(batch);
        int depth = derivatives.Point.Network.Depth;
        // Every layer's blocks kept first, then each layer's route taken from them: a layer must read its own.
        double[][] kept = Enumerable.Range(0, depth).Select(derivatives.GroupBlocks).ToArray();
        int routes = 0;
        for (int l = depth - 1; l >= 0; l--)
        {
            LayerDerivatives d = derivatives.Layer(l);
            int p = d.ParameterCount;
            int m = d.Dx.Length / p;
            double[] value = RandomSymmetric(random, m);
            long flops = 0;
            long keptFlops = 0;
            LowRankPivotBlockFactor? fromXxx = LowRankPivotBlockFactor.Create(derivatives.ParameterGroups(l), d.Xxx, epsilon, d.Dx, value, p, m,
                new double[m * m], 1.0, ref flops);
            LowRankPivotBlockFactor? fromKept = LowRankPivotBlockFactor.CreateFromGroupBlocks(derivatives.ParameterGroups(l), kept[l], epsilon, d.Dx,
                value, p, m, new double[m * m], 1.0, ref keptFlops);
            Assert.Equal(fromXxx is null, fromKept is null);
            if (fromXxx is null || fromKept is null)
            {
                continue;
            }

            routes++;
            Assert.Equal(flops, keptFlops);
            Assert.Equal(fromXxx.Inertia, fromKept.Inertia);
            Assert.Equal(fromXxx.LogDeterminant, fromKept.LogDeterminant);
            const int width = 3;
            double[] rhs = Enumerable.Range(0, p * width).Select(_ => random.NextDouble() - 0.5).ToArray();
            double[] solvedFromXxx = (double[])rhs.Clone();
            double[] solvedFromKept = (double[])rhs.Clone();
            fromXxx.Solve(solvedFromXxx, width);
            fromKept.Solve(solvedFromKept, width);
            Assert.All(solvedFromKept, x => Assert.True(double.IsFinite(x)));
            Assert.Equal(solvedFromXxx, solvedFromKept);
        }

        Assert.InRange(routes, 2, depth);
    }

    [Fact]
    public void Blocks_of_the_wrong_length_are_rejected()
    {
        HessianDerivatives derivatives = TanhChain(1).Derivatives(Curvature.Hessian);
        LayerDerivatives d = derivatives.Layer(1);
        int p = d.ParameterCount;
        int m = d.Dx.Length / p;
        double[] blocks = derivatives.GroupBlocks(1);
        long flops = 0;
        ArgumentException error = Assert.Throws<ArgumentException>(() => LowRankPivotBlockFactor.CreateFromGroupBlocks(derivatives.ParameterGroups(1),
            blocks.AsSpan(1), 1.0, d.Dx, RandomSymmetric(new Random(1), m), p, m, new double[m * m], 1.0, ref flops));
        Assert.Equal("groupBlocks", error.ParamName);
        Assert.Throws<ArgumentException>(() => CompactGroupBlocks.Gather(derivatives.ParameterGroups(1), d.Xxx[1..], p));
    }

    private static NetworkPoint TanhChain(int batch)
    {
        const int classes = 3;
        Network network = new([.. Enumerable.Range(0, 5).Select(_ => (IHessianLayer)new TanhLayer(8, 8)), new SoftmaxCrossEntropyLayer(8, classes)]);
        Batch data = RandomValues.LabeledBatch(new Random(batch), count: batch, network.Layers[0].InputSize, classes);
        return network.At(network.RandomParameters(seed: 11), data);
    }

    /// <summary>A symmetric <c>P</c> with a dominant positive diagonal, so that the core is positive definite.</summary>
    private static double[] RandomSymmetric(Random random, int m)
    {
        var value = new double[m * m];
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < i; j++)
            {
                value[(i * m) + j] = value[(j * m) + i] = 0.1 * (random.NextDouble() - 0.5);
            }

            value[(i * m) + i] = 1 + random.NextDouble();
        }

        return value;
    }
}
