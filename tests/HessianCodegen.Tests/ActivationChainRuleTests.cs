using System;
using HessianCodegen.LinearAlgebra;
using HessianCodegen.Tests.Infrastructure;
using Xunit;

namespace HessianCodegen.Tests;

/// <summary>
/// The chain rule through an element-wise activation (<see cref="ActivationChainRule"/>) against its scalar
/// formulas, exactly: every length from 0 to 40 (vector bodies and scalar tails), rows of odd widths for the
/// bias direction, with and without the optional spans.
/// </summary>
public sealed class ActivationChainRuleTests
{
    [Fact]
    public void Tangents_add_the_bias_direction_to_every_row_and_multiply_by_the_slopes()
    {
        var random = new Random(3);
        foreach (int width in new[] { 0, 1, 3, 4, 5, 7, 9, 16, 17 })
        {
            for (int length = 0; length <= 40; length++)
            {
                if (width > 0 && length % width != 0)
                {
                    continue;
                }

                double[] slopes = RandomValues.Uniform(random, length), biasDirection = RandomValues.Uniform(random, width), sumTangents = RandomValues.Uniform(random, length);
                double[] argumentTangents = (double[])sumTangents.Clone(), outputTangents = new double[length];
                ActivationChainRule.Tangents(slopes, biasDirection, argumentTangents, outputTangents);
                for (int k = 0; k < length; k++)
                {
                    double argument = width == 0 ? sumTangents[k] : sumTangents[k] + biasDirection[k % width];
                    AssertExact(argument, argumentTangents[k], "argument tangent", k, length, width);
                    AssertExact(slopes[k] * argument, outputTangents[k], "output tangent", k, length, width);
                }
            }
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Adjoint_tangents_are_b_f_second_times_the_argument_tangents_plus_s_f_prime(bool withOutputAdjointTangents)
    {
        var random = new Random(withOutputAdjointTangents ? 4 : 6);
        for (int length = 0; length <= 40; length++)
        {
            double[] b = RandomValues.Uniform(random, length), s = withOutputAdjointTangents ? RandomValues.Uniform(random, length) : [];
            double[] slopes = RandomValues.Uniform(random, length), curvatures = RandomValues.Uniform(random, length), argumentTangents = RandomValues.Uniform(random, length);
            double[] adjoints = new double[length], adjointTangents = new double[length];
            ActivationChainRule.AdjointTangents(b, s, slopes, curvatures, argumentTangents, adjoints, adjointTangents);
            for (int k = 0; k < length; k++)
            {
                double secondOrder = b[k] * curvatures[k] * argumentTangents[k];
                AssertExact(b[k] * slopes[k], adjoints[k], "adjoint", k, length, 0);
                AssertExact(withOutputAdjointTangents ? secondOrder + (s[k] * slopes[k]) : secondOrder, adjointTangents[k], "adjoint-tangent", k, length, 0);
            }
        }
    }

    [Fact]
    public void Spans_of_other_lengths_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => ActivationChainRule.Tangents(new double[6], new double[4], new double[6], new double[6]));
        Assert.Throws<ArgumentException>(() => ActivationChainRule.Tangents(new double[6], new double[3], new double[5], new double[6]));
        Assert.Throws<ArgumentException>(() => ActivationChainRule.AdjointTangents(new double[6], new double[5], new double[6], new double[6], new double[6], new double[6], new double[6]));
        Assert.Throws<ArgumentException>(() => ActivationChainRule.AdjointTangents(new double[6], [], new double[6], new double[6], new double[6], new double[6], new double[7]));
    }

    private static void AssertExact(double expected, double actual, string what, int k, int length, int width) =>
        Assert.True(expected.Equals(actual), $"The {what} {k} of {length} (bias rows of {width}): expected {expected:R}, got {actual:R}.");
}
