using System;
using System.Globalization;
using System.IO;
using HessianCodegen.LinearAlgebra;

namespace Benchmarks;

/// <summary>
/// <c>Gemm.Multiply</c>'s rate at the shapes the runtime multiplies: the Riccati updates of width 8 and 16 at
/// batches 8 and 64, the trailing updates of the blocked pivot-block kernels, the batched layers' small
/// products, and squares. On one core (<c>PackedGemm</c>, by cpu time) beside OpenBLAS
/// <c>dgemm</c> on one thread (by process cpu time), and through <c>Gemm</c> (both cores above
/// <c>ParallelGemm.Threshold</c>) by wall time beside OpenBLAS on two threads.
/// </summary>
internal static class GemmBenchmark
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    private static readonly (int Rows, int Columns, int Inner, string Use)[] Shapes =
    [
        (256, 16, 16, "batched layer"),
        (128, 64, 64, "batched layer"),
        (72, 64, 64, "Dx^T P, width 8 batch 8"),
        (72, 512, 512, "Dx^T P, width 8 batch 64"),
        (512, 512, 72, "C^T A^-1 C, width 8 batch 64"),
        (272, 128, 128, "Dx^T P, width 16 batch 8"),
        (128, 128, 272, "C^T A^-1 C, width 16 batch 8"),
        (1536, 1536, 600, "C^T A^-1 C, ReLU network"),
        (2048, 2048, 64, "trailing update, p = 4632"),
        (4568, 4568, 64, "trailing update, p = 4632"),
        (64, 64, 64, "square"),
        (256, 256, 256, "square"),
        (1024, 1024, 1024, "square"),
    ];

    public static void Run(BenchmarkOptions options, OpenBlasDriver? openBlas, TextWriter output)
    {
        output.WriteLine(string.Create(Invariant,
            $"Gemm rates, GFLOP/s (2 M N K / median time); C = A B, no transposes; {Environment.ProcessorCount} cores, parallel from {ParallelGemm.Threshold:0.0e0} flops"));
        output.WriteLine(string.Create(Invariant,
            $"{"M",5} {"N",5} {"K",5} | {"1 core",7} {"OpenBLAS",8} {"ratio",5} | {"Gemm",7} {"OpenBLAS 2",10} {"ratio",5} | use"));
        output.WriteLine(new string('-', 96));
        foreach ((int m, int n, int k, string use) in Shapes)
        {
            double[] a = RandomValues(m * k, 1);
            double[] b = RandomValues(k * n, 2);
            double[] c = new double[m * n];
            double flops = 2.0 * m * n * k;
            Timing single = MedianTimer.Measure(() => PackedGemm.Multiply(false, false, m, n, k, 1, a, k, b, n, 0, c, n), options.Repeats, options.BudgetSeconds);
            Timing both = MedianTimer.Measure(() => Gemm.Multiply(false, false, m, n, k, 1, a, k, b, n, 0, c, n), options.Repeats, options.BudgetSeconds);
            double singleRate = flops / (single.CpuMilliseconds * 1e6);
            double bothRate = flops / (both.Milliseconds * 1e6);
            string oneThread = "", twoThreads = "", oneRatio = "", twoRatio = "";
            if (openBlas is not null)
            {
                string[] sizes = ["dgemm", m.ToString(Invariant), n.ToString(Invariant), k.ToString(Invariant)];
                double blasOne = openBlas.Time(1, sizes).CpuGflops;
                double blasTwo = openBlas.Time(2, sizes).Gflops;
                (oneThread, twoThreads) = (blasOne.ToString("0.00", Invariant), blasTwo.ToString("0.00", Invariant));
                (oneRatio, twoRatio) = ((singleRate / blasOne).ToString("0.00", Invariant), (bothRate / blasTwo).ToString("0.00", Invariant));
            }

            output.WriteLine(string.Create(Invariant,
                $"{m,5} {n,5} {k,5} | {singleRate,7:0.00} {oneThread,8} {oneRatio,5} | {bothRate,7:0.00} {twoThreads,10} {twoRatio,5} | {use}"));
        }
    }

    private static double[] RandomValues(int length, int seed)
    {
        var random = new Random(seed);
        var values = new double[length];
        for (int i = 0; i < length; i++)
        {
            values[i] = (2 * random.NextDouble()) - 1;
        }

        return values;
    }
}
