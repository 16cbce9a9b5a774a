using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;

namespace Benchmarks;

/// <summary>Prints the benchmark rows as a table, the depth ratios, and writes them as CSV.</summary>
internal static class ResultTable
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static void Write(IReadOnlyList<BenchmarkRow> rows, TextWriter output)
    {
        output.WriteLine(
            $"{"width",5} {"depth",5} {"batch",5} {"params",7} {"block",5} | {"gradient",9} {"H v",9} {"derivs",9} {"factor",10} {"solve",9} | {"GFLOP/s",7} {"MB",7} | {"dense LU",10}");
        output.WriteLine(new string('-', 120));
        foreach (BenchmarkRow row in rows)
        {
            output.WriteLine(string.Format(Invariant,
                "{0,5} {1,5} {2,5} {3,7} {4,5} | {5,9} {6,9} {7,9} {8,10} {9,9} | {10,7:0.00} {11,7:0.0} | {12,10}",
                row.Width, row.Depth, row.Batch, row.Parameters, row.BlockSize,
                Milliseconds(row.Gradient), Milliseconds(row.HessianVector), Milliseconds(row.Derivatives),
                Milliseconds(row.Factorization), Milliseconds(row.Solve), row.FactorizationGflops, row.FactorizationMegabytes,
                row.DenseSolve is { } dense ? Milliseconds(dense) : "-"));
        }

        output.WriteLine("Times in ms, medians; 'block' = p + 2 B a, the size of a hidden layer's block of the solve.");
    }

    /// <summary>Per width and batch, time at depth <paramref name="deep"/> over time at <paramref name="shallow"/>.</summary>
    public static void WriteDepthRatios(IReadOnlyList<BenchmarkRow> rows, int deep, int shallow, TextWriter output)
    {
        foreach (BenchmarkRow deepRow in rows.Where(row => row.Depth == deep))
        {
            BenchmarkRow? shallowRow = rows.FirstOrDefault(row =>
                row.Depth == shallow && row.Width == deepRow.Width && row.Batch == deepRow.Batch);
            if (shallowRow is null)
            {
                continue;
            }

            var ratios = new StringBuilder();
            for (int c = 0; c < BenchmarkRow.TimedColumns.Length; c++)
            {
                if (deepRow.Column(c) is { } deepTime && shallowRow.Column(c) is { } shallowTime)
                {
                    // Wall time, then the timing thread's CPU time, which a loaded machine does not inflate.
                    ratios.Append(Invariant,
                        $"  {BenchmarkRow.TimedColumns[c]} {deepTime.Milliseconds / shallowTime.Milliseconds:0.00} (cpu {deepTime.CpuMilliseconds / shallowTime.CpuMilliseconds:0.00})");
                }
            }

            output.WriteLine(string.Create(Invariant,
                $"depth {deep} / depth {shallow}, width {deepRow.Width}, batch {deepRow.Batch}:{ratios} (linear in depth: {(double)deep / shallow:0.00})"));
        }
    }

    public static void WriteCsv(IReadOnlyList<BenchmarkRow> rows, string path)
    {
        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null)
        {
            Directory.CreateDirectory(folder);
        }

        var csv = new StringBuilder();
        csv.AppendLine("width,depth,batch,parameters,block_size,gradient_ms,hessian_vector_ms,derivatives_ms,factorization_ms," +
                       "solve_ms,factorization_gflops,factorization_megabytes,dense_lu_solve_ms,factorization_runs");
        foreach (BenchmarkRow row in rows)
        {
            csv.AppendLine(string.Create(Invariant,
                $"{row.Width},{row.Depth},{row.Batch},{row.Parameters},{row.BlockSize},{row.Gradient.Milliseconds:R},{row.HessianVector.Milliseconds:R}," +
                $"{row.Derivatives.Milliseconds:R},{row.Factorization.Milliseconds:R},{row.Solve.Milliseconds:R},{row.FactorizationGflops:R},{row.FactorizationMegabytes:R}," +
                $"{(row.DenseSolve is { } dense ? dense.Milliseconds.ToString("R", Invariant) : "")},{row.Factorization.Runs}"));
        }

        File.WriteAllText(path, csv.ToString());
    }

    private static string Milliseconds(Timing timing)
    {
        string value = timing.Milliseconds switch
        {
            < 1 => timing.Milliseconds.ToString("0.000", Invariant),
            < 100 => timing.Milliseconds.ToString("0.00", Invariant),
            _ => timing.Milliseconds.ToString("0", Invariant),
        };

        // A timing taken over fewer runs than asked (the budget ran out) is marked with its run count.
        return timing.Runs == 1 ? value + "'" : value;
    }
}
