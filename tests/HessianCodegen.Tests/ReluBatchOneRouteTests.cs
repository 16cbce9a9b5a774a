using System;
using System.Linq;
using HessianCodegen.Layers;
using HessianCodegen.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace HessianCodegen.Tests;

/// <summary>
/// A ReLU chain at batch 1, with an input exactly 0 and units dead at the example (their outputs 0): weights whose input is 0
/// have no row of <c>Dx</c>, each its own group without a row. The wide layers still take the low-rank route's one-row path
/// (<see cref="ParameterGroups.AtMostOneRowPerGroup"/>), and the factorization solves <c>H + eps I</c> as the dense matrix does:
/// backward error at round-off, inertia exact, log-determinant to 1e-10 relative.
/// </summary>
public sealed class ReluBatchOneRouteTests(ITestOutputHelper output)
{
    private const int Inputs = 20;
    private const int ZeroInput = 7;

    [Theory]
    [InlineData(1e-3)]
    [InlineData(0.1)]
    [InlineData(1)]
    public void LayersWithRowlessGroupsTakeTheOneRowPathAndSolveAsTheDenseMatrix(double epsilon)
    {
        var network = new Network(new ReluLayer(Inputs, 8), new ReluLayer(8, 8), new TanhLayer(8, 4), new SoftmaxCrossEntropyLayer(4, 3));
        var random = new Random(31);
        var inputs = new double[1, Inputs];
        for (int j = 0; j < Inputs; j++)
        {
            inputs[0, j] = j == ZeroInput ? 0 : (2 * random.NextDouble()) - 1;
        }

        NetworkPoint point = network.At(network.RandomParameters(seed: 32), Batch.WithLabels(inputs, [1]));
        HessianDerivatives derivatives = point.Derivatives();

        // The first two layers have groups without a row (the zero input; the first layer's dead units feeding the second).
        for (int layer = 0; layer < 2; layer++)
        {
            LayerDerivatives d = derivatives.Layer(layer);
            ParameterGroups groups = ParameterGroups.Find(d.Xxx, d.Dx, d.ParameterCount, d.Dx.Length / d.ParameterCount);
            Assert.True(groups.AtMostOneRowPerGroup, $"layer {layer}: a group with more than one row");
            Assert.Contains(groups.Rows, rows => rows.Length == 0);
            Assert.Contains(groups.Rows, rows => rows.Length == 1);
        }

        RiccatiFactorization factorization = RiccatiFactorization.Create(derivatives, epsilon, out _)
            ?? throw new InvalidOperationException($"no factorization at eps {epsilon}");
        Assert.True(factorization.TookOneRowGroups(0), "layer 0 did not take the one-row path");
        Assert.True(factorization.TookOneRowGroups(1), "layer 1 did not take the one-row path");

        double[,] dense = DampedSystem.Matrix(point, epsilon);
        double[] eigenvalues = DenseReference.SymmetricEigenvalues(dense);
        (double logAbsolute, int sign) = DenseReference.LogDeterminant(dense);
        double[] rhs = Enumerable.Range(0, network.ParameterCount).Select(_ => random.NextDouble() - 0.5).ToArray();
        var x = new double[rhs.Length];
        factorization.Solve(rhs, x);
        double backward = DampedSystem.BackwardError(dense, x, rhs);
        output.WriteLine($"eps {epsilon}: routes {string.Join(", ", factorization.Routes)}, backward error {backward:E2}, inertia {factorization.Inertia}, log|det| {factorization.LogDeterminant.LogAbsoluteValue:R} (dense {logAbsolute:R})");

        Assert.InRange(backward, 0, 1e-13);
        Assert.Equal(new Inertia(eigenvalues.Count(v => v > 0), eigenvalues.Count(v => v < 0), 0), factorization.Inertia);
        Assert.Equal(sign, factorization.LogDeterminant.Sign);
        Assert.True(Math.Abs(factorization.LogDeterminant.LogAbsoluteValue - logAbsolute) <= 1e-10 * Math.Abs(logAbsolute),
            $"log |det| {factorization.LogDeterminant.LogAbsoluteValue:R} against the dense {logAbsolute:R}");
    }
}
