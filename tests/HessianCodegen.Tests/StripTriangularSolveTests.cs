using System;
using System.Collections.Generic;
using System.Linq;
using HessianCodegen.LinearAlgebra;
using HessianCodegen.Tests.Infrastructure;
using Xunit;

namespace HessianCodegen.Tests;

/// <summary>
/// The strip-by-strip triangular solve of many right-hand sides against plain forward substitution, at orders below, at and
/// across its tiles of four rows, at widths below, at and across its strips (8 or 16 columns), at each vector width; the strict
/// upper triangle of the factor is not read.
/// </summary>
public sealed class StripTriangularSolveTests
{
    /// <summary>Order, right-hand sides and the tiles' vector width (512, 256, 0: plain loops); a width this machine lacks is left out.</summary>
    public static IEnumerable<object[]> Cases => VectorWidthCases.Runnable(2,
        (from bits in new[] { 0, 256, 512 }
         from shape in new[] { (1, 1), (3, 16), (4, 8), (5, 17), (8, 33), (13, 64), (72, 64), (73, 40), (130, 128) }
         select new object[] { shape.Item1, shape.Item2, bits }).ToArray());

    /// <summary>Order and right-hand sides through the overload the factorization calls (strips of 8 up to 8 columns at 512 bits).</summary>
    [Theory]
    [InlineData(5, 1)]
    [InlineData(72, 8)]
    [InlineData(13, 9)]
    [InlineData(72, 64)]
    public void MatchesForwardSubstitutionAtTheMachinesWidth(int n, int width) => Check(n, width, null);

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesForwardSubstitution(int n, int width, int vectorBits) => Check(n, width, vectorBits);

    private static void Check(int n, int width, int? vectorBits)
    {
        var random = new Random((n * 1000) + width);
        double[] factor = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                // Lower triangle: a well-conditioned L; upper: values that would spoil the result if read.
                factor[(i * n) + j] = j < i ? (random.NextDouble() - 0.5) / n : j == i ? 1 + random.NextDouble() : double.NaN;
            }
        }

        double[] rows = RandomValues.Uniform(random, n * width);
        double[] expected = (double[])rows.Clone();
        for (int c = 0; c < width; c++)
        {
            for (int i = 0; i < n; i++)
            {
                double sum = expected[(i * width) + c];
                for (int j = 0; j < i; j++)
                {
                    sum -= factor[(i * n) + j] * expected[(j * width) + c];
                }

                expected[(i * width) + c] = sum / factor[(i * n) + i];
            }
        }

        if (vectorBits is int bits)
        {
            StripTriangularSolve.SolveLower(factor, n, rows, width, bits);
        }
        else
        {
            StripTriangularSolve.SolveLower(factor, n, rows, width);
        }

        double scale = expected.Select(Math.Abs).DefaultIfEmpty(0).Max();
        for (int k = 0; k < rows.Length; k++)
        {
            Assert.True(Math.Abs(rows[k] - expected[k]) <= 1e-14 * scale,
                $"order {n}, width {width}, {vectorBits?.ToString() ?? "the machine's"} bits: entry ({k / width}, {k % width}) {rows[k]:R} against {expected[k]:R}");
        }
    }
}
