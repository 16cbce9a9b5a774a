using System;
using System.Linq;
using HessianCodegen.LinearAlgebra;
using Xunit;

namespace HessianCodegen.Tests;

/// <summary>
/// <see cref="VectorKernels.MaxAbs"/> (four maxima side by side, then the vectors left, then the values left) against a plain loop
/// of <see cref="Math.Abs(double)"/> and <see cref="Math.Max(double, double)"/>: every length from empty past four whole vectors
/// and a remainder, the largest magnitude (positive or negative) at every position, and a NaN at every position, which the result
/// must carry wherever it lies.
/// </summary>
public sealed class MaxAbsTests
{
    private const int LongestLength = 45;

    [Fact]
    public void Matches_a_plain_loop_with_the_largest_anywhere()
    {
        var random = new Random(7);
        for (int length = 0; length <= LongestLength; length++)
        {
            double[] values = Enumerable.Range(0, length).Select(_ => random.NextDouble() - 0.5).ToArray();
            Assert.Equal(Plain(values), VectorKernels.MaxAbs(values));
            for (int at = 0; at < length; at++)
            {
                foreach (double largest in new[] { 3.0, -3.0 })
                {
                    double[] withLargest = (double[])values.Clone();
                    withLargest[at] = largest;
                    double result = VectorKernels.MaxAbs(withLargest);
                    Assert.True(result == 3.0, $"length {length}, {largest} at {at}: {result:R}");
                    Assert.Equal(Plain(withLargest), result);
                }
            }
        }
    }

    [Fact]
    public void Carries_a_NaN_from_any_position()
    {
        for (int length = 1; length <= LongestLength; length++)
        {
            for (int at = 0; at < length; at++)
            {
                double[] values = Enumerable.Range(0, length).Select(i => (double)(i + 1)).ToArray();
                values[at] = double.NaN;
                Assert.True(double.IsNaN(VectorKernels.MaxAbs(values)), $"length {length}, NaN at {at}");
            }
        }
    }

    private static double Plain(double[] values)
    {
        double result = 0;
        foreach (double value in values)
        {
            result = Math.Max(result, Math.Abs(value));
        }

        return result;
    }
}
