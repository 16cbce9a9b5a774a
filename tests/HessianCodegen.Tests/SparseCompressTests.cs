using System;
using HessianCodegen.LinearAlgebra;
using Xunit;

namespace HessianCodegen.Tests;

/// <summary>
/// <see cref="SparseRankUpdate.Compress"/> against the plain loop: the positions and values of the non-zeros, in order, on lengths
/// beside its vectors of four, with negative zero counted as zero and NaN as a non-zero.
/// </summary>
public sealed class SparseCompressTests
{
    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 1)]
    [InlineData(3, 2)]
    [InlineData(4, 1)]
    [InlineData(7, 3)]
    [InlineData(513, 8)]
    [InlineData(130, 1)]
    public void Keeps_the_non_zeros_in_order(int length, int spacing)
    {
        var random = new Random((length * 10) + spacing);
        var coefficients = new double[length];
        for (int k = 0; k < length; k++)
        {
            int kind = random.Next(6);
            coefficients[k] = k % spacing != 0 ? 0 : kind switch
            {
                0 => 0.0,
                1 => -0.0,
                2 => double.NaN,
                _ => (2 * random.NextDouble()) - 1,
            };
        }

        var indices = new int[length];
        var values = new double[length];
        int count = SparseRankUpdate.Compress(coefficients, indices, values);
        int expected = 0;
        for (int k = 0; k < length; k++)
        {
            if (coefficients[k] != 0)
            {
                Assert.True(expected < count, $"non-zero {expected} at {k} was not kept (count {count})");
                Assert.Equal(k, indices[expected]);
                Assert.Equal(BitConverter.DoubleToInt64Bits(coefficients[k]), BitConverter.DoubleToInt64Bits(values[expected]));
                expected++;
            }
        }

        Assert.Equal(expected, count);
    }
}
