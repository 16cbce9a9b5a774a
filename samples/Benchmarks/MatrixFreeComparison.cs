using System;
using System.Globalization;
using System.IO;
using HessianCodegen;
using HessianCodegen.LinearAlgebra;

namespace Benchmarks;

/// <summary>
/// Two ways to form <c>Dx^T P Dx</c> for one hidden layer of a tanh chain, the product that makes the
/// Riccati pivot block: the sparse kernels the factorization uses (products with <c>Dx^T</c> visit its
/// non-zeros), and the generated matrix-free <c>AddParameterGradient</c> (<c>b Dx</c> for one example),
/// called once per example for every column of <c>P</c> and then of <c>P Dx</c>.
/// </summary>
internal static class MatrixFreeComparison
{
    public static void Run(int width, int depth, int batchSize, BenchmarkOptions options, TextWriter output)
    {
        Network network = ChainBenchmark.Chain(width, depth);
        NetworkPoint point = network.At(network.RandomParameters(seed: depth), ChainBenchmark.RandomBatch(width, batchSize, seed: width));
        HessianDerivatives derivatives = point.Derivatives();
        int layerIndex = depth / 2;
        LayerDerivatives blocks = derivatives.Layer(layerIndex);
        IHessianLayer layer = network.Layers[layerIndex];
        int p = blocks.ParameterCount;
        int a = blocks.OutputSize;
        int m = batchSize * a;
        var random = new Random(1);
        var value = new double[m * m];
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j <= i; j++)
            {
                value[(i * m) + j] = value[(j * m) + i] = random.NextDouble() - 0.5;
            }
        }

        var jacobianT = new double[p * m];
        var weighted = new double[p * m];
        var weightedT = new double[m * p];
        var byKernels = new double[p * p];
        var valueDx = new double[m * p];
        var byProducts = new double[p * p];
        var column = new double[m];
        var product = new double[p];

        Timing kernels = MedianTimer.Measure(() =>
        {
            MatrixKernels.Transpose(blocks.Dx, m, p, jacobianT);
            Array.Clear(weighted);
            MatrixKernels.SubtractProduct(weighted, m, jacobianT, m, value, m, p, m, m);
            MatrixKernels.Transpose(weighted, p, m, weightedT);
            Array.Clear(byKernels);
            MatrixKernels.SubtractProduct(byKernels, p, jacobianT, m, weightedT, p, p, m, p);
        }, options.Repeats, options.BudgetSeconds);

        Timing products = MedianTimer.Measure(() =>
        {
            ReadOnlySpan<double> parameters = point.LayerParameters(layerIndex);

            // Row r of P Dx is (Dx^T P e_r)^T = sum over examples of Dx_e^T P[r, example block] (P is symmetric).
            Array.Clear(valueDx);
            for (int r = 0; r < m; r++)
            {
                for (int e = 0; e < batchSize; e++)
                {
                    layer.AddParameterGradient(parameters, point.Input(layerIndex, e), default, value.AsSpan((r * m) + (e * a), a), valueDx.AsSpan(r * p, p));
                }
            }

            // Column j of Dx^T (P Dx).
            for (int j = 0; j < p; j++)
            {
                for (int r = 0; r < m; r++)
                {
                    column[r] = valueDx[(r * p) + j];
                }

                Array.Clear(product);
                for (int e = 0; e < batchSize; e++)
                {
                    layer.AddParameterGradient(parameters, point.Input(layerIndex, e), default, column.AsSpan(e * a, a), product);
                }

                for (int i = 0; i < p; i++)
                {
                    byProducts[(i * p) + j] = product[i];
                }
            }
        }, options.Repeats, options.BudgetSeconds);

        double difference = 0;
        double largest = 0;
        for (int i = 0; i < p * p; i++)
        {
            difference = Math.Max(difference, Math.Abs(byKernels[i] - byProducts[i]));
            largest = Math.Max(largest, Math.Abs(byProducts[i]));
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Dx^T P Dx, layer {layerIndex} of a width-{width} tanh chain, batch {batchSize} (p {p}, m {m}): sparse kernels {kernels.Milliseconds:0.000} ms, " +
            $"generated AddParameterGradient {products.Milliseconds:0.000} ms, ratio {products.Milliseconds / kernels.Milliseconds:0.0}; " +
            $"largest difference {difference / largest:0.0E+00} relative"));
    }
}
