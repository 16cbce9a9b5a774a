using System;
using System.Linq;
using HessianCodegen.Layers;
using HessianCodegen.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace HessianCodegen.Tests;

/// <summary>
/// The half solve of the Riccati recursion (<c>Y = W^-1 C</c> kept per layer, docs/algorithm.md section 12) in one network whose
/// layers take both pivot routes, each with a coupling: a wide ReLU layer on the low-rank route (<c>p = 33 > B a = 12</c>, 40
/// coupling columns) between whole blocks (12 and 20 columns after it). It solves to round-off against the dense
/// <c>H + eps I</c> (MathNet's LU). The other tests put the low-rank route on a first layer only, which has no coupling.
/// </summary>
public sealed class MixedRouteHalfSolveTests(ITestOutputHelper output)
{
    private const int Count = 4;

    [Theory]
    [InlineData(1e-3)]
    [InlineData(1e-1)]
    [InlineData(10.0)]
    public void A_network_with_both_routes_solves_to_round_off(double epsilon)
    {
        NetworkPoint point = MixedNetwork();
        var random = new Random(31);
        double[] rhs = Enumerable.Range(0, point.Network.ParameterCount).Select(_ => random.NextDouble() - 0.5).ToArray();
        RiccatiFactorization factorization = RiccatiFactorization.Create(point.Derivatives(), epsilon, out _)!;
        double[,] dense = DampedSystem.Matrix(point, epsilon);
        double[] expected = DenseReference.Solve(dense, rhs);
        var x = new double[rhs.Length];
        factorization.Solve(rhs, x);
        double error = Norms.RelativeError(x, expected);
        double condition = DampedSystem.ConditionNumber(dense);
        output.WriteLine($"eps {epsilon:E0}: routes {string.Join(", ", factorization.Routes)}, error {error:E2} (cond {condition:E2})");

        Assert.Equal([PivotBlockRoute.Whole, PivotBlockRoute.LowRankUpdate, PivotBlockRoute.Whole, PivotBlockRoute.Whole], factorization.Routes);
        Assert.InRange(error, 0, DampedSystem.SolutionTolerance(condition));
        factorization.Release();
    }

    /// <summary>
    /// Tanh(2, 10) (p = 30 &lt;= B a = 40: whole), ReLU(10, 3) (p = 33 > 12: low-rank, X = eps I), Tanh(3, 5) (p = 20 &lt;= 20: whole),
    /// softmax cross-entropy over 3 classes (no state after it: whole), batch 4.
    /// </summary>
    private static NetworkPoint MixedNetwork()
    {
        var network = new Network(new TanhLayer(2, 10), new ReluLayer(10, 3), new TanhLayer(3, 5), new SoftmaxCrossEntropyLayer(5, 3));
        return network.At(network.RandomParameters(seed: 43), RandomValues.LabeledBatch(new Random(41), Count, inputs: 2, classes: 3));
    }
}
