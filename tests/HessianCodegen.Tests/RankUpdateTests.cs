using System;
using HessianCodegen.LinearAlgebra;
using HessianCodegen.Tests.Infrastructure;
using Xunit;

namespace HessianCodegen.Tests;

/// <summary>
/// <see cref="RankUpdate.SubtractCombinations"/> (two target rows against the same source rows) against the triple loop and against
/// <see cref="RankUpdate.SubtractCombination"/> on each row: lengths below, at and across its paired block of four vectors (16
/// columns at 256 bits, 32 at 512) and the batch-8 products' 64 and 72, with coefficient pairs where one or both are zero.
/// </summary>
public sealed class RankUpdateTests
{
    [Theory]
    [InlineData(1, 3)]
    [InlineData(15, 5)]
    [InlineData(16, 1)]
    [InlineData(37, 7)]
    [InlineData(64, 8)]
    [InlineData(72, 9)]
    [InlineData(128, 4)]
    public void SubtractCombinations_matches_the_triple_loop_and_each_row_alone(int length, int count)
    {
        var random = new Random((length * 100) + count);
        int stride = length + 3;
        double[] rows = RandomValues.Uniform(random, ((count - 1) * stride) + length);
        double[] coefficients0 = RandomValues.Uniform(random, count);
        double[] coefficients1 = RandomValues.Uniform(random, count);

        // Pairs with the first zero, with the second zero, and with both (a source row skipped).
        coefficients0[0] = 0;
        if (count > 1)
        {
            coefficients1[1] = 0;
        }

        if (count > 2)
        {
            coefficients0[2] = 0;
            coefficients1[2] = 0;
        }

        double[] target0 = RandomValues.Uniform(random, length);
        double[] target1 = RandomValues.Uniform(random, length);
        double[] expected0 = Loop(target0, coefficients0, rows, stride);
        double[] expected1 = Loop(target1, coefficients1, rows, stride);
        double[] alone0 = (double[])target0.Clone();
        double[] alone1 = (double[])target1.Clone();
        long flopsAlone = RankUpdate.SubtractCombination(alone0, coefficients0, rows, stride)
            + RankUpdate.SubtractCombination(alone1, coefficients1, rows, stride);

        long flops = RankUpdate.SubtractCombinations(target0, coefficients0, target1, coefficients1, rows, stride);

        Assert.Equal(flopsAlone, flops);
        for (int c = 0; c < length; c++)
        {
            // A zero coefficient's multiply-add adds an exact zero, so the pair equals each row's own combination bit for bit.
            Assert.Equal(alone0[c], target0[c]);
            Assert.Equal(alone1[c], target1[c]);
            Assert.True(Math.Abs(target0[c] - expected0[c]) <= 1e-14 * count, $"row 0, column {c}: {target0[c]:R} against {expected0[c]:R}");
            Assert.True(Math.Abs(target1[c] - expected1[c]) <= 1e-14 * count, $"row 1, column {c}: {target1[c]:R} against {expected1[c]:R}");
        }
    }

    private static double[] Loop(double[] target, double[] coefficients, double[] rows, int stride)
    {
        double[] result = (double[])target.Clone();
        for (int c = 0; c < result.Length; c++)
        {
            for (int k = 0; k < coefficients.Length; k++)
            {
                result[c] -= coefficients[k] * rows[(k * stride) + c];
            }
        }

        return result;
    }
}
