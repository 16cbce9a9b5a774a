using System;
using HessianCodegen.LinearAlgebra;
using HessianCodegen.Tests.Infrastructure;
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
        int aStride = inner + 2;
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

        SubtractProductCheck.MatchesTheTripleLoop(
            (c, cStride, left, leftStride, b, bStride, rowCount, innerCount, columnCount) => ParallelSubtractProduct.SubtractProduct(c, cStride, left, leftStride, b, bStride, rowCount, innerCount, columnCount),
            kind, a, aStride, rows, inner, columns, random,
            source => (2 * source.NextDouble()) - 1, relativeToLargeEntries: true);
    }
}
