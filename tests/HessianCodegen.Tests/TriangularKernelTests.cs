using System;
using System.Collections.Generic;
using System.Linq;
using HessianCodegen.LinearAlgebra;
using HessianCodegen.Tests.Infrastructure;
using Xunit;

namespace HessianCodegen.Tests;

/// <summary>
/// The two triangular solves of the low-rank route (<c>L^-1 B</c> and <c>L^-T B</c>, <c>dtrsm</c>) against plain forward
/// and back substitution, column by column, at odd orders and widths (one right-hand side included; up to and past the
/// narrow path's <see cref="TriangularKernel.SmallWidth"/>).
/// </summary>
public sealed class TriangularKernelTests
{
    /// <summary>
    /// Order, width of the right-hand side, and the narrow path's vector width (512, 256, 0); a width this machine lacks is left
    /// out. Widths 8 and 16 take whole 512-bit vectors, 13 and 5 a 256-bit one and a remainder, 7 and 3 a remainder only at 512.
    /// </summary>
    public static IEnumerable<object[]> Cases => VectorWidthCases.Runnable(2,
        (from bits in new[] { 0, 256, 512 }
         from shape in new[] { (1, 1), (5, 1), (23, 1), (9, 3), (17, 13), (40, 8), (9, 8), (17, 16), (33, 7), (4, 5), (12, 17), (300, 2) }
         select new object[] { shape.Item1, shape.Item2, bits }).ToArray());

    [Theory]
    [MemberData(nameof(Cases))]
    public void BothSolvesMatchPlainSubstitution(int n, int width, int vectorBits)
    {
        var random = new Random((n * 31) + width);
        var factor = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < i; j++)
            {
                factor[(i * n) + j] = random.NextDouble() - 0.5;
            }

            factor[(i * n) + i] = 1 + random.NextDouble();

            // The strict upper triangle is not L's: a solve that read it would show.
            for (int j = i + 1; j < n; j++)
            {
                factor[(i * n) + j] = 100;
            }
        }

        double[] b = Enumerable.Range(0, n * width).Select(_ => random.NextDouble() - 0.5).ToArray();
        var forward = (double[])b.Clone();
        var backward = (double[])b.Clone();
        var expectedForward = new double[n * width];
        var expectedBackward = new double[n * width];
        for (int c = 0; c < width; c++)
        {
            for (int i = 0; i < n; i++)
            {
                double sum = b[(i * width) + c];
                for (int j = 0; j < i; j++)
                {
                    sum -= factor[(i * n) + j] * expectedForward[(j * width) + c];
                }

                expectedForward[(i * width) + c] = sum / factor[(i * n) + i];
            }

            for (int i = n - 1; i >= 0; i--)
            {
                double sum = b[(i * width) + c];
                for (int j = i + 1; j < n; j++)
                {
                    sum -= factor[(j * n) + i] * expectedBackward[(j * width) + c];
                }

                expectedBackward[(i * width) + c] = sum / factor[(i * n) + i];
            }
        }

        TriangularKernel.SolveLower(factor, n, forward, width, vectorBits);
        TriangularKernel.SolveLowerTransposed(factor, n, backward, width);
        double scale = 1 + expectedForward.Concat(expectedBackward).Max(Math.Abs);
        for (int index = 0; index < n * width; index++)
        {
            Assert.True(Math.Abs(forward[index] - expectedForward[index]) <= 1e-13 * n * scale, $"L^-1 B at ({index / width}, {index % width})");
            Assert.True(Math.Abs(backward[index] - expectedBackward[index]) <= 1e-13 * n * scale, $"L^-T B at ({index / width}, {index % width})");
        }
    }
}
