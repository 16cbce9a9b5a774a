using System;
using System.Collections.Generic;
using System.Linq;
using HessianCodegen.LinearAlgebra;
using Xunit;

namespace HessianCodegen.Tests;

/// <summary>
/// The vectorized activations of <see cref="ActivationKernels"/> against their scalar definitions, in ulps,
/// over inputs from subnormal to overflowing, both signs, zeros, infinities and NaN; and their slopes against
/// the generator's formulas applied to the values; the slopes and curvatures of the derivative kernels as those
/// formulas applied, exactly, to a value within the value kernel's ulps. (Not to the value kernel's own output
/// on the same sums: two calls were seen to differ by an ulp at one input in 24,000, as when the JIT
/// recompiles <c>Vector256.Exp</c> between them.)
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

    [Theory]
    [InlineData("Tanh")]
    [InlineData("Sigmoid")]
    [InlineData("Relu")]
    public void Derivatives_are_the_generators_formulas_applied_to_a_value_within_the_value_kernels_ulps(string function)
    {
        // The reference value, the ulps the value kernel is allowed, and the generator's f' and f'' written
        // with the value: 1 - t t and -2 t (1 - t t); s (1 - s) and s (1 - s) (1 - 2 s); the step and 0.
        (Kernel Derivatives, Func<double, double> Value, int Ulps, Func<double, double, double> Slope, Func<double, double> Curvature) f = function switch
        {
            "Tanh" => (ActivationKernels.TanhDerivatives, Math.Tanh, 2, (_, t) => 1.0 - (t * t), t => -2.0 * t * (1.0 - (t * t))),
            "Sigmoid" => (ActivationKernels.SigmoidDerivatives, LayerMath.Sigmoid, 4, (_, s) => s * (1.0 - s), s => s * (1.0 - s) * (1.0 - (2.0 * s))),
            _ => (ActivationKernels.ReluDerivatives, LayerMath.Relu, 0, (x, _) => x > 0.0 ? 1.0 : 0.0, _ => 0.0),
        };

        // Every range of inputs in one block; then every length to 40 without bias, and rows of odd widths
        // with one: vector bodies and scalar tails.
        var random = new Random(5);
        var blocks = new List<(double[] Sums, double[] Bias)> { (Inputs(), []) };
        for (int length = 0; length <= 40; length++)
        {
            blocks.Add((Random(random, length, 6.0), []));
        }

        for (int width = 1; width <= 17; width += 2)
        {
            foreach (int rows in new[] { 0, 1, 3, 40 / width })
            {
                blocks.Add((Random(random, rows * width, 6.0), Random(random, width, 2.0)));
            }
        }

        foreach ((double[] sums, double[] bias) in blocks)
        {
            double[] slopes = new double[sums.Length], curvatures = new double[sums.Length];
            f.Derivatives(sums, bias, slopes, curvatures);
            for (int k = 0; k < sums.Length; k++)
            {
                double x = bias.Length == 0 ? sums[k] : sums[k] + bias[k % bias.Length];
                Assert.True(
                    WithinUlps(f.Value(x), f.Ulps).Any(t => f.Slope(x, t).Equals(slopes[k]) && f.Curvature(t).Equals(curvatures[k])),
                    $"{function} at {x:R} ({k} of {sums.Length}, bias {bias.Length}): slope {slopes[k]:R} and curvature {curvatures[k]:R} come from no value within {f.Ulps} ulps of {f.Value(x):R}.");
            }
        }
    }

    [Fact]
    public void Derivatives_reject_spans_of_other_lengths()
    {
        Assert.Throws<ArgumentException>(() => ActivationKernels.TanhDerivatives(new double[6], new double[3], new double[6], new double[5]));
        Assert.Throws<ArgumentException>(() => ActivationKernels.SigmoidDerivatives(new double[6], new double[4], new double[6], new double[6]));
    }

    /// <summary>The doubles at most <paramref name="ulps"/> steps from <paramref name="value"/> (NaN alone for NaN).</summary>
    private static IEnumerable<double> WithinUlps(double value, int ulps)
    {
        yield return value;
        double up = value, down = value;
        for (int k = 0; k < ulps; k++)
        {
            up = Math.BitIncrement(up);
            down = Math.BitDecrement(down);
            yield return up;
            yield return down;
        }
    }

    private static double[] Random(Random random, int length, double range)
    {
        var values = new double[length];
        for (int k = 0; k < length; k++)
        {
            values[k] = (random.NextDouble() - 0.5) * range;
        }

        return values;
    }

    /// <summary>Inputs over every range, in one block without bias, so that most go through the vector path.</summary>
    private static (double[] X, double[] Values, double[] Slopes) Run(Kernel kernel)
    {
        double[] inputs = Inputs(), values = new double[inputs.Length], slopes = new double[inputs.Length];
        kernel(inputs, ReadOnlySpan<double>.Empty, values, slopes);
        return (inputs, values, slopes);
    }

    /// <summary>Zeros, subnormals, both signs, the edges of the kernels' ranges, infinities and NaN, then random magnitudes.</summary>
    private static double[] Inputs()
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

        return x.ToArray();
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
