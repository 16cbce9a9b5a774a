using System;
using HessianCodegen.LinearAlgebra;
using HessianCodegen.Tests.Infrastructure;
using Xunit;

namespace HessianCodegen.Tests;

/// <summary>
/// <see cref="MatrixKernels.SubtractProduct"/> against the triple loop for each kind of left factor it treats
/// its own way: dense rows, a layer's <c>Dx^T</c> (runs of rows sharing evenly spaced non-zeros, then single
/// bias-like rows), a tanh layer's <c>Dx^T</c> (each output's bias row after all the weights, sharing its weights' non-zeros),
/// a dense row between the weights and the biases,
/// runs whose non-zeros are not evenly spaced, and zero rows.
/// </summary>
public sealed class SubtractProductTests
{
    [Theory]
    [InlineData("dense", 7, 9, 13)]
    [InlineData("layer", 40, 64, 70)]
    [InlineData("layer", 9, 8, 3)]
    [InlineData("tanh", 72, 64, 37)]
    [InlineData("tanh", 20, 40, 13)]
    [InlineData("shared scalar", 21, 40, 13)]
    [InlineData("uneven", 12, 30, 17)]
    [InlineData("zero", 6, 10, 5)]
    public void Matches_the_triple_loop(string kind, int rows, int inner, int columns)
    {
        var random = new Random(rows + inner + columns);
        int aStride = inner + 2;
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
                    // A tanh layer's Dx^T (outputs x outputs weights, then one bias row per output, all after the weights): output o's
                    // weights and its bias share the non-zeros every outputs-th position from o, and the bias rows are not beside the weights.
                    "tanh" => k % Outputs(rows) == (i < Outputs(rows) * Outputs(rows) ? i / Outputs(rows) : i - (Outputs(rows) * Outputs(rows))),
                    // 4 x 4 weights, then a scalar that every output reads (a dense row), then the 4 biases: the dense row is
                    // taken in a pair with the next, a sparse bias row.
                    "shared scalar" => i < 16 ? k % 4 == i / 4 : i == 16 || k % 4 == i - 17,
                    "uneven" => k == 1 || k == 2 || k == 7 || k == 20,
                    _ => false,
                };
                a[(i * aStride) + k] = nonZero ? random.NextDouble() - 0.5 : 0;
            }
        }

        SubtractProductCheck.MatchesTheTripleLoop(
            (c, cStride, left, leftStride, b, bStride, rowCount, innerCount, columnCount) => MatrixKernels.SubtractProduct(c, cStride, left, leftStride, b, bStride, rowCount, innerCount, columnCount),
            kind, a, aStride, rows, inner, columns, random,
            source => source.NextDouble() - 0.5, relativeToLargeEntries: false);
    }

    /// <summary>Outputs of the "tanh" left factor: 72 rows are 8 x 8 weights and 8 biases, 20 rows 4 x 4 and 4.</summary>
    private static int Outputs(int rows) => rows == 72 ? 8 : 4;
}
