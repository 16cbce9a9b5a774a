using System;
using System.Globalization;
using System.IO;
using System.Linq;
using HessianCodegen;

namespace Benchmarks;

/// <summary>
/// What each coupling form (docs/algorithm.md section 12) costs per route, in one process on the same chains: the factorization
/// and one solve per layer with every layer's coupling half solved, every layer keeping the gain, and the per-layer choice
/// (<see cref="RiccatiFactorization.ChooseCouplingForm"/>), the three timed in turn, round after round, so that the machine's
/// load falls on all alike. The routes column says how many layers took the low-rank route.
/// </summary>
internal static class CouplingFormReport
{
    private static readonly (string Name, CouplingForm? Form)[] Variants = [("half", CouplingForm.HalfSolved), ("gain", CouplingForm.Gain), ("chosen", null)];

    public static void Run(BenchmarkOptions options, TextWriter output)
    {
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Coupling forms: depth - 1 TanhLayer(width, width), SoftmaxCrossEntropyLayer(width, 4); eps {options.Epsilon}; cpu us per layer, medians of {options.Repeats} rounds"));
        output.WriteLine($"{"width",5} {"batch",5} {"depth",5} {"low-rank",8} | {"factor half",11} {"gain",8} {"chosen",8} | {"solve half",10} {"gain",7} {"chosen",7}");
        foreach (int width in options.Widths)
        {
            foreach (int batchSize in options.Batches)
            {
                foreach (int depth in options.Depths)
                {
                    Row(width, batchSize, depth, options, output);
                }
            }
        }

        output.WriteLine("half: every layer keeps Y = W^-1 C; gain: every layer keeps A^-1 C; chosen: whole blocks half, low-rank blocks the gain.");
    }

    private static void Row(int width, int batchSize, int depth, BenchmarkOptions options, TextWriter output)
    {
        Network network = ChainBenchmark.Chain(width, depth);
        NetworkPoint point = network.At(network.RandomParameters(seed: depth), ChainBenchmark.RandomBatch(width, batchSize, seed: width));
        double[] gradient = point.Gradient();
        var solution = new double[gradient.Length];
        HessianDerivatives derivatives = point.Derivatives();
        int rounds = Math.Max(options.Repeats, 3);
        var factorCpu = new double[Variants.Length][];
        var solveCpu = new double[Variants.Length][];
        int lowRank = 0;
        for (int v = 0; v < Variants.Length; v++)
        {
            (factorCpu[v], solveCpu[v]) = (new double[rounds], new double[rounds]);
        }

        for (int round = 0; round < rounds; round++)
        {
            for (int v = 0; v < Variants.Length; v++)
            {
                CouplingForm? form = Variants[v].Form;
                Timing factor = MedianTimer.Measure(() => Create(derivatives, options.Epsilon, form).Release(), 1, options.BudgetSeconds);
                RiccatiFactorization factorization = Create(derivatives, options.Epsilon, form);
                lowRank = factorization.Routes.Count(route => route == PivotBlockRoute.LowRankUpdate);
                Timing solve = MedianTimer.Measure(() => factorization.Solve(gradient, solution), 3, options.BudgetSeconds);
                factorization.Release();
                (factorCpu[v][round], solveCpu[v][round]) = (factor.CpuMilliseconds, solve.CpuMilliseconds);
            }
        }

        double perLayer = 1000.0 / (depth - 1);
        double F(int v) => Median(factorCpu[v]) * perLayer;
        double S(int v) => Median(solveCpu[v]) * perLayer;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{width,5} {batchSize,5} {depth,5} {lowRank,8} | {F(0),11:0.00} {F(1),8:0.00} {F(2),8:0.00} | {S(0),10:0.00} {S(1),7:0.00} {S(2),7:0.00}"));
    }

    private static RiccatiFactorization Create(HessianDerivatives derivatives, double epsilon, CouplingForm? form) =>
        RiccatiFactorization.Create(derivatives, epsilon, out _, everyLayerForm: form)
            ?? throw new InvalidOperationException("The Riccati recursion met a singular pivot block; expected none on the benchmark chains.");

    private static double Median(double[] values)
    {
        double[] sorted = [.. values];
        Array.Sort(sorted);
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
