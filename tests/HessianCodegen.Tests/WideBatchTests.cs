using System;
using System.Linq;
using HessianCodegen.Layers;
using HessianCodegen.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace HessianCodegen.Tests;

/// <summary>
/// The Riccati recursion where its kernels tile: pivot blocks wider than a panel (p = 156 > 64) and states
/// over the batch wider than a column tile (m = 288 > 128), positive definite (Cholesky) and indefinite
/// (Bunch-Kaufman, at eps 1e-3: at 1e-6 this H + eps I is so nearly singular that its log-determinant
/// moves by 1e-10 relative with the round-off of a block's lower against its upper triangle). The refined solve must reach round-off against the dense Hessian without the fallback
/// (a wrong factor would need it), and the inertia and log-determinant must be the dense ones.
/// </summary>
public sealed class WideBatchTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(1e-3)]
    [InlineData(10.0)]
    public void PlainSolveInertiaAndLogDeterminantMatchTheDenseHessian(double epsilon)
    {
        const int width = 12;
        const int count = 24;
        var network = new Network(new TanhLayer(5, width), new ReluLayer(width, width), new TanhLayer(width, width),
            new SoftmaxCrossEntropyLayer(width, 3));
        var random = new Random(11); // the batch, then the right-hand side
        NetworkPoint point = network.At(network.RandomParameters(seed: 12), RandomValues.LabeledBatch(random, count, inputs: 5, classes: 3));
        double[,] dense = DampedSystem.Matrix(point, epsilon);
        double[] rhs = Enumerable.Range(0, network.ParameterCount).Select(_ => random.NextDouble() - 0.5).ToArray();
        HessianFactorization factorization = point.Derivatives().Factorize(epsilon);
        var x = new double[rhs.Length];
        SolveReport report = factorization.SolveRefined(rhs, x);

        int size = rhs.Length;
        double backward = DampedSystem.BackwardError(dense, x, rhs);
        double[] eigenvalues = DenseReference.SymmetricEigenvalues(dense);
        (double logAbsolute, int sign) = DenseReference.LogDeterminant(dense);
        output.WriteLine($"eps {epsilon}: n = {size}, path {factorization.Path}, inertia {factorization.Inertia}, backward error {backward:E2} " +
            $"({report.RefinementSteps} refinement steps from {report.InitialBackwardError:E2}), " +
            $"log|det| {factorization.LogDeterminant.LogAbsoluteValue:R} (dense {logAbsolute:R})");

        Assert.Equal(FactorizationPath.Riccati, factorization.Path);
        Assert.Equal(FactorizationPath.Riccati, report.Path);
        Assert.InRange(report.InitialBackwardError, 0, 1e-10);
        Assert.InRange(backward, 0, 1e-14);
        Assert.Equal(new Inertia(eigenvalues.Count(v => v > 0), eigenvalues.Count(v => v < 0), 0), factorization.Inertia);
        Assert.Equal(epsilon > 1, factorization.IsPositiveDefinite);
        Assert.Equal(sign, factorization.LogDeterminant.Sign);
        Assert.InRange(Math.Abs(factorization.LogDeterminant.LogAbsoluteValue - logAbsolute), 0, 1e-10 * Math.Abs(logAbsolute));
    }
}
