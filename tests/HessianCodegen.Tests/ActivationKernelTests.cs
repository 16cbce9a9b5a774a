using System;
using System.Collections.Generic;
using HessianCodegen.LinearAlgebra;
using Xunit;

namespace HessianCodegen.Tests;

/// <summary>
/// The vectorized activations of <see cref="ActivationKernels"/> against their scalar definitions, in ulps,
/// over inputs from subnormal to overflowing, both signs, zeros, infinities and NaN; and their slopes against
/// the generator's formulas applied to the values.
/// </summary>
public sealed class ActivationKernelTests
{
    private delegate void Kernel(ReadOnlySpan<double> sums, ReadOnlySpan<double> bias, Span<double> values, Span<double> slopes);

    [Fact]
    public void Tanh_is_within_two_ulps_of_Math_Tanh_and_its_slope_is_one_minus_its_square()
    {
        (double[] x, double[] values, double[] slopes) = Run(ActivationKernels.Tanh);
        for (int k = 0; k < x.Length; k++)
        {
            AssertUlps(Math.Tanh(x[k]), values[k], 2, x[k]);
            Assert.Equal(1.0 - (values[k] * values[k]), slopes[k]);
        }
    }

    [Fact]
    public void Sigmoid_is_within_four_ulps_of_LayerMath_and_its_slope_is_s_times_one_minus_s()
    {
        (double[] x, double[] values, double[] slopes) = Run(ActivationKernels.Sigmoid);
        for (int k = 0; k < x.Length; k++)
        {
            AssertUlps(LayerMath.Sigmoid(x[k]), values[k], 4, x[k]);
            Assert.Equal(values[k] * (1.0 - values[k]), slopes[k]);
        }
    }

    [Fact]
    public void Relu_and_its_step_are_exact()
    {
        (double[] x, double[] values, double[] slopes) = Run(ActivationKernels.Relu);
        for (int k = 0; k < x.Length; k++)
        {
            Assert.Equal(LayerMath.Relu(x[k]), values[k]);
            Assert.Equal(x[k] > 0.0 ? 1.0 : 0.0, slopes[k]);
        }
    }

    [Fact]
    public void The_bias_is_added_to_every_row_and_rows_shorter_than_a_vector_work()
    {
        var random = new Random(9);
        foreach (int width in new[] { 1, 3, 4, 7, 16 })
        {
            const int count = 5;
            double[] sums = new double[count * width], bias = new double[width];
            for (int k = 0; k < sums.Length; k++)
            {
                sums[k] = (random.NextDouble() * 6.0) - 3.0;
            }

            for (int k = 0; k < width; k++)
            {
                bias[k] = (random.NextDouble() * 2.0) - 1.0;
            }

            double[] values = new double[sums.Length], slopes = new double[sums.Length];
            ActivationKernels.Tanh(sums, bias, values, slopes);
            for (int k = 0; k < sums.Length; k++)
            {
                AssertUlps(Math.Tanh(sums[k] + bias[k % width]), values[k], 2, sums[k] + bias[k % width]);
            }
        }
    }

    /// <summary>Inputs over every range, in one block without bias, so that most go through the vector path.</summary>
    private static (double[] X, double[] Values, double[] Slopes) Run(Kernel kernel)
    {
        var x = new List<double>
        {
            0.0, -0.0, double.Epsilon, -double.Epsilon, 1e-310, 1e-300, -1e-200, 1e-20, 1e-8, -1e-8, 0.624999, 0.625, -0.625, 0.6250001,
            1e300, -1e300, double.MaxValue, double.MinValue, double.PositiveInfinity, double.NegativeInfinity, double.NaN, 19.0, 20.0, -37.0, 709.0, -745.0, 800.0,
        };
        var random = new Random(1);
        for (int k = 0; k < 20000; k++)
        {
            // Magnitudes from 1e-12 to 1e3, uniformly in the exponent, both signs.
            double magnitude = Math.Pow(10.0, (random.NextDouble() * 15.0) - 12.0);
            x.Add(random.Next(2) == 0 ? magnitude : -magnitude);
        }

        for (int k = 0; k < 4000; k++)
        {
            x.Add((random.NextDouble() * 4.0) - 2.0);
        }

        double[] inputs = x.ToArray(), values = new double[inputs.Length], slopes = new double[inputs.Length];
        kernel(inputs, ReadOnlySpan<double>.Empty, values, slopes);
        return (inputs, values, slopes);
    }

    private static void AssertUlps(double expected, double actual, long bound, double x)
    {
        if (double.IsNaN(expected) || double.IsNaN(actual))
        {
            Assert.True(double.IsNaN(expected) && double.IsNaN(actual), $"f({x:R}): expected {expected:R}, got {actual:R}.");
            return;
        }

        // Zeros must agree in sign too; elsewhere count the doubles between the two.
        long distance = Math.Sign(expected) * (long)Math.Sign(actual) < 0 || (expected == 0.0 && actual == 0.0 && BitConverter.DoubleToInt64Bits(expected) != BitConverter.DoubleToInt64Bits(actual))
            ? long.MaxValue
            : Math.Abs(Ordered(expected) - Ordered(actual));
        Assert.True(distance <= bound, $"f({x:R}): expected {expected:R}, got {actual:R}, {distance} ulps apart.");
    }

    // The doubles as integers in their order, so that neighbours differ by one.
    private static long Ordered(double value)
    {
        long bits = BitConverter.DoubleToInt64Bits(value);
        return bits < 0 ? long.MinValue - bits : bits;
    }
}
