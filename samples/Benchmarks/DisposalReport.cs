using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using HessianCodegen;

namespace Benchmarks;

/// <summary>
/// What disposing buys a loop of Newton steps: each step takes new derivatives at the point, factors them and solves
/// once, as a training loop does, with the derivatives and the factorization disposed at the end of the step or left
/// to the collector. Unlike <see cref="MedianTimer"/>, nothing is collected between steps: the garbage the undisposed
/// steps leave is part of what they cost. The two ways alternate, twice each, after a warm-up of each.
/// </summary>
internal static class DisposalReport
{
    private static readonly (int Depth, int Width, int Batch)[] Chains = [(12, 8, 4), (128, 8, 1), (128, 8, 8), (128, 16, 8)];

    private const int Steps = 100;

    public static void Run(BenchmarkOptions options, TextWriter output)
    {
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Disposal: {Steps} steps in a row of new derivatives + Factorize(eps) + one solve at one point, tanh chains; eps {options.Epsilon}; " +
            $"median ms per step, full (gen 2) collections and MB allocated per step; each way run twice, alternating"));
        output.WriteLine("depth width batch |  disposed   gen2/step   MB/step | undisposed  gen2/step   MB/step | undisposed / disposed");
        foreach ((int depth, int width, int batchSize) in Chains)
        {
            Network network = BenchmarkNetworks.TanhChain(width, depth);
            NetworkPoint point = network.At(network.RandomParameters(seed: depth), ChainBenchmark.RandomBatch(width, batchSize, seed: width));
            double[] gradient = point.Gradient();
            var solution = new double[gradient.Length];

            Loop(point, gradient, solution, options.Epsilon, dispose: true);
            Loop(point, gradient, solution, options.Epsilon, dispose: false);
            var disposed = new List<StepCost>();
            var undisposed = new List<StepCost>();
            for (int round = 0; round < 2; round++)
            {
                disposed.Add(Loop(point, gradient, solution, options.Epsilon, dispose: true));
                undisposed.Add(Loop(point, gradient, solution, options.Epsilon, dispose: false));
            }

            StepCost d = Faster(disposed);
            StepCost u = Faster(undisposed);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{depth,5} {width,5} {batchSize,5} | {d.Milliseconds,9:0.000} {d.FullCollections,11:0.00} {d.Megabytes,9:0.0} | " +
                $"{u.Milliseconds,10:0.000} {u.FullCollections,10:0.00} {u.Megabytes,9:0.0} | {u.Milliseconds / d.Milliseconds,8:0.00}"));
        }

        output.WriteLine("(disposed: `using` on the derivatives and the factorization, so the next step computes and factors in their storage;");
        output.WriteLine(" of the two rounds of each way, the one with the lower median is shown)");
    }

    private readonly record struct StepCost(double Milliseconds, double FullCollections, double Megabytes);

    private static StepCost Faster(List<StepCost> rounds) => rounds[0].Milliseconds <= rounds[1].Milliseconds ? rounds[0] : rounds[1];

    private static StepCost Loop(NetworkPoint point, double[] gradient, double[] solution, double epsilon, bool dispose)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var times = new double[Steps];
        int fullCollections = GC.CollectionCount(2);
        long allocated = GC.GetTotalAllocatedBytes(precise: true);
        for (int step = 0; step < Steps; step++)
        {
            long start = Stopwatch.GetTimestamp();
            HessianDerivatives derivatives = point.Derivatives();
            HessianFactorization factorization = derivatives.Factorize(epsilon);
            factorization.Solve(gradient, solution);
            if (dispose)
            {
                factorization.Dispose();
                derivatives.Dispose();
            }

            times[step] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        Array.Sort(times);
        return new StepCost(
            times[Steps / 2],
            (GC.CollectionCount(2) - fullCollections) / (double)Steps,
            (GC.GetTotalAllocatedBytes(precise: true) - allocated) / 1e6 / Steps);
    }
}
