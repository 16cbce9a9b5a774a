using System;
using HessianCodegen.LinearAlgebra;
using Xunit;

namespace HessianCodegen.Tests;

/// <summary><see cref="Gemm"/> against the textbook triple loop, over shapes that cross every blocking edge.</summary>
public sealed class GemmTests
{
    public static TheoryData<int, int, int> Shapes => new()
    {
        { 1, 1, 1 }, { 3, 5, 7 }, { 8, 8, 8 }, { 17, 13, 29 }, { 64, 48, 33 }, { 130, 67, 257 }, { 5, 300, 2 }, { 0, 4, 3 }, { 4, 3, 0 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Matches_the_triple_loop_for_every_transpose_alpha_and_beta(int rows, int columns, int inner)
    {
        var random = new Random((rows * 1000) + (columns * 10) + inner);
        foreach (bool transposeA in new[] { false, true })
        {
            foreach (bool transposeB in new[] { false, true })
            {
                foreach ((double alpha, double beta) in new[] { (1.0, 0.0), (-1.0, 1.0), (0.5, -2.0) })
                {
                    // Padded strides: the kernel must read only the rows' first columns.
                    int aStride = (transposeA ? rows : inner) + 3;
                    int bStride = (transposeB ? inner : columns) + 2;
                    int cStride = columns + 1;
                    double[] a = RandomValues(random, (transposeA ? inner : rows) * aStride);
                    double[] b = RandomValues(random, (transposeB ? columns : inner) * bStride);
                    double[] c = RandomValues(random, rows * cStride);
                    if (beta == 0)
                    {
                        Array.Fill(c, double.NaN);
                    }

                    double[] expected = (double[])c.Clone();
                    for (int i = 0; i < rows; i++)
                    {
                        for (int j = 0; j < columns; j++)
                        {
                            double sum = 0;
                            for (int k = 0; k < inner; k++)
                            {
                                double left = transposeA ? a[(k * aStride) + i] : a[(i * aStride) + k];
                                double right = transposeB ? b[(j * bStride) + k] : b[(k * bStride) + j];
                                sum += left * right;
                            }

                            double old = beta == 0 ? 0 : beta * c[(i * cStride) + j];
                            expected[(i * cStride) + j] = old + (alpha * sum);
                        }
                    }

                    Gemm.Multiply(transposeA, transposeB, rows, columns, inner, alpha, a, aStride, b, bStride, beta, c, cStride);
                    for (int index = 0; index < c.Length; index++)
                    {
                        double tolerance = 1e-13 * (1 + inner) * Math.Max(1, Math.Abs(expected[index]));
                        Assert.True(Math.Abs(c[index] - expected[index]) <= tolerance || (double.IsNaN(expected[index]) && double.IsNaN(c[index])),
                            $"op(a) {(transposeA ? "T" : "N")}, op(b) {(transposeB ? "T" : "N")}, alpha {alpha}, beta {beta}: c[{index}] = {c[index]}, expected {expected[index]}");
                    }
                }
            }
        }
    }

    [Fact]
    public void Rejects_a_span_too_short_for_its_shape()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            Gemm.Multiply(false, false, 4, 4, 4, 1, new double[15], 4, new double[16], 4, 0, new double[16], 4));
        Assert.Contains("a is stored as 4 x 4", error.Message);
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
