using System;
using Xunit;

namespace HessianCodegen.Tests.Infrastructure;

/// <summary>
/// A triangular product <c>C = alpha op(A) op(B) + beta C</c> on one triangle of <c>C</c> against the triple loop, with the
/// other triangle left as it was, over both triangles, all four transposes and the given (alpha, beta), on strided operands.
/// </summary>
internal static class TriangularProductCheck
{
    /// <summary>The product under test, in <c>TriangularGemm.Multiply</c>'s argument order.</summary>
    public delegate void Multiply(bool upper, bool transposeA, bool transposeB, int order, int inner, double alpha,
        double[] a, int aStride, double[] b, int bStride, double beta, double[] c, int cStride);

    public static void FormsOneTriangleAndLeavesTheOther(Multiply multiply, int order, int inner, Random random, (double Alpha, double Beta)[] scalings)
    {
        foreach (bool upper in new[] { true, false })
        {
            foreach (bool transposeA in new[] { false, true })
            {
                foreach (bool transposeB in new[] { false, true })
                {
                    foreach ((double alpha, double beta) in scalings)
                    {
                        int aStride = (transposeA ? order : inner) + 2;
                        int bStride = (transposeB ? inner : order) + 1;
                        int cStride = order + 3;
                        double[] a = RandomValues.Uniform(random, (transposeA ? inner : order) * aStride);
                        double[] b = RandomValues.Uniform(random, (transposeB ? order : inner) * bStride);
                        double[] c = RandomValues.Uniform(random, order * cStride);
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

                        multiply(upper, transposeA, transposeB, order, inner, alpha, a, aStride, b, bStride, beta, c, cStride);
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
}
