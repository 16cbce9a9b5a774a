using System;
using System.Globalization;
using System.IO;
using System.Linq;
using HessianCodegen;

namespace Benchmarks;

/// <summary>
/// The two factorizations of <c>H + eps I</c> side by side on one tanh chain: the Riccati recursion
/// (the default) and the pivoted banded LU of the augmented system (the fallback), each timed as
/// factorization alone and as derivatives + factorization + one solve, in one run; and the recursion with
/// every pivot block factored whole, against the low-rank route it takes for wide blocks (<c>p > B a</c>).
/// </summary>
internal static class PathComparison
{
    public static void Run(int width, int depth, int batchSize, BenchmarkOptions options, TextWriter output)
    {
        Network network = ChainBenchmark.Chain(width, depth);
        NetworkPoint point = network.At(network.RandomParameters(seed: depth), ChainBenchmark.RandomBatch(width, batchSize, seed: width));
        double[] gradient = point.Gradient();
        var solution = new double[gradient.Length];
        HessianDerivatives derivatives = point.Derivatives();
        var factor = new Timing[2];
        var total = new Timing[2];
        FactorizationPath[] paths = [FactorizationPath.Riccati, FactorizationPath.BandedLU];
        for (int i = 0; i < paths.Length; i++)
        {
            FactorizationPath path = paths[i];
            factor[i] = MedianTimer.Measure(() => derivatives.Factorize(options.Epsilon, path), options.Repeats, options.BudgetSeconds);
            total[i] = MedianTimer.Measure(() => point.Derivatives().Factorize(options.Epsilon, path).Solve(gradient, solution),
                options.Repeats, options.BudgetSeconds);
        }

        Timing whole = MedianTimer.Measure(() => RiccatiFactorization.Create(derivatives, options.Epsilon, out _, allowLowRank: false),
            options.Repeats, options.BudgetSeconds);
        HessianFactorization riccati = derivatives.Factorize(options.Epsilon);
        int lowRank = riccati.PivotBlockRoutes?.Count(route => route == PivotBlockRoute.LowRankUpdate) ?? 0;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"width {width,3} depth {depth,4} batch {batchSize,3} params {network.ParameterCount,6} | " +
            $"factor: Riccati {factor[0].Milliseconds,9:0.000} ms  banded LU {factor[1].Milliseconds,9:0.000} ms  ratio {factor[1].Milliseconds / factor[0].Milliseconds,6:0.0} | " +
            $"derivatives + factor + solve: Riccati {total[0].Milliseconds,9:0.000} ms  banded LU {total[1].Milliseconds,9:0.000} ms  ratio {total[1].Milliseconds / total[0].Milliseconds,6:0.0} | " +
            $"path {riccati.Path}, inertia {riccati.Inertia} | {lowRank} low-rank blocks; every block whole {whole.Milliseconds:0.000} ms"));
    }
}
