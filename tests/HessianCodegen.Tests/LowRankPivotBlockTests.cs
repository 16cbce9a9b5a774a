using System;
using System.Collections.Generic;
using System.Linq;
using HessianCodegen.Layers;
using HessianCodegen.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace HessianCodegen.Tests;

/// <summary>
/// The low-rank route for a wide first layer (<c>p = 84 > B a = 24</c>, docs/algorithm.md section 12) against
/// the whole-block route and the dense <c>H + eps I</c> (MathNet): solves to round-off, inertia exact,
/// log-determinant to 1e-10 relative. A ReLU first layer has <c>Xxx = 0</c>, so <c>X = eps I</c> and the route
/// runs at every eps; a tanh first layer's <c>X</c> is indefinite at small eps, where the route must decline.
/// The eps are spread from 1e-8 to 10 and placed just above and below the three most negative eigenvalues of
/// <c>H</c>, where the inertia changes.
/// </summary>
public sealed class LowRankPivotBlockTests(ITestOutputHelper output)
{
    private const int Inputs = 20;
    private const int Width = 4;
    private const int Count = 6;

    public static TheoryData<bool> FirstLayers => new() { true, false };

    [Theory]
    [MemberData(nameof(FirstLayers))]
    public void RoutesAgreeWithEachOtherAndWithTheDenseMatrix(bool relu)
    {
        List<PivotBlockRoute> routes = CompareRoutes(WideNetwork(relu));

        // X = eps I for ReLU: the route always applies. For tanh it must both run (large eps) and decline (X indefinite).
        if (relu)
        {
            Assert.All(routes, route => Assert.Equal(PivotBlockRoute.LowRankUpdate, route));
        }
        else
        {
            Assert.Contains(PivotBlockRoute.LowRankUpdate, routes);
            Assert.Contains(PivotBlockRoute.Whole, routes);
        }
    }

    /// <summary>
    /// The same at a few examples, each group's rows at most <see cref="LowRankPivotBlockFactor.DirectCoreRowLimit"/> (its part
    /// of the core formed in plain loops; batch 1 gives one row per group), and one past it (Gemm). ReLU, so the route runs at every eps;
    /// from 1e-3 on, where so few examples leave H + eps I singular to working precision at 1e-8. At one or two examples the
    /// second layer (p = 20 against 4 or 8 rows) is wide too and may take the route.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(LowRankPivotBlockFactor.DirectCoreRowLimit)]
    [InlineData(LowRankPivotBlockFactor.DirectCoreRowLimit + 1)]
    [InlineData(8)]
    public void RoutesAgreeAtAFewRowsPerGroup(int count)
    {
        List<PivotBlockRoute> routes = CompareRoutes(WideNetwork(relu: true, count: count), smallestEpsilon: 1e-3, laterLayersWhole: false);
        Assert.All(routes, route => Assert.Equal(PivotBlockRoute.LowRankUpdate, route));
    }

    /// <summary>
    /// Both routes of <paramref name="point"/>'s first layer against each other and the dense matrix over <see cref="Epsilons"/>:
    /// solves, inertia, log-determinant (see the bounds below), the whole route's every layer whole and, if <paramref name="laterLayersWhole"/>,
    /// the low-rank route's after the first; the first layer's route at each eps (those from <paramref name="smallestEpsilon"/> on).
    /// </summary>
    private List<PivotBlockRoute> CompareRoutes(NetworkPoint point, double smallestEpsilon = 0, bool laterLayersWhole = true)
    {
        int size = point.Network.ParameterCount;
        double[,] hessian = point.DenseHessian();
        double[] eigenvalues = DenseReference.SymmetricEigenvalues(hessian);
        HessianDerivatives derivatives = point.Derivatives();
        var random = new Random(5);
        double[] rhs = Enumerable.Range(0, size).Select(_ => random.NextDouble() - 0.5).ToArray();
        var routes = new List<PivotBlockRoute>();
        var failures = new List<string>();
        foreach (double epsilon in Epsilons(eigenvalues).Where(e => e >= smallestEpsilon))
        {
            double[,] dense = DenseReference.Damped(hessian, epsilon);
            double[] shifted = DenseReference.SymmetricEigenvalues(dense);
            (double logAbsolute, int sign) = DenseReference.LogDeterminant(dense);
            RiccatiFactorization lowRank = RiccatiFactorization.Create(derivatives, epsilon, out _)!;
            RiccatiFactorization whole = RiccatiFactorization.Create(derivatives, epsilon, out _, allowLowRank: false)!;
            var x = new double[size];
            var reference = new double[size];
            lowRank.Solve(rhs, x);
            whole.Solve(rhs, reference);
            double backward = DampedSystem.BackwardError(dense, x, rhs);
            double wholeBackward = DampedSystem.BackwardError(dense, reference, rhs);
            double difference = Norms.Norm(x.Zip(reference, (u, v) => u - v).ToArray()) / Norms.Norm(reference);
            double condition = shifted.Max(Math.Abs) / shifted.Min(Math.Abs);
            var expected = new Inertia(shifted.Count(v => v > 0), shifted.Count(v => v < 0), 0);
            routes.Add(lowRank.Routes[0]);
            string row = $"eps {epsilon:E3}: route {lowRank.Routes[0]}, inertia {lowRank.Inertia} (whole {whole.Inertia}, dense {expected}), backward error {backward:E2} " +
                $"(whole {wholeBackward:E2}), difference {difference:E2} (cond {condition:E2}), log|det| {lowRank.LogDeterminant.LogAbsoluteValue:R} " +
                $"(whole {whole.LogDeterminant.LogAbsoluteValue:R}, dense {logAbsolute:R})";
            output.WriteLine(row);

            // As stable as the whole block: a plain solve's backward error below 1e-13 (one refinement step takes it
            // to round-off, see below) or within a small factor of the whole block's, and the two solutions as close
            // as their backward errors allow (forward error <= cond x backward error, above the oracle's floor of
            // 1e-12). Log-determinants: a factorization with backward error beta moves log |det A| by up to
            // n cond(A) beta (its derivative is tr(A^-1 dA)), measured here by the plain solve's backward error: the
            // route against the dense one within that (and 1e-10 relative), and against the whole block within
            // 1e-10 relative beyond what the whole block's misses the dense one by.
            double logDetTolerance = (1e-10 * Math.Abs(logAbsolute)) + (size * condition * Math.Max(DampedSystem.UnitRoundoff, backward));
            bool agrees = whole.Routes.All(route => route == PivotBlockRoute.Whole)
                && (!laterLayersWhole || lowRank.Routes.Skip(1).All(route => route == PivotBlockRoute.Whole))
                && backward <= Math.Max(1e-13, 4 * wholeBackward)
                && difference <= 1e-12 + (2 * condition * (backward + wholeBackward))
                && lowRank.Inertia == expected && whole.Inertia == expected
                && lowRank.IsPositiveDefinite == (expected.Negative == 0)
                && lowRank.LogDeterminant.Sign == sign
                && Math.Abs(lowRank.LogDeterminant.LogAbsoluteValue - logAbsolute) <= logDetTolerance
                && Math.Abs(lowRank.LogDeterminant.LogAbsoluteValue - whole.LogDeterminant.LogAbsoluteValue)
                    <= (1e-10 * Math.Abs(logAbsolute)) + Math.Abs(whole.LogDeterminant.LogAbsoluteValue - logAbsolute);
            if (!agrees)
            {
                failures.Add(row);
            }
        }

        Assert.Empty(failures);
        return routes;
    }

    [Fact]
    public void ThePublicFactorizationSaysWhichRouteRanAndSolvesRefinedToRoundOff()
    {
        NetworkPoint point = WideNetwork(relu: true);
        HessianFactorization factorization = point.Derivatives().Factorize(1e-3);
        double[] rhs = point.Gradient();
        var x = new double[rhs.Length];
        SolveReport report = factorization.SolveRefined(rhs, x);

        Assert.Equal(FactorizationPath.Riccati, report.Path);
        Assert.InRange(DampedSystem.BackwardError(DampedSystem.Matrix(point, 1e-3), x, rhs), 0, 1e-14);
        Assert.Equal([PivotBlockRoute.LowRankUpdate, PivotBlockRoute.Whole, PivotBlockRoute.Whole], factorization.PivotBlockRoutes);
        Assert.Equal(factorization.PivotBlockRoutes, point.Derivatives().Factorize(1e-3, FactorizationPath.BandedLU).PivotBlockRoutes);
    }

    [Theory]
    [InlineData(1e-12)]
    [InlineData(1e-14)]
    public void ASingularPivotBlockIsMetOnBothRoutesAlike(double epsilon)
    {
        // X = eps I at a damping the whole block calls singular: the route must decline, not answer.
        HessianDerivatives derivatives = WideNetwork(relu: true).Derivatives();
        RiccatiFactorization? lowRank = RiccatiFactorization.Create(derivatives, epsilon, out int singular);
        RiccatiFactorization? whole = RiccatiFactorization.Create(derivatives, epsilon, out int wholeSingular, allowLowRank: false);
        output.WriteLine($"eps {epsilon}: singular layer {singular} (whole {wholeSingular}), first route {lowRank?.Routes[0].ToString() ?? "-"}");

        Assert.Equal(whole is null, lowRank is null);
        Assert.Equal(wholeSingular, singular);
        Assert.Equal(0, wholeSingular);
    }

    [Fact]
    public void AGroupPastTheRightLookingLimitIsFactoredAndSolvesAsTheWholeBlockDoes()
    {
        // Each tanh unit's group has inputs + 1 parameters: past the limit, its X_g takes the blocked Cholesky kernel
        // (X_g positive definite at this eps; a ReLU unit's Xxx is zero, its parameters no one group).
        NetworkPoint point = WideNetwork(relu: false, inputCount: PivotBlockFactor.RightLookingLimit + 10);
        HessianDerivatives derivatives = point.Derivatives();
        LayerDerivatives d = derivatives.Layer(0);
        ParameterGroups groups = ParameterGroups.Find(d.Xxx, d.Dx, d.ParameterCount, Count * Width);
        Assert.All(groups.Parameters, g => Assert.True(g.Length > PivotBlockFactor.RightLookingLimit));

        const double epsilon = 10;
        double[] rhs = point.Gradient();
        var x = new double[rhs.Length];
        var reference = new double[rhs.Length];
        RiccatiFactorization lowRank = RiccatiFactorization.Create(derivatives, epsilon, out _)!;
        RiccatiFactorization whole = RiccatiFactorization.Create(derivatives, epsilon, out _, allowLowRank: false)!;
        lowRank.Solve(rhs, x);
        whole.Solve(rhs, reference);
        double[,] dense = DampedSystem.Matrix(point, epsilon);
        double backward = DampedSystem.BackwardError(dense, x, rhs);
        double wholeBackward = DampedSystem.BackwardError(dense, reference, rhs);
        output.WriteLine($"route {lowRank.Routes[0]}, backward error {backward:E2} (whole {wholeBackward:E2}), inertia {lowRank.Inertia} (whole {whole.Inertia})");

        Assert.Equal(PivotBlockRoute.LowRankUpdate, lowRank.Routes[0]);
        Assert.InRange(backward, 0, Math.Max(1e-13, 4 * wholeBackward));
        Assert.Equal(whole.Inertia, lowRank.Inertia);
    }

    [Fact]
    public void TheGroupsOfADenseLayerAreItsOutputUnitsAndTheirRows()
    {
        NetworkPoint point = WideNetwork(relu: false);
        LayerDerivatives d = point.Derivatives().Layer(0);
        int m = Count * Width;
        ParameterGroups groups = ParameterGroups.Find(d.Xxx, d.Dx, d.ParameterCount, m);

        // The layer stores its weights row by row, then the biases: unit i owns row i and bias i.
        Assert.Equal(Width, groups.Parameters.Length);
        for (int i = 0; i < Width; i++)
        {
            int[] expected = [.. Enumerable.Range(i * Inputs, Inputs), (Width * Inputs) + i];
            int group = Array.FindIndex(groups.Parameters, g => g.Contains(i * Inputs));
            Assert.Equal(expected, groups.Parameters[group]);
            Assert.Equal(Enumerable.Range(0, Count).Select(n => (n * Width) + i), groups.Rows[group]);
        }
    }

    /// <summary>A wide first layer (20 inputs unless told, 4 outputs: p = 84 against B a = 24 at 6 examples unless told), a tanh layer and softmax cross-entropy.</summary>
    private static NetworkPoint WideNetwork(bool relu, int inputCount = Inputs, int count = Count)
    {
        IHessianLayer first = relu ? new ReluLayer(inputCount, Width) : new TanhLayer(inputCount, Width);
        var network = new Network(first, new TanhLayer(Width, Width), new SoftmaxCrossEntropyLayer(Width, 3));
        Batch batch = RandomValues.LabeledBatch(new Random(relu ? 21 : 22), count, inputCount, classes: 3);
        return network.At(network.RandomParameters(seed: relu ? 23 : 24), batch);
    }

    /// <summary>1e-8 to 10, and just above and below the magnitudes of the three most negative eigenvalues.</summary>
    private static IEnumerable<double> Epsilons(double[] eigenvalues)
    {
        foreach (double epsilon in new[] { 1e-8, 1e-6, 1e-3, 0.1, 1, 10 })
        {
            yield return epsilon;
        }

        foreach (double lambda in eigenvalues.Where(v => v < 0).Take(3))
        {
            yield return -lambda * (1 - 1e-3);
            yield return -lambda * (1 + 1e-3);
        }
    }
}
