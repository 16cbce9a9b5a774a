using System;
using HessianCodegen.LinearAlgebra;
using Xunit;

namespace HessianCodegen.Tests;

/// <summary>
/// <see cref="MatrixKernels.SubtractProduct"/> against the triple loop for each kind of left factor it treats
/// its own way: dense rows, a layer's <c>Dx^T</c> (runs of rows sharing evenly spaced non-zeros, then single
/// bias-like rows), runs whose non-zeros are not evenly spaced, and zero rows.
/// </summary>
public sealed class SubtractProductTests
{
    [Theory]
    [InlineData("dense", 7, 9, 13)]
    [InlineData("layer", 40, 64, 70)]
    [InlineData("layer", 9, 8, 3)]
    [InlineData("uneven", 12, 30, 17)]
    [InlineData("zero", 6, 10, 5)]
    public void Matches_the_triple_loop(string kind, int rows, int inner, int columns)
    {
        var random = new Random(rows + inner + columns);
        int aStride = inner + 2, bStride = columns + 3, cStride = columns + 1;
        var a = new double[rows * aStride];
        for (int i = 0; i < rows; i++)
        {
            for (int k = 0; k < inner; k++)
            {
                bool nonZero = kind switch
                {
                    "dense" => true,
                    // Rows in runs of up to 8 (i / 9 picks the run's output), non-zeros every 4th position from it; row 8 of each 9 alone.
                    "layer" => i % 9 == 8 ? k % 4 == (i / 9 + 1) % 4 : k % 4 == (i / 9) % 4,
                    "uneven" => k == 1 || k == 2 || k == 7 || k == 20,
                    _ => false,
                };
                a[(i * aStride) + k] = nonZero ? random.NextDouble() - 0.5 : 0;
            }
        }

        double[] b = RandomValues(random, inner * bStride);
        double[] c = RandomValues(random, rows * cStride);
        double[] expected = (double[])c.Clone();
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < columns; j++)
            {
                double sum = 0;
                for (int k = 0; k < inner; k++)
                {
                    sum += a[(i * aStride) + k] * b[(k * bStride) + j];
                }

                expected[(i * cStride) + j] -= sum;
            }
        }

        MatrixKernels.SubtractProduct(c, cStride, a, aStride, b, bStride, rows, inner, columns);
        for (int index = 0; index < c.Length; index++)
        {
            Assert.True(Math.Abs(c[index] - expected[index]) <= 1e-13 * (1 + inner),
                $"{kind}: c[{index / cStride}, {index % cStride}] = {c[index]}, expected {expected[index]}");
        }
    }

    private static double[] RandomValues(Random random, int length)
    {
        var values = new double[length];
        for (int i = 0; i < length; i++)
        {
            values[i] = random.NextDouble() - 0.5;
        }

        return values;
    }
}
