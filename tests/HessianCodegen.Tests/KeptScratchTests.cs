using System;
using System.Linq;
using System.Reflection;
using HessianCodegen.Layers;
using Xunit;

namespace HessianCodegen.Tests;

/// <summary>
/// The recursion's work arrays the derivatives keep between factorizations (<see cref="RiccatiScratch"/>): every value is written
/// before it is read, so a kept array poisoned with NaN (indices with -1) between factorizations gives the same bits as fresh
/// derivatives; and derivatives whose scratch is too large to keep keep none.
/// </summary>
public sealed class KeptScratchTests
{
    [Fact]
    public void PoisonedKeptArraysGiveTheBitsOfFreshDerivatives()
    {
        // Batch 1, width 8: the hidden layers' blocks go whole or the low-rank route (allowLowRank), the loss layer's whole, so the
        // kept square changes order and the low-rank workspace is kept too.
        var network = new Network(new TanhLayer(8, 8), new TanhLayer(8, 8), new TanhLayer(8, 8), new SoftmaxCrossEntropyLayer(8, 4));
        var random = new Random(11);
        var inputs = new double[1, 8];
        for (int j = 0; j < 8; j++)
        {
            inputs[0, j] = (2 * random.NextDouble()) - 1;
        }

        NetworkPoint point = network.At(network.RandomParameters(seed: 11), Batch.WithLabels(inputs, [2]));
        double[] rhs = Enumerable.Range(0, network.ParameterCount).Select(i => Math.Sin(i + 1.0)).ToArray();
        HessianDerivatives kept = point.Derivatives();
        (double Epsilon, bool AllowLowRank)[] runs = [(1e-3, true), (1.0, false), (1e-2, true), (1e-3, false), (1.0, true)];
        foreach ((double epsilon, bool allowLowRank) in runs)
        {
            RiccatiFactorization withKept = RiccatiFactorization.Create(kept, epsilon, out int singular, allowLowRank)
                ?? throw new InvalidOperationException($"the pivot block of layer {singular} was singular; expected the recursion to succeed.");
            Assert.True(kept.KeepsRiccatiScratch);
            Poison(kept);
            RiccatiFactorization fresh = RiccatiFactorization.Create(point.Derivatives(), epsilon, out singular, allowLowRank)
                ?? throw new InvalidOperationException($"the pivot block of layer {singular} was singular; expected the recursion to succeed.");

            Assert.Equal(fresh.Inertia, withKept.Inertia);
            Assert.Equal(fresh.LogDeterminant.Sign, withKept.LogDeterminant.Sign);
            Assert.Equal(BitConverter.DoubleToInt64Bits(fresh.LogDeterminant.LogAbsoluteValue), BitConverter.DoubleToInt64Bits(withKept.LogDeterminant.LogAbsoluteValue));
            var expected = new double[rhs.Length];
            var actual = new double[rhs.Length];
            fresh.Solve(rhs, expected);
            withKept.Solve(rhs, actual);
            Assert.Equal(expected.Select(BitConverter.DoubleToInt64Bits), actual.Select(BitConverter.DoubleToInt64Bits));
            fresh.Release();
            withKept.Release();
        }
    }

    [Fact]
    public void DerivativesWhoseScratchDoesNotFitKeepNone()
    {
        // A state of 800 values: two value matrices of 640 Ki values alone pass RiccatiScratch.KeepLimitValues.
        var network = new Network(new TanhLayer(4, 800), new SoftmaxCrossEntropyLayer(800, 2));
        HessianDerivatives derivatives = network.At(network.RandomParameters(seed: 3), Batch.WithLabels(new double[1, 4], [1])).Derivatives();
        RiccatiFactorization factorization = RiccatiFactorization.Create(derivatives, 1.0, out int singular)
            ?? throw new InvalidOperationException($"the pivot block of layer {singular} was singular; expected the recursion to succeed.");
        Assert.False(derivatives.KeepsRiccatiScratch);
        factorization.Release();
    }

    /// <summary>Every array the kept scratch (and its low-rank workspace) holds, filled with NaN (an index array with -1), put back.</summary>
    private static void Poison(HessianDerivatives derivatives)
    {
        RiccatiScratch scratch = derivatives.TakeRiccatiScratch();
        int poisoned = PoisonFields(scratch) + (scratch.LowRank is null ? 0 : PoisonFields(scratch.LowRank));
        Assert.InRange(poisoned, 1, int.MaxValue);
        derivatives.KeepRiccatiScratch(scratch);
    }

    private static int PoisonFields(object holder)
    {
        int poisoned = 0;
        foreach (FieldInfo field in holder.GetType().GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
        {
            switch (field.GetValue(holder))
            {
                case double[] values when values.Length > 0:
                    values.AsSpan().Fill(double.NaN);
                    poisoned++;
                    break;
                case int[] indices when indices.Length > 0:
                    indices.AsSpan().Fill(-1);
                    poisoned++;
                    break;
            }
        }

        return poisoned;
    }
}
