using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using HessianCodegen;
using HessianCodegen.Layers;
using HessianCodegen.LinearAlgebra;

namespace Benchmarks;

/// <summary>
/// Issue 7's wide network: 192 inputs, 7 ReLU layers of width 24, softmax cross-entropy over 10 classes,
/// batch 64. Reports where the time of derivatives + factorization + one solve goes, and the peak memory:
/// the first layer (p = 4632 > B a) against the rest, measured as the same network with a 24-input first
/// layer, and the pivot-block kernels alone on a random symmetric indefinite block of the first layer's order.
/// </summary>
internal static class ReluBatchReport
{
    private const int Inputs = 192;
    private const int Width = BenchmarkNetworks.ReluWidth;
    private const int Classes = BenchmarkNetworks.ReluClasses;
    private const int ReluLayers = BenchmarkNetworks.ReluLayers;
    private const int BatchSize = 64;

    public static void Run(BenchmarkOptions options, TextWriter output)
    {
        // The first run is cold (fresh process), so its peak working set is what one Newton step needs.
        var cold = Stopwatch.StartNew();
        (Network network, NetworkPoint point, double[] gradient) = Build(Inputs);
        var solution = new double[gradient.Length];
        HessianFactorization first = point.Derivatives().Factorize(options.Epsilon);
        first.Solve(gradient, solution);
        double coldSeconds = cold.Elapsed.TotalSeconds;
        long peak = Process.GetCurrentProcess().PeakWorkingSet64;

        HessianDerivatives derivatives = point.Derivatives();
        Timing derivativeTime = MedianTimer.Measure(() => point.Derivatives(), options.Repeats, options.BudgetSeconds);
        HessianFactorization factor = derivatives.Factorize(options.Epsilon);
        Timing factorTime = MedianTimer.Measure(() => derivatives.Factorize(options.Epsilon), options.Repeats, options.BudgetSeconds);
        Timing solveTime = MedianTimer.Measure(() => factor.Solve(gradient, solution), options.Repeats, options.BudgetSeconds);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"ReLU batch {BatchSize}: {Inputs} inputs, {ReluLayers} ReLU layers of width {Width}, softmax cross-entropy over {Classes}; params {network.ParameterCount}, eps {options.Epsilon}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  derivatives {derivativeTime.Milliseconds:0} ms | factorization {factorTime.Milliseconds:0} ms ({factor.Path}, {factor.Inertia}, " +
            $"{factor.FlopCount / factorTime.Milliseconds / 1e6:0.00} GFLOP/s) | solve {solveTime.Milliseconds:0.0} ms | " +
            $"sum {derivativeTime.Milliseconds + factorTime.Milliseconds + solveTime.Milliseconds:0} ms"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  cold run (derivatives + factorization + solve, first in the process) {coldSeconds:0.00} s, peak working set {peak / (1 << 20)} MB"));

        // The rest of the network: the same layers after a 24-input first layer (p = 600 like the others).
        (_, NetworkPoint narrowPoint, _) = Build(Width);
        HessianDerivatives narrow = narrowPoint.Derivatives();
        Timing narrowDerivatives = MedianTimer.Measure(() => narrowPoint.Derivatives(), options.Repeats, options.BudgetSeconds);
        Timing narrowFactor = MedianTimer.Measure(() => narrow.Factorize(options.Epsilon), options.Repeats, options.BudgetSeconds);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  the same network with a {Width}-input first layer: derivatives {narrowDerivatives.Milliseconds:0} ms, factorization {narrowFactor.Milliseconds:0} ms " +
            $"(so the {Inputs}-input first layer costs about {derivativeTime.Milliseconds - narrowDerivatives.Milliseconds:0} and {factorTime.Milliseconds - narrowFactor.Milliseconds:0} ms)"));

        // The pivot-block kernels alone at the first layer's and the other layers' orders.
        int wide = (Inputs + 1) * Width;
        foreach (int order in new[] { wide, (Width + 1) * Width })
        {
            double[] block = RandomSymmetric(order, seed: order);
            double[] copy = (double[])block.Clone();
            var pivots = new int[order];
            var work = new double[2 * order];
            long flops = 0;
            Timing bunchKaufman = MedianTimer.Measure(() =>
            {
                copy.CopyTo(block, 0);
                BunchKaufmanKernel.Factor(block, order, pivots, work, 0, ref flops);
            }, options.Repeats, options.BudgetSeconds);
            var blockedWork = new double[BlockedBunchKaufmanKernel.WorkLength(order)];
            Timing blocked = MedianTimer.Measure(() =>
            {
                copy.CopyTo(block, 0);
                BlockedBunchKaufmanKernel.Factor(block, order, pivots, blockedWork, 0, ref flops);
            }, options.Repeats, options.BudgetSeconds);
            double[] spd = RandomSymmetric(order, seed: order);
            for (int i = 0; i < order; i++)
            {
                spd[(i * order) + i] += 2 * order;
            }

            double[] spdCopy = (double[])spd.Clone();
            Timing cholesky = MedianTimer.Measure(() =>
            {
                spdCopy.CopyTo(spd, 0);
                CholeskyKernel.Factor(spd, order, 0, ref flops);
            }, options.Repeats, options.BudgetSeconds);
            var choleskyWork = new double[BlockedCholeskyKernel.WorkLength(order)];
            Timing blockedCholesky = MedianTimer.Measure(() =>
            {
                spdCopy.CopyTo(spd, 0);
                BlockedCholeskyKernel.Factor(spd, order, choleskyWork, 0, ref flops);
            }, options.Repeats, options.BudgetSeconds);
            double cube = (double)order * order * order;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  order {order}: Bunch-Kaufman unblocked {bunchKaufman.Milliseconds:0.0} ms ({cube / 3 / bunchKaufman.Milliseconds / 1e6:0.00} GFLOP/s), " +
                $"blocked {blocked.Milliseconds:0.0} ms ({cube / 3 / blocked.Milliseconds / 1e6:0.00} GFLOP/s), " +
                $"Cholesky unblocked {cholesky.Milliseconds:0.0} ms ({cube / 3 / cholesky.Milliseconds / 1e6:0.00} GFLOP/s), " +
                $"blocked {blockedCholesky.Milliseconds:0.0} ms ({cube / 3 / blockedCholesky.Milliseconds / 1e6:0.00} GFLOP/s)"));
        }
    }

    private static (Network Network, NetworkPoint Point, double[] Gradient) Build(int inputs)
    {
        Network network = BenchmarkNetworks.Relu(inputs);
        NetworkPoint point = network.At(network.RandomParameters(seed: 7), BenchmarkNetworks.RandomBatch(inputs, Classes, BatchSize, seed: 7));
        return (network, point, point.Gradient());
    }

    private static double[] RandomSymmetric(int order, int seed)
    {
        var random = new Random(seed);
        var a = new double[order * order];
        for (int i = 0; i < order; i++)
        {
            for (int j = 0; j <= i; j++)
            {
                a[(i * order) + j] = a[(j * order) + i] = (2.0 * random.NextDouble()) - 1.0;
            }
        }

        return a;
    }
}
