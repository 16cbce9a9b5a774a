using System;
using HessianCodegen.LinearAlgebra;
using Xunit;

namespace HessianCodegen.Tests;

/// <summary>
/// <see cref="ParallelSubtractProduct"/> against the triple loop, past its threshold (the columns split between two cores, odd
/// widths included) and below it, for a dense left factor and a layer's <c>Dx^T</c> (one non-zero per example in each row).
/// </summary>
public sealed class ParallelSubtractProductTests
{
    [Theory]
    [InlineData("dense", 30, 130, 300)]
    [InlineData("dense", 31, 129, 301)]
    [InlineData("layer", 72, 512, 512)]
    [InlineData("layer", 9, 63, 65)]
    [InlineData("dense", 7, 8, 1)]
    public void Matches_the_triple_loop(string kind, int rows, int inner, int columns)
    {
        var random = new Random((rows * 7) + inner + columns);
        int aStride = inner + 2, bStride = columns + 3, cStride = columns + 1;
        var a = new double[rows * aStride];
        for (int i = 0; i < rows; i++)
        {
            for (int k = 0; k < inner; k++)
            {
                // A layer's Dx^T of 8 outputs: row i belongs to output i / 9, which appears every 8th position.
                bool nonZero = kind == "dense" || k % 8 == (i / 9) % 8;
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

        ParallelSubtractProduct.SubtractProduct(c, cStride, a, aStride, b, bStride, rows, inner, columns);
        for (int index = 0; index < c.Length; index++)
        {
            Assert.True(Math.Abs(c[index] - expected[index]) <= 1e-13 * (1 + inner) * Math.Max(1, Math.Abs(expected[index])),
                $"{kind}: c[{index / cStride}, {index % cStride}] = {c[index]}, expected {expected[index]}");
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
