using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using HessianCodegen;
using HessianCodegen.Layers;
using HessianCodegen.LinearAlgebra;

namespace Benchmarks;

/// <summary>
/// Issue 7's wide network: 192 inputs, 7 ReLU layers of width 24, softmax cross-entropy over 10 classes,
/// batch 64. Reports where the time of derivatives + factorization + one solve goes, and the peak memory:
/// the first layer (p = 4632 > B a) against the rest, measured as the same network with a 24-input first
/// layer, the first layer's two routes (low-rank update against the whole block), what the memory holds, and
/// the pivot-block kernels alone on a random symmetric indefinite block of the first layer's order.
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
        string routes = ColdStep(point, options.Epsilon, gradient, solution);
        double coldSeconds = cold.Elapsed.TotalSeconds;
        long peak = Process.GetCurrentProcess().PeakWorkingSet64;

        HessianDerivatives derivatives = point.Derivatives();
        Timing derivativeTime = MedianTimer.Measure(() => point.Derivatives().Dispose(), options.Repeats, options.BudgetSeconds);
        HessianFactorization factor = derivatives.Factorize(options.Epsilon);
        Timing factorTime = MedianTimer.Measure(() => derivatives.Factorize(options.Epsilon), options.Repeats, options.BudgetSeconds);
        Timing solveTime = MedianTimer.Measure(() => factor.Solve(gradient, solution), options.Repeats, options.BudgetSeconds);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"ReLU batch {BatchSize}: {Inputs} inputs, {ReluLayers} ReLU layers of width {Width}, softmax cross-entropy over {Classes}; params {network.ParameterCount}, eps {options.Epsilon}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  derivatives {derivativeTime.Milliseconds:0} ms | factorization {factorTime.Milliseconds:0} ms ({factor.Path}, {factor.Inertia}, " +
            $"{factor.FlopCount / factorTime.Milliseconds / 1e6:0.00} GFLOP/s) | solve {solveTime.Milliseconds:0.0} ms | " +
            $"sum {derivativeTime.Milliseconds + factorTime.Milliseconds + solveTime.Milliseconds:0} ms " +
            $"(cpu {derivativeTime.CpuMilliseconds + factorTime.CpuMilliseconds + solveTime.CpuMilliseconds:0} ms, factorization {factorTime.CpuMilliseconds:0})"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  cold run (derivatives + factorization + solve, first in the process) {coldSeconds:0.00} s, peak working set {peak / (1 << 20)} MB"));
        output.WriteLine($"  pivot-block routes, first layer first: {routes}");
        ReportMemory(point, derivatives, options.Epsilon, output);

        // The routes side by side: the whole recursion with every block factored whole.
        Timing wholeTime = MedianTimer.Measure(() => RiccatiFactorization.Create(derivatives, options.Epsilon, out _, allowLowRank: false),
            options.Repeats, options.BudgetSeconds);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  factorization with the first block factored whole instead: {wholeTime.Milliseconds:0} ms, cpu {wholeTime.CpuMilliseconds:0} " +
            $"(low-rank route {factorTime.Milliseconds:0} ms, cpu {factorTime.CpuMilliseconds:0})"));

        // The rest of the network: the same layers after a 24-input first layer (p = 600 like the others).
        (_, NetworkPoint narrowPoint, _) = Build(Width);
        HessianDerivatives narrow = narrowPoint.Derivatives();
        Timing narrowDerivatives = MedianTimer.Measure(() => narrowPoint.Derivatives().Dispose(), options.Repeats, options.BudgetSeconds);
        Timing narrowFactor = MedianTimer.Measure(() => narrow.Factorize(options.Epsilon), options.Repeats, options.BudgetSeconds);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  the same network with a {Width}-input first layer: derivatives {narrowDerivatives.Milliseconds:0} ms, factorization {narrowFactor.Milliseconds:0} ms (cpu {narrowFactor.CpuMilliseconds:0}) " +
            $"(so the {Inputs}-input first layer costs about {derivativeTime.Milliseconds - narrowDerivatives.Milliseconds:0} and {factorTime.Milliseconds - narrowFactor.Milliseconds:0} ms)"));

        ReportStability(point, gradient, "ReLU", output);
        Network tanhFirst = new([new TanhLayer(Inputs, Width), .. network.Layers.Skip(1)]);
        NetworkPoint tanhPoint = tanhFirst.At(tanhFirst.RandomParameters(seed: 7), BenchmarkNetworks.RandomBatch(Inputs, Classes, BatchSize, seed: 7));
        ReportStability(tanhPoint, tanhPoint.Gradient(), "tanh", output);

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

    /// <summary>
    /// The low-rank route at small damping: per eps, the first layer's route, the refined solve's backward error
    /// before and after refinement (measured with <c>H x</c>) and the path of the returned solution. A tanh first
    /// layer has an indefinite <c>X</c> at small eps, where the route must decline.
    /// </summary>
    private static void ReportStability(NetworkPoint point, double[] gradient, string firstLayer, TextWriter output)
    {
        HessianDerivatives derivatives = point.Derivatives();
        var solution = new double[gradient.Length];
        foreach (double epsilon in new[] { 1.0, 1e-1, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8 })
        {
            HessianFactorization factor = derivatives.Factorize(epsilon);
            SolveReport report = factor.SolveRefined(gradient, solution);
            string whole = "";
            if (factor.PivotBlockRoutes?[0] == PivotBlockRoute.LowRankUpdate)
            {
                // The same plain solve with every block factored whole, for comparison.
                RiccatiFactorization.Create(derivatives, epsilon, out _, allowLowRank: false)!.Solve(gradient, solution);
                whole = string.Create(CultureInfo.InvariantCulture, $" (first block whole: {PlainBackwardError(derivatives, epsilon, gradient, solution):E2})");
            }

            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {firstLayer} first layer, eps {epsilon:E0}: {factor.Path}, first block {factor.PivotBlockRoutes?[0].ToString() ?? "-"}, " +
                $"negative eigenvalues {factor.Inertia?.Negative.ToString(CultureInfo.InvariantCulture) ?? "-"}, backward error {report.InitialBackwardError:E2}{whole} -> " +
                $"{report.BackwardError:E2} ({report.RefinementSteps} steps, solution from {report.Path})"));
            if (factor.Path == FactorizationPath.BandedLU)
            {
                // The fallback must not depend on the route: both meet the same singular block.
                RiccatiFactorization.Create(derivatives, epsilon, out int singular);
                RiccatiFactorization.Create(derivatives, epsilon, out int wholeSingular, allowLowRank: false);
                output.WriteLine($"    singular pivot block in layer {singular} (every block whole: layer {wholeSingular})");
            }
        }
    }

    /// <summary><c>||g - (H + eps I) x|| / (||H + eps I|| ||x|| + ||g||)</c> with <c>H x</c> matrix-free, as <c>SolveRefined</c> measures it.</summary>
    private static double PlainBackwardError(HessianDerivatives derivatives, double epsilon, double[] rhs, double[] x)
    {
        var residual = new double[x.Length];
        derivatives.CurvatureVector(x, residual);
        for (int i = 0; i < residual.Length; i++)
        {
            residual[i] = rhs[i] - residual[i] - (epsilon * x[i]);
        }

        double norm = derivatives.HessianNormEstimate + epsilon;
        return VectorKernels.Norm(residual) / ((norm * VectorKernels.Norm(x)) + VectorKernels.Norm(rhs));
    }

    /// <summary>Derivatives, factorization and one solve; returns the routes the pivot blocks took (the factorization is garbage after).</summary>
    private static string ColdStep(NetworkPoint point, double epsilon, double[] gradient, double[] solution)
    {
        HessianFactorization factor = point.Derivatives().Factorize(epsilon);
        factor.Solve(gradient, solution);
        return string.Join(", ", factor.PivotBlockRoutes ?? []);
    }

    /// <summary>
    /// What stays live, measured after full collections (so after the cold run's peak): the derivative blocks
    /// (the first layer's and the rest) and a factorization with its solve's buffers, and the largest arrays by name.
    /// </summary>
    private static void ReportMemory(NetworkPoint point, HessianDerivatives derivatives, double epsilon, TextWriter output)
    {
        const double MB = 1 << 20;
        LayerDerivatives firstLayer = derivatives.Layer(0);
        long rest = 0;
        for (int l = 1; l < point.Network.Depth; l++)
        {
            rest += derivatives.Layer(l).All.Length;
        }

        long before = GC.GetTotalMemory(forceFullCollection: true);
        HessianFactorization factor = derivatives.Factorize(epsilon);
        long after = GC.GetTotalMemory(forceFullCollection: true);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  memory: derivatives {(firstLayer.All.Length + rest) * 8 / MB:0} MB (first layer Xxx {firstLayer.Xxx.Length * 8 / MB:0}, Dx {firstLayer.Dx.Length * 8 / MB:0}, " +
            $"Dz {firstLayer.Dz.Length * 8 / MB:0}; other layers {rest * 8 / MB:0}); a factorization keeps {(after - before) / MB:0} MB; " +
            $"live with both {after / MB:0} MB"));
        GC.KeepAlive(factor);
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
