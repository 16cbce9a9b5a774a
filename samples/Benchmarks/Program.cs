using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using Benchmarks;
using SampleSupport;

// Exit codes: 0 done, 1 a run failed (message on stderr), 2 bad command line.
BenchmarkOptions? options = BenchmarkOptions.Parse(args, out int exitCode);
if (options is null)
{
    return exitCode;
}

try
{
    if (options.BatchScale)
    {
        BatchScaleBenchmark.Run(options, options.OpenBlasDriver is { } driver ? new OpenBlasDriver(driver) : null, Console.Out);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"peak working set of the whole run: {Process.GetCurrentProcess().PeakWorkingSet64 / 1e6:0} MB"));
        return 0;
    }

    if (options.Soak > 0)
    {
        var soakClock = Stopwatch.StartNew();
        SolveSoak.Summary summary = SolveSoak.Run(seed: 100_000, chains: options.Soak, limit: 1e-14);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{summary.Chains} chains: {summary.Solved} solved, {summary.Singular} singular, {summary.Overflowed} overflowed, " +
            $"{summary.Unverifiable} where H x cannot certify 1e-14 (the dense solution's backward error up to {summary.WorstDenseBackwardError:E2}); fallback factorizations " +
            $"{summary.FallbackFactorizations}, fallback solves {summary.FallbackSolves}; worst backward error reported " +
            $"{summary.WorstReportedBackwardError:E2}, checked {summary.WorstCheckedBackwardError:E2}; {soakClock.Elapsed.TotalSeconds:0} s"));
        foreach (string failure in summary.Failures)
        {
            Console.WriteLine(failure);
        }

        return summary.Failures.Count == 0 ? 0 : 1;
    }

    if (options.Gradient)
    {
        GradientReport.Run(options, Console.Out);
        return 0;
    }

    if (options.HessianVector)
    {
        HessianVectorReport.Run(options, Console.Out);
        return 0;
    }

    if (options.Disposal)
    {
        DisposalReport.Run(options, Console.Out);
        return 0;
    }

    if (options.RiccatiPhases)
    {
        RiccatiPhasesReport.Run(options, Console.Out);
        return 0;
    }

    if (options.GemmRates)
    {
        GemmBenchmark.Run(options, options.OpenBlasDriver is { } gemmDriver ? new OpenBlasDriver(gemmDriver) : null, Console.Out);
        return 0;
    }

    if (options.DepthScaling)
    {
        DepthScalingReport.Run(options, Console.Out);
        return 0;
    }

    if (options.ReluBatch)
    {
        ReluBatchReport.Run(options, Console.Out);
        return 0;
    }

    if (options.ComparePaths || options.MatrixFree)
    {
        foreach (int width in options.Widths)
        {
            foreach (int batch in options.Batches)
            {
                foreach (int depth in options.Depths)
                {
                    if (options.MatrixFree)
                    {
                        MatrixFreeComparison.Run(width, depth, batch, options, Console.Out);
                    }
                    else
                    {
                        PathComparison.Run(width, depth, batch, options, Console.Out);
                    }
                }
            }
        }

        return 0;
    }

    var rows = new List<BenchmarkRow>();
    int total = options.Widths.Length * options.Depths.Length * options.Batches.Length;
    var clock = Stopwatch.StartNew();
    foreach (int width in options.Widths)
    {
        foreach (int batch in options.Batches)
        {
            foreach (int depth in options.Depths)
            {
                // Progress goes to stderr, so that stdout holds only the results.
                Console.Error.Write(string.Create(CultureInfo.InvariantCulture,
                    $"[{rows.Count + 1}/{total}] width {width}, depth {depth}, batch {batch} ... "));
                long start = Stopwatch.GetTimestamp();
                rows.Add(ChainBenchmark.Run(width, depth, batch, options));
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{Stopwatch.GetElapsedTime(start).TotalSeconds:0.0} s (total {clock.Elapsed.TotalSeconds:0} s)"));
            }
        }
    }

    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"Tanh chains: depth - 1 TanhLayer(width, width) layers, then SoftmaxCrossEntropyLayer(width, 4); eps {options.Epsilon}; median of {options.Repeats} runs or more, fewer once a timing passes {options.BudgetSeconds} s (' marks a single run)"));
    Console.WriteLine();
    ResultTable.Write(rows, Console.Out);
    Console.WriteLine("gradient: forward + backward from scratch, network.LossAndGradient into a caller's span; H v: one matrix-free product at a computed point;");
    Console.WriteLine("derivatives: Dx, Dz, Xxx, Xzx, Xzz of every layer; factor: Factorize(eps), the Riccati recursion (banded LU as its fallback);");
    Console.WriteLine("solve: one right-hand side; GFLOP/s: the factorization's counted flops / its time; MB: what it allocates;");
    Console.WriteLine("dense LU: MathNet.Numerics' managed LU with partial pivoting of the materialized H + eps I, plus one solve");
    Console.WriteLine("(materializing H, P products H e_j, is not included; a tuned LU such as OpenBLAS dgetrf would be faster).");

    if (options.Target)
    {
        Console.WriteLine();
        Timing target = ChainBenchmark.RunTarget(width: 8, depth: 64, batchSize: 1, options);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"target: derivatives + factorization + one solve, depth 64, width 8, batch 1: {target.Milliseconds:0.000} ms (median of {target.Runs})"));
    }

    Console.WriteLine();
    ResultTable.WriteDepthRatios(rows, deep: 512, shallow: 128, Console.Out);
    ResultTable.WriteCsv(rows, options.CsvPath);
    Console.WriteLine($"CSV: {System.IO.Path.GetFullPath(options.CsvPath)}");
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"peak working set: {Process.GetCurrentProcess().PeakWorkingSet64 / 1e6:0} MB; total time {clock.Elapsed.TotalSeconds:0} s"));
    return 0;
}
catch (Exception e) when (e is ArgumentException or ArithmeticException or OutOfMemoryException or System.IO.IOException
                               or InvalidOperationException or System.ComponentModel.Win32Exception)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}
