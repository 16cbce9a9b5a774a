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
/// kept blocks factors the dense block formed from <c>Xxx</c> by its definition, layer by layer.
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

    /// <summary>
    /// An independent reference for what the route factors from the kept blocks: the dense <c>A = Xxx + eps I + Dx^T P Dx</c>
    /// formed here from <c>Xxx</c> by its definition (lower triangle mirrored), its log-determinant and a solve's backward
    /// error; a wrong copy of a block (an offset, a dropped <c>eps</c>) changes the matrix factored.
    /// </summary>
    [Theory]
    [InlineData(1, 1.0)]
    [InlineData(1, 0.05)]
    [InlineData(3, 1.0)]
    public void The_route_from_the_kept_blocks_factors_the_dense_block_formed_from_Xxx(int batch, double epsilon)
    {
        HessianDerivatives derivatives = TanhChain(batch).Derivatives(Curvature.Hessian);
        var random = new Random(batch);
        int routes = 0;
        for (int l = derivatives.Point.Network.Depth - 1; l >= 0; l--)
        {
            LayerDerivatives d = derivatives.Layer(l);
            int p = d.ParameterCount;
            int m = d.Dx.Length / p;
            double[] value = RandomSymmetric(random, m);
            long flops = 0;
            LowRankPivotBlockFactor? factor = LowRankPivotBlockFactor.CreateFromGroupBlocks(derivatives.ParameterGroups(l), derivatives.GroupBlocks(l),
                epsilon, d.Dx, value, p, m, new double[m * m], 1.0, ref flops);
            if (factor is null)
            {
                continue;
            }

            routes++;
            double[,] dense = DenseBlock(d, value, epsilon, p, m);
            double condition = DampedSystem.ConditionNumber(dense);
            (double logAbsolute, int sign) = DenseReference.LogDeterminant(dense);
            Assert.Equal(sign, factor.LogDeterminant.Sign);
            double logTolerance = 100 * p * condition * DampedSystem.UnitRoundoff * Math.Max(1, Math.Abs(logAbsolute));
            Assert.True(Math.Abs(factor.LogDeterminant.LogAbsoluteValue - logAbsolute) <= logTolerance,
                $"batch {batch}, eps {epsilon}, layer {l}: log|det| {factor.LogDeterminant.LogAbsoluteValue:R}; dense {logAbsolute:R} (cond {condition:E2})");
            double[] rhs = Enumerable.Range(0, p).Select(_ => random.NextDouble() - 0.5).ToArray();
            double[] x = (double[])rhs.Clone();
            factor.Solve(x, 1);
            double backward = DampedSystem.BackwardError(dense, x, rhs);
            Assert.True(backward <= 100 * p * DampedSystem.UnitRoundoff, $"batch {batch}, eps {epsilon}, layer {l}: backward error {backward:E2}");
        }

        Assert.InRange(routes, 2, derivatives.Point.Network.Depth);
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

    /// <summary><c>Xxx + eps I + Dx^T P Dx</c>, <c>p x p</c>, by definition: <c>Xxx</c>'s lower triangle mirrored, <c>Dx</c> <c>m x p</c>.</summary>
    private static double[,] DenseBlock(LayerDerivatives d, double[] value, double epsilon, int p, int m)
    {
        var dense = new double[p, p];
        for (int i = 0; i < p; i++)
        {
            for (int j = 0; j < p; j++)
            {
                double sum = d.Xxx.IsEmpty ? 0 : d.Xxx[(Math.Max(i, j) * p) + Math.Min(i, j)];
                for (int a = 0; a < m; a++)
                {
                    for (int b = 0; b < m; b++)
                    {
                        sum += d.Dx[(a * p) + i] * value[(a * m) + b] * d.Dx[(b * p) + j];
                    }
                }

                dense[i, j] = sum + (i == j ? epsilon : 0);
            }
        }

        return dense;
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
