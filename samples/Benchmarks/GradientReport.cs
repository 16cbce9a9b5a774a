using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using HessianCodegen;

namespace Benchmarks;

/// <summary>
/// Issue 9's gradient table: <c>network.LossAndGradient(parameters, batch, gradient)</c> and
/// <c>network.At(parameters, batch).Gradient(gradient)</c> (the same forward and backward pass, the layers' batched
/// members; At also copies the parameters and allocates the point's rows and gradient) on four tanh chains, against the per-example members alone (the path before
/// the batched members) and, with <c>--pytorch</c>, against PyTorch on the same chains in the same session. The PyTorch
/// ratio compares LossAndGradient, what a caller who wants a gradient calls, with PyTorch's forward + backward.
/// </summary>
internal static class GradientReport
{
    private static readonly (int Depth, int Width, int Batch)[] Chains = [(64, 8, 1), (16, 8, 64), (16, 16, 256), (8, 64, 128)];

    public static void Run(BenchmarkOptions options, TextWriter output)
    {
        output.WriteLine($"load before: {Load()}");
        var rows = new List<(int Depth, int Width, int Batch, Timing Span, Timing Batched, Timing PerExample)>();
        foreach ((int depth, int width, int batchSize) in Chains)
        {
            Network network = BenchmarkNetworks.TanhChain(width, depth);
            double[] parameters = network.RandomParameters(seed: depth);
            Batch batch = ChainBenchmark.RandomBatch(width, batchSize, seed: width);
            var gradient = new double[network.ParameterCount];
            Timing span = MedianTimer.Measure(() => network.LossAndGradient(parameters, batch, gradient), options.Repeats, options.BudgetSeconds);
            Timing batched = MedianTimer.Measure(() => network.At(parameters, batch).Gradient(gradient), options.Repeats, options.BudgetSeconds);
            var perExample = new PerExampleGradient(network);
            Timing oneByOne = MedianTimer.Measure(() => perExample.Compute(parameters, batch), options.Repeats, options.BudgetSeconds);
            rows.Add((depth, width, batchSize, span, batched, oneByOne));
        }

        Dictionary<(int, int, int, int), Timing> pyTorch = options.PyTorch ? RunPyTorch(options.Repeats) : new();
        output.WriteLine($"load after:  {Load()}");
        output.WriteLine();
        output.WriteLine("Gradient (forward + backward), tanh chains with biases then softmax cross-entropy over 4 classes, float64; median ms,");
        output.WriteLine("wall time and (cpu) the timing thread's CPU time, which leaves out waiting for a core on a loaded machine");
        output.WriteLine("| depth | width | batch | LossAndGradient | LossAndGradient cpu | At + Gradient | At + Gradient cpu | per-example | PyTorch 2 threads | PyTorch 1 thread | PyTorch 1 thread cpu | cpu ratio LossAndGradient / PyTorch 1 thread |");
        output.WriteLine("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var row in rows)
        {
            bool hasTwo = pyTorch.TryGetValue((row.Depth, row.Width, row.Batch, 2), out Timing two);
            bool hasOne = pyTorch.TryGetValue((row.Depth, row.Width, row.Batch, 1), out Timing one);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {row.Depth} | {row.Width} | {row.Batch} | {row.Span.Milliseconds:0.000} | {row.Span.CpuMilliseconds:0.000} | {row.Batched.Milliseconds:0.000} | {row.Batched.CpuMilliseconds:0.000} | {row.PerExample.Milliseconds:0.000} | " +
                $"{(hasTwo ? two.Milliseconds.ToString("0.000", CultureInfo.InvariantCulture) : "-")} | " +
                $"{(hasOne ? one.Milliseconds.ToString("0.000", CultureInfo.InvariantCulture) : "-")} | " +
                $"{(hasOne ? one.CpuMilliseconds.ToString("0.000", CultureInfo.InvariantCulture) : "-")} | " +
                $"{(hasOne ? (row.Span.CpuMilliseconds / one.CpuMilliseconds).ToString("0.00", CultureInfo.InvariantCulture) : "-")} |"));
        }

        output.WriteLine();
        output.WriteLine("LossAndGradient: network.LossAndGradient(parameters, batch, gradient), one thread, nothing allocated per call; " +
                         "At + Gradient: network.At(parameters, batch).Gradient(gradient), one thread, the same pass kept in a NetworkPoint; " +
                         "per-example: Forward, BackpropInput and AddParameterGradient per example and layer, one thread; " +
                         "the cpu ratio: LossAndGradient's CPU time over PyTorch's forward + backward on one thread.");
    }

    /// <summary>The load averages of the last 1, 5 and 15 minutes, as <c>uptime</c> shows them.</summary>
    private static string Load() => File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    /// <summary>Runs pytorch/gradient.py on the same chains; the median wall and thread CPU milliseconds by (depth, width, batch, threads).</summary>
    private static Dictionary<(int, int, int, int), Timing> RunPyTorch(int repeats)
    {
        string script = Path.Combine(AppContext.BaseDirectory, "pytorch", "gradient.py");
        var start = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(repeats.ToString(CultureInfo.InvariantCulture));
        foreach ((int depth, int width, int batch) in Chains)
        {
            start.ArgumentList.Add(string.Create(CultureInfo.InvariantCulture, $"{depth}:{width}:{batch}"));
        }

        using Process python = Process.Start(start) ?? throw new InvalidOperationException("Could not start /usr/bin/python3.");
        var times = new Dictionary<(int, int, int, int), Timing>();
        while (python.StandardOutput.ReadLine() is { } line)
        {
            string[] fields = line.Split(' ');
            int Field(int k) => int.Parse(fields[k], CultureInfo.InvariantCulture);
            double Number(int k) => double.Parse(fields[k], CultureInfo.InvariantCulture);
            times[(Field(0), Field(1), Field(2), Field(3))] = new Timing(Number(4), Field(5), Number(6));
        }

        python.WaitForExit();
        if (python.ExitCode != 0)
        {
            throw new InvalidOperationException($"{script} exited with code {python.ExitCode}.");
        }

        return times;
    }

    /// <summary>The gradient through the per-example members only, with its buffers allocated once.</summary>
    private sealed class PerExampleGradient
    {
        private readonly Network network;
        private readonly double[][] activations;
        private readonly double[][] adjoints;
        private readonly double[] gradient;

        public PerExampleGradient(Network network)
        {
            this.network = network;
            activations = network.Layers.Select(layer => new double[layer.InputSize]).Append(new double[1]).ToArray();
            adjoints = network.Layers.Select(layer => new double[layer.OutputSize]).ToArray();
            gradient = new double[network.ParameterCount];
        }

        public void Compute(double[] parameters, Batch batch)
        {
            int depth = network.Depth;
            Array.Clear(gradient);
            for (int n = 0; n < batch.Count; n++)
            {
                batch.Input(n).CopyTo(activations[0]);
                for (int l = 0; l < depth; l++)
                {
                    network.Layers[l].Forward(network.ParameterSlice(parameters, l), activations[l], Data(batch, l, n), activations[l + 1]);
                }

                adjoints[depth - 1][0] = 1.0 / batch.Count;
                for (int l = depth - 1; l >= 0; l--)
                {
                    IHessianLayer layer = network.Layers[l];
                    ReadOnlySpan<double> layerParameters = network.ParameterSlice(parameters, l);
                    layer.AddParameterGradient(layerParameters, activations[l], Data(batch, l, n), adjoints[l], network.ParameterSlice(gradient.AsSpan(), l));
                    if (l > 0)
                    {
                        layer.BackpropInput(layerParameters, activations[l], Data(batch, l, n), adjoints[l], adjoints[l - 1]);
                    }
                }
            }
        }

        private ReadOnlySpan<double> Data(Batch batch, int layer, int example) =>
            layer == network.Depth - 1 ? batch.Data(example) : default;
    }
}
