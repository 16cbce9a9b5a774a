using System;
using HessianCodegen.LinearAlgebra;
using HessianCodegen.Tests.Infrastructure;
using Xunit;

namespace HessianCodegen.Tests;

/// <summary>
/// <see cref="ParallelTriangularGemm"/> against the triple loop on its triangle, and the other triangle left as it was: sizes past
/// its threshold (split between two cores, at odd orders whose cut is not a multiple of the band) and below it.
/// </summary>
public sealed class ParallelTriangularGemmTests
{
    [Theory]
    [InlineData(131, 250)]
    [InlineData(200, 101)]
    [InlineData(97, 430)]
    [InlineData(49, 9)]
    public void Forms_one_triangle_and_leaves_the_other(int order, int inner)
    {
        var random = new Random((order * 1000) + inner);
        TriangularProductCheck.FormsOneTriangleAndLeavesTheOther((upper, transposeA, transposeB, order, inner, alpha, a, aStride, b, bStride, beta, c, cStride) =>
            ParallelTriangularGemm.Multiply(upper, transposeA, transposeB, order, inner, alpha, a, aStride, b, bStride, beta, c, cStride), order, inner, random, [(-1.0, 1.0), (0.5, 0.0)]);
    }
}
