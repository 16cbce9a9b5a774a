using System;
using HessianCodegen.LinearAlgebra;
using HessianCodegen.Tests.Infrastructure;
using Xunit;

namespace HessianCodegen.Tests;

/// <summary><see cref="TriangularGemm"/> against the triple loop on its triangle, and the other triangle left as it was.</summary>
public sealed class TriangularGemmTests
{
    [Theory]
    [InlineData(1, 3)]
    [InlineData(50, 0)]
    [InlineData(7, 5)]
    [InlineData(48, 16)]
    [InlineData(49, 9)]
    [InlineData(131, 70)]
    public void Forms_one_triangle_and_leaves_the_other(int order, int inner)
    {
        var random = new Random((order * 100) + inner);
        TriangularProductCheck.FormsOneTriangleAndLeavesTheOther((upper, transposeA, transposeB, order, inner, alpha, a, aStride, b, bStride, beta, c, cStride) =>
            TriangularGemm.Multiply(upper, transposeA, transposeB, order, inner, alpha, a, aStride, b, bStride, beta, c, cStride), order, inner, random, [(1.0, 0.0), (-1.0, 1.0), (0.5, -2.0)]);
    }
}
