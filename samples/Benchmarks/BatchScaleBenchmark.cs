using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Collections.Generic;
using System.Linq;
using HessianCodegen;
using HessianCodegen.Layers;

namespace Benchmarks;

/// <summary>
/// The performance section of issue 7, in one run: the batch-64 ReLU network (time, where it goes, peak
/// memory), the depth-16 width-8 batch-64 chain against the banded LU and OpenBLAS <c>dgetrf</c>, the
/// depth-64 batch-1 chain against the banded LU, and the factorization's flop rate against OpenBLAS at
/// the sizes of its kernels. The ReLU network runs first, so that the process's peak working set is its own.
/// </summary>
internal static class BatchScaleBenchmark
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static void Run(BenchmarkOptions options, OpenBlasDriver? openBlas, TextWriter output)
    {
        string lapack = openBlas is null
            ? "no OpenBLAS driver given (--openblas), so no OpenBLAS comparison."
            : "OpenBLAS (Debian libopenblas) through lapack/lapack_rates.";
        output.WriteLine(string.Create(Invariant,
            $"Batch scale: eps {options.Epsilon}; times in ms, medians of {options.Repeats} runs or more after a warm-up run; {lapack}"));
        output.WriteLine();
        ReluNetwork(options, output);
        output.WriteLine();
        BatchChain(options, openBlas, output);
        output.WriteLine();
        ShallowBatchOneChain(options, output);
        if (openBlas is not null)
        {
            output.WriteLine();
            KernelRates(options, openBlas, output);
        }
    }

    /// <summary>192 inputs, 7 ReLU layers of width 24, softmax cross-entropy over 10 classes, batch 64.</summary>
    private static void ReluNetwork(BenchmarkOptions options, TextWriter output)
    {
        const int batchSize = 64;
        Network network = BenchmarkNetworks.Relu(192);
        IHessianLayer[] layers = network.Layers.ToArray();
        Batch batch = BenchmarkNetworks.RandomBatch(192, BenchmarkNetworks.ReluClasses, batchSize, seed: 192);
        NetworkPoint point = network.At(network.RandomParameters(seed: 8), batch);
        double[] gradient = point.Gradient();
        var solution = new double[gradient.Length];

        // One pass first, untimed: its peak is the memory the step needs (the timings below keep at most one result).
        long allocated = GC.GetAllocatedBytesForCurrentThread();
        HessianDerivatives derivatives = point.Derivatives();
        double derivativesMegabytes = (GC.GetAllocatedBytesForCurrentThread() - allocated) / 1e6;
        allocated = GC.GetAllocatedBytesForCurrentThread();
        HessianFactorization factorization = derivatives.Factorize(options.Epsilon);
        double factorizationMegabytes = (GC.GetAllocatedBytesForCurrentThread() - allocated) / 1e6;
        factorization.Solve(gradient, solution);
        double peakMegabytes = Process.GetCurrentProcess().PeakWorkingSet64 / 1e6;

        Timing derivativesTime = Time(() => point.Derivatives().Dispose(), options);
        Timing factorizationTime = Time(() => derivatives.Factorize(options.Epsilon).Dispose(), options);
        Timing solveTime = Time(() => factorization.Solve(gradient, solution), options);
        Timing total = Time(() =>
        {
            using HessianDerivatives fresh = point.Derivatives();
            using HessianFactorization factors = fresh.Factorize(options.Epsilon);
            factors.Solve(gradient, solution);
        }, options);

        // Where the factorization's time goes: the same chain without its first layer, fed that layer's outputs.
        var rest = new Network(layers[1..]);
        var hidden = new double[batchSize, 24];
        var row = new double[24];
        for (int n = 0; n < batchSize; n++)
        {
            layers[0].Forward(network.ParameterSlice(point.Parameters, 0), batch.Input(n), default, row);
            for (int j = 0; j < 24; j++)
            {
                hidden[n, j] = row[j];
            }
        }

        int[] labels = Enumerable.Range(0, batchSize).Select(n => (int)batch.Data(n)[0]).ToArray();
        NetworkPoint restPoint = rest.At(point.Parameters[layers[0].ParameterCount..], Batch.WithLabels(hidden, labels));
        HessianDerivatives restDerivatives = restPoint.Derivatives();
        Timing restTime = Time(() => restDerivatives.Factorize(options.Epsilon).Dispose(), options);
        HessianFactorization restFactorization = restDerivatives.Factorize(options.Epsilon);
        long restFlops = restFactorization.FlopCount;

        // The pivot blocks of the last seven layers are the same in both chains, so the first layer's
        // block has the negative eigenvalues the whole chain has beyond them (Haynsworth).
        int? firstBlockNegative = factorization.Inertia?.Negative - restFactorization.Inertia?.Negative;

        output.WriteLine(string.Create(Invariant,
            $"ReLU network: ReluLayer(192, 24), 6 x ReluLayer(24, 24), SoftmaxCrossEntropyLayer(24, 10); batch {batchSize}; " +
            $"P = {network.ParameterCount}, m = B a = {batchSize * 24}; path {factorization.Path}, " +
            $"positive definite: {factorization.IsPositiveDefinite}, inertia {factorization.Inertia}"));
        output.WriteLine(string.Create(Invariant, $"  derivatives                     {Ms(derivativesTime),10}   allocates {derivativesMegabytes,7:0} MB"));
        output.WriteLine(string.Create(Invariant,
            $"  factorization                   {Ms(factorizationTime),10}   allocates {factorizationMegabytes,7:0} MB, " +
            $"{factorization.FlopCount / 1e9:0.0} GFLOP at {factorization.FlopCount / (factorizationTime.CpuMilliseconds * 1e6):0.00} GFLOP/s (by cpu time)"));
        // The first layer's time is the difference of two noisy timings: below zero it says only that it is within their noise.
        var firstLayerTime = new Timing(factorizationTime.Milliseconds - restTime.Milliseconds, 0, factorizationTime.CpuMilliseconds - restTime.CpuMilliseconds);
        string firstLayer = firstLayerTime.Milliseconds > 0 ? Ms(firstLayerTime) : "within noise";
        output.WriteLine(string.Create(Invariant,
            $"    first layer (p = {layers[0].ParameterCount})          {firstLayer,10}   " +
            $"{(factorization.FlopCount - restFlops) / 1e9:0.0} GFLOP (the difference to the chain without it); " +
            $"its pivot block has {firstBlockNegative?.ToString(Invariant) ?? "?"} negative eigenvalues"));
        output.WriteLine(string.Create(Invariant,
            $"    the other 7 layers             {Ms(restTime),10}   {restFlops / 1e9:0.0} GFLOP at {restFlops / (restTime.CpuMilliseconds * 1e6):0.00} GFLOP/s"));
        output.WriteLine(string.Create(Invariant, $"  one solve                       {Ms(solveTime),10}"));
        output.WriteLine(string.Create(Invariant, $"  derivatives + factor + solve    {Ms(total),10}   target 2000 ms"));
        output.WriteLine(string.Create(Invariant, $"  peak working set (one pass)     {peakMegabytes,7:0} MB   target 500 MB"));
    }

    /// <summary>Depth 16, width 8, batch 64: factorization + one solve, Riccati against the banded LU and dense OpenBLAS.</summary>
    private static void BatchChain(BenchmarkOptions options, OpenBlasDriver? openBlas, TextWriter output)
    {
        const int width = 8;
        const int depth = 16;
        const int batchSize = 64;
        Network network = ChainBenchmark.Chain(width, depth);
        NetworkPoint point = network.At(network.RandomParameters(seed: depth), ChainBenchmark.RandomBatch(width, batchSize, seed: width));
        double[] gradient = point.Gradient();
        var solution = new double[gradient.Length];
        HessianDerivatives derivatives = point.Derivatives();
        Timing riccati = Time(() =>
        {
            using HessianFactorization factors = derivatives.Factorize(options.Epsilon, FactorizationPath.Riccati);
            factors.Solve(gradient, solution);
        }, options);
        Timing bandedLU = Time(() =>
        {
            using HessianFactorization factors = derivatives.Factorize(options.Epsilon, FactorizationPath.BandedLU);
            factors.Solve(gradient, solution);
        }, options);
        string path;
        using (HessianFactorization chosen = derivatives.Factorize(options.Epsilon))
        {
            path = chosen.Path.ToString();
        }

        output.WriteLine(string.Create(Invariant,
            $"Chain: {depth - 1} x TanhLayer({width}, {width}), SoftmaxCrossEntropyLayer({width}, 4); batch {batchSize}; P = {network.ParameterCount}; factorization + one solve, from computed derivatives"));
        output.WriteLine(string.Create(Invariant, $"  Riccati (path taken: {path})       {Ms(riccati),10}"));
        output.WriteLine(string.Create(Invariant,
            $"  banded LU                          {Ms(bandedLU),10}   {bandedLU.Milliseconds / riccati.Milliseconds,6:0.0} x the Riccati time (cpu {bandedLU.CpuMilliseconds / riccati.CpuMilliseconds:0.0} x; target >= 20)"));
        if (openBlas is not null)
        {
            // The dense H + eps I itself, materialized untimed by P products H e_j, for dgetrf to factor.
            string file = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(options.CsvPath)) ?? ".", "dense-h-depth16-width8-batch64.bin"));
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            double[] dense = SampleSupport.DampedHessian.Of(point.DenseHessian(), options.Epsilon).ToRowMajorArray();
            File.WriteAllBytes(file, System.Runtime.InteropServices.MemoryMarshal.AsBytes(dense.AsSpan()).ToArray());
            string order = network.ParameterCount.ToString(Invariant);
            LapackTiming best = openBlas.Best("dgetrf", order, file);
            LapackTiming single = openBlas.Time(1, "dgetrf", order, file);
            output.WriteLine(string.Create(Invariant,
                $"  OpenBLAS dgetrf + dgetrs, dense    {best.Milliseconds,10:0.000}   {best.Milliseconds / riccati.Milliseconds,6:0.00} x the Riccati time " +
                $"({best.Threads} thread{(best.Threads > 1 ? "s" : "")}, the faster of 1 and 2; target > 1; forming H not counted)"));
            output.WriteLine(string.Create(Invariant,
                $"    on 1 thread, by cpu time         {single.CpuMilliseconds,10:0.000}   {single.CpuMilliseconds / riccati.CpuMilliseconds,6:0.00} x the Riccati cpu time"));
        }
    }

    /// <summary>One step as a training loop takes it: the derivatives and their factorization are disposed, so the next step reuses their storage.</summary>
    private static void DerivativesFactorizationSolve(NetworkPoint point, double epsilon, FactorizationPath path, double[] gradient, double[] solution)
    {
        using HessianDerivatives derivatives = point.Derivatives();
        using HessianFactorization factorization = derivatives.Factorize(epsilon, path);
        factorization.Solve(gradient, solution);
    }

    /// <summary>Depth 64, width 8, batch 1: derivatives + factorization + one solve, Riccati against the banded LU.</summary>
    private static void ShallowBatchOneChain(BenchmarkOptions options, TextWriter output)
    {
        Network network = ChainBenchmark.Chain(8, 64);
        NetworkPoint point = network.At(network.RandomParameters(seed: 64), ChainBenchmark.RandomBatch(8, 1, seed: 8));
        double[] gradient = point.Gradient();
        var solution = new double[gradient.Length];
        Timing riccati = Time(() => DerivativesFactorizationSolve(point, options.Epsilon, FactorizationPath.Riccati, gradient, solution), options);
        Timing bandedLU = Time(() => DerivativesFactorizationSolve(point, options.Epsilon, FactorizationPath.BandedLU, gradient, solution), options);
        output.WriteLine(string.Create(Invariant,
            $"Chain: 63 x TanhLayer(8, 8), SoftmaxCrossEntropyLayer(8, 4); batch 1; P = {network.ParameterCount}; derivatives + factorization + one solve"));
        output.WriteLine(string.Create(Invariant, $"  Riccati                            {Ms(riccati),10}"));
        output.WriteLine(string.Create(Invariant,
            $"  banded LU                          {Ms(bandedLU),10}   Riccati takes {riccati.Milliseconds / bandedLU.Milliseconds:0.00} x its time (cpu {riccati.CpuMilliseconds / bandedLU.CpuMilliseconds:0.00} x; target <= 1)"));
    }

    /// <summary>
    /// The factorizations' flop rates (counted flops over median cpu time) on tanh chains, beside OpenBLAS on one thread at
    /// the sizes of the Riccati kernels: <c>dpotrf</c> of a pivot block (<c>p</c>), <c>dgemm</c> of <c>Dx^T P</c>
    /// (<c>p x m x m</c>) and of <c>C^T A^-1 C</c> (<c>m x m x p</c>), and <c>dgetrf</c> of a banded-LU block (<c>p + 2m</c>).
    /// Two ratios for the Riccati recursion: its rate over the faster <c>dgemm</c> shape (the older, coarser one), and the
    /// time OpenBLAS would take for the same flop mix over the recursion's cpu time (<see cref="OpenBlasMilliseconds"/>).
    /// </summary>
    private static void KernelRates(BenchmarkOptions options, OpenBlasDriver openBlas, TextWriter output)
    {
        (int Width, int Batch, int Depth)[] configurations = [(8, 1, 128), (8, 8, 128), (16, 1, 128), (16, 8, 128), (8, 64, 16)];
        output.WriteLine("Kernel rates, GFLOP/s by cpu time: the factorizations on tanh chains (counted flops / median cpu time), OpenBLAS on 1 thread at the sizes of their kernels");
        output.WriteLine(string.Create(Invariant,
            $"{"width",5} {"batch",5} {"depth",5} {"p",4} {"m",4} | {"Riccati",7} {"dpotrf(p)",9} {"dgemm(p,m,m)",12} {"dgemm(m,m,p)",12} {"ratio",5} | {"ms",7} {"OpenBLAS ms",11} {"mix",5} | {"LU",5} {"dgetrf(p+2m)",12} {"ratio",5}"));
        output.WriteLine(new string('-', 130));
        var wallRows = new List<string>();
        foreach ((int width, int batchSize, int depth) in configurations)
        {
            Network network = ChainBenchmark.Chain(width, depth);
            NetworkPoint point = network.At(network.RandomParameters(seed: depth), ChainBenchmark.RandomBatch(width, batchSize, seed: width));
            HessianDerivatives derivatives = point.Derivatives();
            HessianFactorization riccati = derivatives.Factorize(options.Epsilon, FactorizationPath.Riccati);
            long riccatiFlops = riccati.FlopCount;
            long luFlops = derivatives.Factorize(options.Epsilon, FactorizationPath.BandedLU).FlopCount;
            // Disposed as the tanh table's factorizations are (a caller that factors repeatedly): the next factorization stores its
            // factors where the last one did, so that the rate times the kernels, not the first touch of fresh storage's pages.
            Timing riccatiTiming = Time(() => derivatives.Factorize(options.Epsilon, FactorizationPath.Riccati).Dispose(), options);
            double riccatiMilliseconds = riccatiTiming.CpuMilliseconds;
            double riccatiRate = riccatiFlops / (riccatiMilliseconds * 1e6);
            double luRate = luFlops / (Time(() => derivatives.Factorize(options.Epsilon, FactorizationPath.BandedLU).Dispose(), options).CpuMilliseconds * 1e6);
            int p = (width * width) + width;
            int m = width * batchSize;
            string P = p.ToString(Invariant);
            string M = m.ToString(Invariant);
            double potrf = openBlas.Time(1, "dpotrf", P).CpuGflops;
            double gemmLeft = openBlas.Time(1, "dgemm", P, M, M).CpuGflops;
            double gemmRight = openBlas.Time(1, "dgemm", M, M, P).CpuGflops;
            double getrf = openBlas.Time(1, "dgetrf", (p + (2 * m)).ToString(Invariant)).CpuGflops;
            double openBlasMilliseconds = OpenBlasMilliseconds(riccati, network, batchSize, potrf, gemmLeft, gemmRight);

            // The Riccati flops are mostly the two products with P; compare with the better of those dgemm shapes.
            double bestGemm = Math.Max(gemmLeft, gemmRight);
            output.WriteLine(string.Format(Invariant,
                "{0,5} {1,5} {2,5} {3,4} {4,4} | {5,7:0.00} {6,9:0.00} {7,12:0.00} {8,12:0.00} {9,5:0.00} | {10,7:0.000} {11,11:0.000} {12,5:0.00} | {13,5:0.00} {14,12:0.00} {15,5:0.00}",
                width, batchSize, depth, p, m, riccatiRate, potrf, gemmLeft, gemmRight, riccatiRate / bestGemm,
                riccatiMilliseconds, openBlasMilliseconds, openBlasMilliseconds / riccatiMilliseconds, luRate, getrf, luRate / getrf));

            // The same flop mix by wall time, OpenBLAS at the faster of 1 and 2 threads per kernel: what each takes on the whole machine.
            double openBlasWall = OpenBlasMilliseconds(riccati, network, batchSize,
                openBlas.Best("dpotrf", P).Gflops, openBlas.Best("dgemm", P, M, M).Gflops, openBlas.Best("dgemm", M, M, P).Gflops);
            wallRows.Add(string.Format(Invariant, "{0,5} {1,5} {2,5} | {3,7:0.000} {4,11:0.000} {5,5:0.00}",
                width, batchSize, depth, riccatiTiming.Milliseconds, openBlasWall, openBlasWall / riccatiTiming.Milliseconds));
        }

        output.WriteLine("ratio: Riccati's rate / the faster of the two dgemm shapes. LU: / dgetrf of its block size. OpenBLAS rates use LAPACK's nominal counts");
        output.WriteLine("(2 M N K, N^3 / 3, 2 N^3 / 3); ours count the flops the kernels perform, zeros of Dx skipped.");
        output.WriteLine("mix: OpenBLAS ms / ms (target >= 0.5), where ms is the Riccati factorization's median cpu time and OpenBLAS ms the time OpenBLAS");
        output.WriteLine("on 1 thread takes for the same flops: per layer the pivot block's factorization (p^3 / 3, or m^3 / 3 on the low-rank route) at");
        output.WriteLine("dpotrf(p)'s rate, the rank update C^T A^-1 C = Y^T M^-1 Y (m (m + 1) p) at dgemm(m,m,p)'s, and the rest of the counted flops (the");
        output.WriteLine("products with P, Dz and Dx, the half solves Y = W^-1 C, p^2 m) at dgemm(p,m,m)'s.");
        output.WriteLine();
        output.WriteLine("The same by wall time: the factorization's median wall time (two cores from state order 512), OpenBLAS ms the same flops at");
        output.WriteLine("each kernel's rate on the faster of 1 and 2 threads");
        output.WriteLine(string.Create(Invariant, $"{"width",5} {"batch",5} {"depth",5} | {"ms",7} {"OpenBLAS ms",11} {"mix",5}"));
        wallRows.ForEach(output.WriteLine);
    }

    /// <summary>
    /// Milliseconds OpenBLAS would take for the Riccati factorization's flops, each kind at the rate (GFLOP/s) of the OpenBLAS
    /// routine that does that work: <c>sum_k flops_k / rate_k</c>, the flops split as the legend of <see cref="KernelRates"/> says.
    /// </summary>
    private static double OpenBlasMilliseconds(HessianFactorization riccati, Network network, int batchSize, double potrf, double gemmLeft, double gemmRight)
    {
        IReadOnlyList<PivotBlockRoute> routes = riccati.PivotBlockRoutes ?? throw new InvalidOperationException("The Riccati factorization failed; expected it to succeed.");
        double pivot = 0;
        double rankUpdate = 0;
        for (int l = 0; l < network.Depth; l++)
        {
            IHessianLayer layer = network.Layers[l];
            double p = layer.ParameterCount;
            double order = routes[l] == PivotBlockRoute.Whole ? p : (double)batchSize * layer.OutputSize;
            pivot += order * order * order / 3;

            // The state entering layer l (none for the first): m (m + 1) p flops for the triangle of C^T A^-1 C = Y^T M^-1 Y.
            double mIn = l > 0 ? (double)batchSize * layer.InputSize : 0;
            rankUpdate += mIn * (mIn + 1) * p;
        }

        double rest = Math.Max(0, riccati.FlopCount - pivot - rankUpdate);
        return ((pivot / potrf) + (rankUpdate / gemmRight) + (rest / gemmLeft)) / 1e6;
    }

    private static Timing Time(Action action, BenchmarkOptions options) =>
        MedianTimer.Measure(action, options.Repeats, options.BudgetSeconds);

    /// <summary>"1234.5 (cpu 1100.2)": the median wall time, and the median CPU time where it was measured.</summary>
    private static string Ms(Timing timing) => double.IsNaN(timing.CpuMilliseconds)
        ? Format(timing.Milliseconds)
        : $"{Format(timing.Milliseconds)} (cpu {Format(timing.CpuMilliseconds)})";

    private static string Format(double milliseconds) => milliseconds.ToString(milliseconds < 100 ? "0.000" : "0.0", Invariant);
}
