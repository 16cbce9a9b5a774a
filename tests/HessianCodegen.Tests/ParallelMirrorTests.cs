using System;
using HessianCodegen.LinearAlgebra;
using Xunit;

namespace HessianCodegen.Tests;

/// <summary><see cref="ParallelMirror"/>: the lower triangle becomes the upper one's transpose, the upper triangle and diagonal stay, past its threshold (two cores) and below it.</summary>
public sealed class ParallelMirrorTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(9)]
    [InlineData(512)]
    [InlineData(513)]
    [InlineData(647)]
    public void Copies_the_upper_triangle_onto_the_lower(int order)
    {
        var random = new Random(order);
        var matrix = new double[order * order];
        for (int k = 0; k < matrix.Length; k++)
        {
            matrix[k] = random.NextDouble();
        }

        double[] original = (double[])matrix.Clone();
        ParallelMirror.MirrorUpper(matrix, order);
        for (int i = 0; i < order; i++)
        {
            for (int j = 0; j < order; j++)
            {
                double expected = j >= i ? original[(i * order) + j] : original[(j * order) + i];
                Assert.True(matrix[(i * order) + j] == expected, $"a[{i}, {j}] = {matrix[(i * order) + j]}, expected {expected}");
            }
        }
    }
}
