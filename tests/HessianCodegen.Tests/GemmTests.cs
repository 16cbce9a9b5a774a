using System;
using HessianCodegen.LinearAlgebra;
using HessianCodegen.Tests.Infrastructure;
using Xunit;

namespace HessianCodegen.Tests;

/// <summary>
/// <see cref="Gemm"/> and each of its kernels against the textbook triple loop, over shapes that cross every
/// edge: of the small products Gemm gives PlainGemm (Gemm.SmallProduct), of the micro-kernel's 6 x 8 tile, of the cache blocks (120 rows, 256 terms, 2048 columns), of the
/// bands the parallel product cuts, and of the size up to which <c>a</c> is read in place.
/// </summary>
public sealed class GemmTests
{
    public delegate void Product(bool transposeA, bool transposeB, int rows, int columns, int inner, double alpha,
        ReadOnlySpan<double> a, int aStride, ReadOnlySpan<double> b, int bStride, double beta, Span<double> c, int cStride);

    public static TheoryData<string, int, int, int> Shapes()
    {
        var data = new TheoryData<string, int, int, int>();
        (int, int, int)[] shapes =
        [
            (1, 1, 1), (3, 5, 7), (6, 8, 4), (8, 8, 8), (11, 3, 31), (16, 8, 8), (1, 1025, 1), (7, 9, 3), (12, 16, 2), (17, 13, 29), (64, 48, 33), (130, 67, 257),
            (5, 300, 2), (121, 9, 513), (300, 9, 260), (12, 20, 300), (13, 20, 3), (3, 2050, 5), (256, 16, 16), (128, 64, 64), (0, 4, 3), (4, 3, 0),
        ];
        foreach (string kernel in new[] { nameof(Gemm), nameof(PlainGemm), nameof(PackedGemm), nameof(ParallelGemm) })
        {
            foreach ((int rows, int columns, int inner) in shapes)
            {
                // The kernels behind Gemm take positive sizes only.
                if (kernel == nameof(Gemm) || (rows > 0 && columns > 0 && inner > 0))
                {
                    data.Add(kernel, rows, columns, inner);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Matches_the_triple_loop_for_every_transpose_alpha_and_beta(string kernel, int rows, int columns, int inner)
    {
        Product product = kernel switch
        {
            nameof(Gemm) => Gemm.Multiply,
            nameof(PlainGemm) => PlainGemm.Multiply,
            nameof(PackedGemm) => PackedGemm.Multiply,
            _ => ParallelGemm.Multiply,
        };

        // The vector kernels need AVX2 and FMA; elsewhere Gemm runs PlainGemm, which the cases above cover.
        if (kernel is nameof(PackedGemm) or nameof(ParallelGemm) && !GemmMicroKernel.IsSupported)
        {
            return;
        }
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
                    double[] a = RandomValues.Uniform(random, (transposeA ? inner : rows) * aStride);
                    double[] b = RandomValues.Uniform(random, (transposeB ? columns : inner) * bStride);
                    double[] c = RandomValues.Uniform(random, rows * cStride);
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

                    product(transposeA, transposeB, rows, columns, inner, alpha, a, aStride, b, bStride, beta, c, cStride);
                    for (int index = 0; index < c.Length; index++)
                    {
                        double tolerance = 1e-13 * (1 + inner) * Math.Max(1, Math.Abs(expected[index]));
                        Assert.True(Math.Abs(c[index] - expected[index]) <= tolerance || (double.IsNaN(expected[index]) && double.IsNaN(c[index])),
                            $"{kernel}: op(a) {(transposeA ? "T" : "N")}, op(b) {(transposeB ? "T" : "N")}, alpha {alpha}, beta {beta}: c[{index}] = {c[index]}, expected {expected[index]}");
                    }
                }
            }
        }
    }

    /// <summary>
    /// PlainGemm's rows held in registers give the very bits of its row-by-row loop (the same terms added in the same order, zero
    /// coefficients skipped: the recursion's <c>P Dz</c> must not change), over every row width they take, strides wider than the
    /// rows, a start from a scaled <c>c</c>, and coefficients that are zero or negative zero; a width they do not take is refused.
    /// </summary>
    [Theory]
    [InlineData(false, 4)]
    [InlineData(true, 8)]
    [InlineData(false, 12)]
    [InlineData(true, 16)]
    public void Rows_in_registers_give_the_bits_of_the_row_loop(bool transposeA, int columns)
    {
        if (!PlainGemm.RowFitsInRegisters(columns))
        {
            return;
        }

        const int rows = 9, inner = 7, aStride = 11, bStride = 19, cStride = 21;
        var random = new Random(columns);
        double[] a = RandomValues.Uniform(random, (transposeA ? inner : rows) * aStride);
        double[] b = RandomValues.Uniform(random, inner * bStride);
        for (int i = 0; i < a.Length; i += 3)
        {
            a[i] = i % 2 == 0 ? 0.0 : -0.0;
        }

        double[] expected = RandomValues.Uniform(random, rows * cStride);
        double[] actual = (double[])expected.Clone();
        PlainGemm.AddRowCombinations(transposeA, rows, columns, inner, -1.5, a, aStride, b, bStride, expected, cStride);
        PlainGemm.AddRowsInRegisters(transposeA, rows, columns, inner, -1.5, a, aStride, b, bStride, actual, cStride);
        for (int index = 0; index < expected.Length; index++)
        {
            Assert.True(BitConverter.DoubleToInt64Bits(expected[index]) == BitConverter.DoubleToInt64Bits(actual[index]),
                $"op(a) {(transposeA ? "T" : "N")}, {columns} columns: c[{index}] = {actual[index]:R}; the row loop's {expected[index]:R}");
        }

        Assert.Throws<ArgumentOutOfRangeException>(() =>
            PlainGemm.AddRowsInRegisters(transposeA, rows, 6, inner, 1, a, aStride, b, bStride, actual, cStride));
    }

    [Fact]
    public void Rejects_a_span_too_short_for_its_shape()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            Gemm.Multiply(false, false, 4, 4, 4, 1, new double[15], 4, new double[16], 4, 0, new double[16], 4));
        Assert.Contains("a is stored as 4 x 4", error.Message);
    }
}
