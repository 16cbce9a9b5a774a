using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using HessianCodegen;

namespace Benchmarks;

/// <summary>
/// Issue 9's <c>H v</c> table: <c>point.HessianVector(v, result)</c> through the layers' batched sweeps
/// (<c>TangentBatch</c>, <c>SecondOrderBatch</c>) against the per-example path they replaced, on the target
/// chain (depth 64, width 16, batch 8) and the gradient report's tanh chains. The per-example path is the
/// same network with every layer wrapped in a <see cref="PerExampleLayer"/>, which runs the contract's
/// per-example defaults. The point is built once, outside the timing.
/// </summary>
internal static class HessianVectorReport
{
    private static readonly (int Depth, int Width, int Batch)[] Chains = [(64, 16, 8), (64, 8, 1), (16, 8, 64), (16, 16, 256), (8, 64, 128)];

    public static void Run(BenchmarkOptions options, TextWriter output)
    {
        output.WriteLine($"load before: {Load()}");
        var rows = new List<(int Depth, int Width, int Batch, Timing Batched, Timing PerExample)>();
        foreach ((int depth, int width, int batchSize) in Chains)
        {
            Network network = BenchmarkNetworks.TanhChain(width, depth);
            var perExampleNetwork = new Network(network.Layers.Select(layer => (IHessianLayer)new PerExampleLayer(layer)).ToArray());
            double[] parameters = network.RandomParameters(seed: depth);
            Batch batch = ChainBenchmark.RandomBatch(width, batchSize, seed: width);
            var random = new Random(depth + width);
            double[] v = Enumerable.Range(0, network.ParameterCount).Select(_ => 2 * random.NextDouble() - 1).ToArray();
            var result = new double[network.ParameterCount];
            NetworkPoint point = network.At(parameters, batch);
            NetworkPoint perExamplePoint = perExampleNetwork.At(parameters, batch);
            Timing batched = MedianTimer.Measure(() => point.HessianVector(v, result), options.Repeats, options.BudgetSeconds);
            Timing oneByOne = MedianTimer.Measure(() => perExamplePoint.HessianVector(v, result), options.Repeats, options.BudgetSeconds);
            rows.Add((depth, width, batchSize, batched, oneByOne));
        }

        output.WriteLine($"load after:  {Load()}");
        output.WriteLine();
        output.WriteLine("H v (forward tangent + backward adjoint-tangent sweeps), tanh chains with biases then softmax cross-entropy over 4 classes,");
        output.WriteLine("float64, one thread; median ms, wall time and (cpu) the timing thread's CPU time");
        output.WriteLine("| depth | width | batch | batched | batched cpu | per-example | per-example cpu | speed-up (cpu) |");
        output.WriteLine("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var row in rows)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {row.Depth} | {row.Width} | {row.Batch} | {row.Batched.Milliseconds:0.000} | {row.Batched.CpuMilliseconds:0.000} | " +
                $"{row.PerExample.Milliseconds:0.000} | {row.PerExample.CpuMilliseconds:0.000} | {row.PerExample.CpuMilliseconds / row.Batched.CpuMilliseconds:0.00} |"));
        }
    }

    /// <summary>The load averages of the last 1, 5 and 15 minutes, as <c>uptime</c> shows them.</summary>
    private static string Load() => File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    /// <summary>A layer seen through its per-example members only, so a network of them runs the contract's per-example defaults.</summary>
    private sealed class PerExampleLayer(IHessianLayer inner) : IHessianLayer
    {
        public int InputSize => inner.InputSize;

        public int OutputSize => inner.OutputSize;

        public int ParameterCount => inner.ParameterCount;

        public bool IsLoss => inner.IsLoss;

        public int DataSize => inner.DataSize;

        public IReadOnlyList<ParameterBlock> ParameterLayout => inner.ParameterLayout;

        public IReadOnlyList<DataField> DataLayout => inner.DataLayout;

        public void Forward(ReadOnlySpan<double> parameters, ReadOnlySpan<double> input, ReadOnlySpan<double> data, Span<double> output) =>
            inner.Forward(parameters, input, data, output);

        public void BackpropInput(ReadOnlySpan<double> parameters, ReadOnlySpan<double> input, ReadOnlySpan<double> data,
            ReadOnlySpan<double> outputAdjoint, Span<double> inputAdjoint) =>
            inner.BackpropInput(parameters, input, data, outputAdjoint, inputAdjoint);

        public void AddParameterGradient(ReadOnlySpan<double> parameters, ReadOnlySpan<double> input, ReadOnlySpan<double> data,
            ReadOnlySpan<double> outputAdjoint, Span<double> parameterGradient) =>
            inner.AddParameterGradient(parameters, input, data, outputAdjoint, parameterGradient);

        public void Tangent(ReadOnlySpan<double> parameters, ReadOnlySpan<double> input, ReadOnlySpan<double> data,
            ReadOnlySpan<double> inputTangent, ReadOnlySpan<double> parameterDirection, Span<double> outputTangent) =>
            inner.Tangent(parameters, input, data, inputTangent, parameterDirection, outputTangent);

        public void SecondOrderInput(ReadOnlySpan<double> parameters, ReadOnlySpan<double> input, ReadOnlySpan<double> data,
            ReadOnlySpan<double> outputAdjoint, ReadOnlySpan<double> inputTangent, ReadOnlySpan<double> parameterDirection, Span<double> result) =>
            inner.SecondOrderInput(parameters, input, data, outputAdjoint, inputTangent, parameterDirection, result);

        public void AddSecondOrderParameters(ReadOnlySpan<double> parameters, ReadOnlySpan<double> input, ReadOnlySpan<double> data,
            ReadOnlySpan<double> outputAdjoint, ReadOnlySpan<double> inputTangent, ReadOnlySpan<double> parameterDirection, Span<double> result) =>
            inner.AddSecondOrderParameters(parameters, input, data, outputAdjoint, inputTangent, parameterDirection, result);

        public void AddJacobians(ReadOnlySpan<double> parameters, ReadOnlySpan<double> input, ReadOnlySpan<double> data, Span<double> dx, Span<double> dz) =>
            inner.AddJacobians(parameters, input, data, dx, dz);

        public void AddSecondDerivatives(ReadOnlySpan<double> parameters, ReadOnlySpan<double> input, ReadOnlySpan<double> data,
            ReadOnlySpan<double> outputAdjoint, Span<double> xxx, Span<double> xzx, Span<double> xzz) =>
            inner.AddSecondDerivatives(parameters, input, data, outputAdjoint, xxx, xzx, xzz);
    }
}
