using System;
using System.Linq;
using HessianCodegen.LinearAlgebra;
using HessianCodegen.Tests.Infrastructure;
using Xunit;

namespace HessianCodegen.Tests;

/// <summary>
/// The derivative blocks of <c>y = g(W z + c)</c> over a batch (<see cref="ActivationBlocks"/>), g tanh, sigmoid or
/// ReLU, against central differences: <c>Dx</c>, <c>Dz</c> of the outputs, and <c>Xxx</c>, <c>Xzx</c>, <c>Xzz</c> of
/// the analytic gradient of <c>sum_n b_n . y_n</c> (written here from g and g', not from the kernels' slopes). ReLU's
/// curvature is zero everywhere: its <c>Xzx</c> is the slope term alone (the kernel's zero-curvature skip), its
/// <c>Xxx</c> and <c>Xzz</c> zero; no sum is within 1e-3 of its kink. <c>W</c> and <c>c</c> sit inside a larger
/// parameter vector (other parameters before, between and after), so the offsets are exercised; a layer without a bias too.
/// </summary>
public sealed class ActivationBlocksTests
{
    private const int Count = 3, Inputs = 4, Outputs = 3;

    // Central differences with a step of 1e-5 of values O(1): truncation and round-off errors near 1e-10.
    private const double Step = 1e-5, Tolerance = 1e-8;

    public enum Activation
    {
        Tanh,
        Sigmoid,
        Relu,
    }

    [Theory]
    [InlineData(Activation.Tanh, true)]
    [InlineData(Activation.Tanh, false)]
    [InlineData(Activation.Sigmoid, true)]
    [InlineData(Activation.Sigmoid, false)]
    [InlineData(Activation.Relu, true)]
    [InlineData(Activation.Relu, false)]
    public void BlocksMatchFiniteDifferences(Activation activation, bool withBias)
    {
        // Two unused parameters first, W, one unused, c, two unused: p = 2 + 12 + 1 + 3 + 2.
        int weightsOffset = 2, biasOffset = withBias ? weightsOffset + Outputs * Inputs + 1 : -1;
        int p = weightsOffset + Outputs * Inputs + 1 + Outputs + 2;
        var random = new Random(withBias ? 17 : 19);
        double[] x = Values(random, p), z = Values(random, Count * Inputs), b = Values(random, Count * Outputs);

        for (int e = 0; e < Count * Outputs; e++)
        {
            Assert.True(activation != Activation.Relu || Math.Abs(Argument(x, z, weightsOffset, biasOffset, e / Outputs, e % Outputs)) > 1e-3, "a ReLU sum next to its kink");
        }

        (double[] slopes, double[] curvatures) = Derivatives(activation, x, z, weightsOffset, biasOffset);
        double[] weights = x.AsSpan(weightsOffset, Outputs * Inputs).ToArray();
        double[] dx = new double[Count * Outputs * p], dz = new double[Count * Outputs * Inputs];
        double[] xxx = new double[p * p], xzx = new double[Count * p * Inputs], xzz = new double[Count * Inputs * Inputs];
        ActivationBlocks.AddJacobians(Count, p, weightsOffset, biasOffset, z, weights, slopes, dx, dz);
        ActivationBlocks.AddSecondDerivatives(Count, p, weightsOffset, biasOffset, z, weights, b, slopes, curvatures, xxx, xzx, xzz);

        for (int n = 0; n < Count; n++)
        {
            // Dx_n[i, q] = d y_ni / d x_q and Dz_n[i, j] = d y_ni / d z_nj.
            AssertClose($"Dx of example {n}", Differences(p, (q, h) => Output(activation, Shift(x, q, h), z, weightsOffset, biasOffset), n, Outputs), dx.AsSpan(n * Outputs * p, Outputs * p).ToArray(), Outputs, p);
            AssertClose($"Dz of example {n}", Differences(Inputs, (j, h) => Output(activation, x, Shift(z, n * Inputs + j, h), weightsOffset, biasOffset), n, Outputs), dz.AsSpan(n * Outputs * Inputs, Outputs * Inputs).ToArray(), Outputs, Inputs);

            // Xzx_n[q, k] = d/dz_nk of example n's parameter gradient; Xzz_n[j, k] = d/dz_nk of its input gradient.
            AssertClose($"Xzx of example {n}", Differences(Inputs, (k, h) => Gradients(activation, x, Shift(z, n * Inputs + k, h), b, weightsOffset, biasOffset, n).Parameters), xzx.AsSpan(n * p * Inputs, p * Inputs).ToArray(), p, Inputs);
            AssertClose($"Xzz of example {n}", Differences(Inputs, (k, h) => Gradients(activation, x, Shift(z, n * Inputs + k, h), b, weightsOffset, biasOffset, n).Input), xzz.AsSpan(n * Inputs * Inputs, Inputs * Inputs).ToArray(), Inputs, Inputs);
        }

        // Xxx[q, r] = d/dx_r of the parameter gradient summed over the examples.
        AssertClose("Xxx", Differences(p, (r, h) => Gradients(activation, Shift(x, r, h), z, b, weightsOffset, biasOffset, null).Parameters), xxx, p, p);
    }

    [Fact]
    public void EmptyBlocksAreNotComputedAndSpansOfOtherLengthsAreRejected()
    {
        var random = new Random(23);
        int p = Outputs * Inputs + Outputs;
        double[] x = Values(random, p), z = Values(random, Count * Inputs), b = Values(random, Count * Outputs);
        (double[] slopes, double[] curvatures) = Derivatives(Activation.Tanh, x, z, 0, Outputs * Inputs);
        double[] weights = x.AsSpan(0, Outputs * Inputs).ToArray();
        double[] xxx = new double[p * p], alone = new double[p * p];
        ActivationBlocks.AddSecondDerivatives(Count, p, 0, Outputs * Inputs, z, weights, b, slopes, curvatures, xxx, new double[Count * p * Inputs], new double[Count * Inputs * Inputs]);
        ActivationBlocks.AddSecondDerivatives(Count, p, 0, Outputs * Inputs, z, weights, b, slopes, curvatures, alone, [], []);
        Assert.Equal(xxx, alone);

        Assert.Throws<ArgumentException>(() => ActivationBlocks.AddJacobians(Count, p, 0, Outputs * Inputs, z, weights, slopes, new double[Count * Outputs * p - 1], new double[Count * Outputs * Inputs]));
        Assert.Throws<ArgumentException>(() => ActivationBlocks.AddSecondDerivatives(Count, p, 0, Outputs * Inputs, z, weights, b, slopes, curvatures, new double[p * p], new double[p * Inputs], []));
        Assert.Throws<ArgumentOutOfRangeException>(() => ActivationBlocks.AddJacobians(Count, p - 1, 0, Outputs * Inputs, z, weights, slopes, new double[Count * Outputs * (p - 1)], new double[Count * Outputs * Inputs]));

        // A bias past the parameters or among W's is named as the bias's error, not W's.
        double[] dx = new double[Count * Outputs * p], dz = new double[Count * Outputs * Inputs];
        Assert.Equal("biasOffset", Assert.Throws<ArgumentOutOfRangeException>(() => ActivationBlocks.AddJacobians(Count, p, 0, p - 1, z, weights, slopes, dx, dz)).ParamName);
        Assert.Equal("biasOffset", Assert.Throws<ArgumentOutOfRangeException>(() => ActivationBlocks.AddJacobians(Count, p, 0, Outputs * Inputs - 1, z, weights, slopes, dx, dz)).ParamName);
        Assert.Equal("weightsOffset", Assert.Throws<ArgumentOutOfRangeException>(() => ActivationBlocks.AddJacobians(Count, p, Outputs + 1, 0, z, weights, slopes, dx, dz)).ParamName);
    }

    /// <summary>The slopes and curvatures of the activation at <c>W z + c</c>, by <see cref="ActivationKernels"/>.</summary>
    private static (double[] Slopes, double[] Curvatures) Derivatives(Activation activation, double[] x, double[] z, int weightsOffset, int biasOffset)
    {
        var sums = new double[Count * Outputs];
        for (int n = 0; n < Count; n++)
        {
            for (int i = 0; i < Outputs; i++)
            {
                sums[n * Outputs + i] = Sum(x, z, weightsOffset, n, i);
            }
        }

        double[] slopes = new double[sums.Length], curvatures = new double[sums.Length];
        ReadOnlySpan<double> bias = biasOffset < 0 ? [] : x.AsSpan(biasOffset, Outputs);
        switch (activation)
        {
            case Activation.Tanh:
                ActivationKernels.TanhDerivatives(sums, bias, slopes, curvatures);
                break;
            case Activation.Sigmoid:
                ActivationKernels.SigmoidDerivatives(sums, bias, slopes, curvatures);
                break;
            default:
                ActivationKernels.ReluDerivatives(sums, bias, slopes, curvatures);
                break;
        }

        return (slopes, curvatures);
    }

    private static double Sum(double[] x, double[] z, int weightsOffset, int n, int i)
    {
        double sum = 0;
        for (int j = 0; j < Inputs; j++)
        {
            sum += x[weightsOffset + i * Inputs + j] * z[n * Inputs + j];
        }

        return sum;
    }

    private static double Argument(double[] x, double[] z, int weightsOffset, int biasOffset, int n, int i) =>
        Sum(x, z, weightsOffset, n, i) + (biasOffset < 0 ? 0 : x[biasOffset + i]);

    /// <summary>g(u), written here independently of the kernels.</summary>
    private static double Function(Activation activation, double u) => activation switch
    {
        Activation.Tanh => Math.Tanh(u),
        Activation.Sigmoid => 1 / (1 + Math.Exp(-u)),
        _ => Math.Max(u, 0),
    };

    /// <summary>g'(u), written here independently of the kernels.</summary>
    private static double Slope(Activation activation, double u) => activation switch
    {
        Activation.Tanh => 1 - (Math.Tanh(u) * Math.Tanh(u)),
        Activation.Sigmoid => Function(activation, u) * (1 - Function(activation, u)),
        _ => u > 0 ? 1 : 0,
    };

    /// <summary><c>y = g(W z + c)</c> of every example, one row each.</summary>
    private static double[] Output(Activation activation, double[] x, double[] z, int weightsOffset, int biasOffset) =>
        Enumerable.Range(0, Count * Outputs).Select(e => Function(activation, Argument(x, z, weightsOffset, biasOffset, e / Outputs, e % Outputs))).ToArray();

    /// <summary>
    /// The exact gradients of <c>sum_n b_n . y_n</c> (of example <paramref name="only"/> alone, when given): in the
    /// parameters, and in that example's input.
    /// </summary>
    private static (double[] Parameters, double[] Input) Gradients(Activation activation, double[] x, double[] z, double[] b, int weightsOffset, int biasOffset, int? only)
    {
        var parameters = new double[x.Length];
        var input = new double[Inputs];
        for (int n = 0; n < Count; n++)
        {
            if (only is { } example && example != n)
            {
                continue;
            }

            for (int i = 0; i < Outputs; i++)
            {
                double adjoint = b[n * Outputs + i] * Slope(activation, Argument(x, z, weightsOffset, biasOffset, n, i));
                for (int j = 0; j < Inputs; j++)
                {
                    parameters[weightsOffset + i * Inputs + j] += adjoint * z[n * Inputs + j];
                    input[j] += adjoint * x[weightsOffset + i * Inputs + j];
                }

                if (biasOffset >= 0)
                {
                    parameters[biasOffset + i] += adjoint;
                }
            }
        }

        return (parameters, input);
    }

    /// <summary>
    /// Column k is the central difference of <paramref name="f"/> (called with k and a signed step) along k, its rows
    /// those of example <paramref name="example"/> when <paramref name="rows"/> is given, else all: row-major.
    /// </summary>
    private static double[] Differences(int columns, Func<int, double, double[]> f, int example = 0, int rows = -1)
    {
        double[][] differences = Enumerable.Range(0, columns).Select(k =>
        {
            double[] plus = f(k, Step), minus = f(k, -Step);
            int width = rows < 0 ? plus.Length : rows;
            int first = rows < 0 ? 0 : example * width;
            return Enumerable.Range(first, width).Select(r => (plus[r] - minus[r]) / (2 * Step)).ToArray();
        }).ToArray();
        int height = differences[0].Length;
        var matrix = new double[height * columns];
        for (int r = 0; r < height; r++)
        {
            for (int k = 0; k < columns; k++)
            {
                matrix[r * columns + k] = differences[k][r];
            }
        }

        return matrix;
    }

    private static double[] Shift(double[] values, int index, double delta)
    {
        double[] shifted = (double[])values.Clone();
        shifted[index] += delta;
        return shifted;
    }

    private static void AssertClose(string block, double[] expected, double[] actual, int rows, int columns)
    {
        Assert.Equal(rows * columns, actual.Length);
        double error = Norms.RelativeError(actual, expected);
        Assert.True(error <= Tolerance, $"{block} ({rows} x {columns}): relative error {error:E2} against central differences.");
    }

    private static double[] Values(Random random, int length) => Enumerable.Range(0, length).Select(_ => 2 * random.NextDouble() - 1).ToArray();
}
