using System;
using Xunit;

namespace HessianCodegen.Tests.Infrastructure;

/// <summary>A kernel computing <c>C -= A B</c> on strided operands, against the triple loop.</summary>
internal static class SubtractProductCheck
{
    /// <summary>The kernel under test, in <c>MatrixKernels.SubtractProduct</c>'s argument order.</summary>
    public delegate void SubtractProduct(double[] c, int cStride, double[] a, int aStride, double[] b, int bStride, int rows, int inner, int columns);

    /// <summary>
    /// Checks <paramref name="subtract"/> with the given left factor <paramref name="a"/> (<paramref name="rows"/> x
    /// <paramref name="inner"/>, row stride <paramref name="aStride"/>) and a random <c>B</c> and <c>C</c> drawn by
    /// <paramref name="value"/>, to <c>1e-13 (1 + inner)</c>, relative to the expected entry where it exceeds 1 if
    /// <paramref name="relativeToLargeEntries"/>.
    /// </summary>
    public static void MatchesTheTripleLoop(SubtractProduct subtract, string kind, double[] a, int aStride, int rows, int inner, int columns,
        Random random, Func<Random, double> value, bool relativeToLargeEntries)
    {
        int bStride = columns + 3, cStride = columns + 1;
        double[] b = Values(random, inner * bStride, value);
        double[] c = Values(random, rows * cStride, value);
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

        subtract(c, cStride, a, aStride, b, bStride, rows, inner, columns);
        for (int index = 0; index < c.Length; index++)
        {
            double scale = relativeToLargeEntries ? Math.Max(1, Math.Abs(expected[index])) : 1;
            Assert.True(Math.Abs(c[index] - expected[index]) <= 1e-13 * (1 + inner) * scale,
                $"{kind}: c[{index / cStride}, {index % cStride}] = {c[index]}, expected {expected[index]}");
        }
    }

    private static double[] Values(Random random, int length, Func<Random, double> value)
    {
        var values = new double[length];
        for (int i = 0; i < length; i++)
        {
            values[i] = value(random);
        }

        return values;
    }
}
