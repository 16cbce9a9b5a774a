using System;
using HessianCodegen.LinearAlgebra;
using Xunit;

namespace HessianCodegen.Tests;

/// <summary>
/// <see cref="ParallelTriangularGemm"/> against the triple loop on its triangle, and the other triangle left as it was: sizes past
/// its threshold (split between two cores, at odd orders whose cut is not a multiple of the band) and below it.
/// </summary>
public sealed class ParallelTriangularGemmTests
{
    [Theory]
    [InlineData(131, 250)]
    [InlineData(200, 101)]
    [InlineData(97, 430)]
    [InlineData(49, 9)]
    public void Forms_one_triangle_and_leaves_the_other(int order, int inner)
    {
        var random = new Random((order * 1000) + inner);
        foreach (bool upper in new[] { true, false })
        {
            foreach (bool transposeA in new[] { false, true })
            {
                foreach (bool transposeB in new[] { false, true })
                {
                    foreach ((double alpha, double beta) in new[] { (-1.0, 1.0), (0.5, 0.0) })
                    {
                        int aStride = (transposeA ? order : inner) + 2;
                        int bStride = (transposeB ? inner : order) + 1;
                        int cStride = order + 3;
                        double[] a = RandomValues(random, (transposeA ? inner : order) * aStride);
                        double[] b = RandomValues(random, (transposeB ? order : inner) * bStride);
                        double[] c = RandomValues(random, order * cStride);
                        double[] expected = (double[])c.Clone();
                        for (int i = 0; i < order; i++)
                        {
                            for (int j = upper ? i : 0; j < (upper ? order : i + 1); j++)
                            {
                                double sum = 0;
                                for (int k = 0; k < inner; k++)
                                {
                                    sum += (transposeA ? a[(k * aStride) + i] : a[(i * aStride) + k]) * (transposeB ? b[(j * bStride) + k] : b[(k * bStride) + j]);
                                }

                                expected[(i * cStride) + j] = (beta == 0 ? 0 : beta * c[(i * cStride) + j]) + (alpha * sum);
                            }
                        }

                        ParallelTriangularGemm.Multiply(upper, transposeA, transposeB, order, inner, alpha, a, aStride, b, bStride, beta, c, cStride);
                        for (int index = 0; index < c.Length; index++)
                        {
                            Assert.True(Math.Abs(c[index] - expected[index]) <= 1e-13 * (1 + inner) * Math.Max(1, Math.Abs(expected[index])),
                                $"{(upper ? "upper" : "lower")}, op(a) {(transposeA ? "T" : "N")}, op(b) {(transposeB ? "T" : "N")}, alpha {alpha}, beta {beta}: " +
                                $"c[{index / cStride}, {index % cStride}] = {c[index]}, expected {expected[index]}");
                        }
                    }
                }
            }
        }
    }

    private static double[] RandomValues(Random random, int length)
    {
        var values = new double[length];
        for (int i = 0; i < length; i++)
        {
            values[i] = (2 * random.NextDouble()) - 1;
        }

        return values;
    }
}
