using System;
using Xunit;

namespace HessianCodegen.Tests.Infrastructure;

/// <summary>
/// An update <c>C += alpha A^T B</c> on the upper triangle of <c>C</c> (<c>A</c>, <c>B</c> stored <c>inner x order</c>)
/// against the triple loop, with the strict lower triangle and the padding left as they were, on strided operands.
/// </summary>
internal static class UpperUpdateCheck
{
    /// <summary>The update under test: <c>c += alpha a^T b</c> on the upper triangle of order <c>order</c>.</summary>
    public delegate void Update(int order, int inner, double alpha, double[] a, int aStride, double[] b, int bStride, double[] c, int cStride);

    public static void AddsToTheUpperTriangleOnly(int order, int inner, Update update)
    {
        var random = new Random((order * 1000) + inner);
        int aStride = order + 2;
        int bStride = order + 1;
        int cStride = order + 3;
        double[] a = RandomValues.Uniform(random, inner * aStride);
        double[] b = RandomValues.Uniform(random, inner * bStride);
        double[] c = RandomValues.Uniform(random, order * cStride);
        double[] expected = (double[])c.Clone();
        const double alpha = -0.75;
        for (int i = 0; i < order; i++)
        {
            for (int j = i; j < order; j++)
            {
                double sum = 0;
                for (int k = 0; k < inner; k++)
                {
                    sum += a[(k * aStride) + i] * b[(k * bStride) + j];
                }

                expected[(i * cStride) + j] += alpha * sum;
            }
        }

        update(order, inner, alpha, a, aStride, b, bStride, c, cStride);

        for (int index = 0; index < c.Length; index++)
        {
            Assert.True(Math.Abs(c[index] - expected[index]) <= 1e-13 * (1 + inner) * Math.Max(1, Math.Abs(expected[index])),
                $"c[{index / cStride}, {index % cStride}] = {c[index]}, expected {expected[index]}");
        }
    }
}
