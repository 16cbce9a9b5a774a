using System;
using System.Collections.Generic;
using System.Linq;
using HessianCodegen.LinearAlgebra;
using HessianCodegen.Tests.Infrastructure;
using Xunit;

namespace HessianCodegen.Tests;

/// <summary>
/// <see cref="SmallUpperUpdate"/> against the triple loop: <c>c += alpha a^T b</c> on the upper triangle, the strict lower
/// triangle and the padding of the rows left as they were; orders at and beside the edges of its four-row blocks and of a
/// vector of columns, up to past its largest limit (128), with strides longer than a row.
/// </summary>
public sealed class SmallUpperUpdateTests
{
    /// <summary>
    /// Order, terms, and the vector width (512, 256, 0: plain loops); a width this machine lacks is left out. At 512 bits orders
    /// 8, 9, 13 take one vector of columns, 16 and 19 two at once; 40, 64 and 128 (the recursion's batch-8 states) blocks of two
    /// vectors and of one beside them, 131 with three columns entry by entry; at 256, 4 on.
    /// </summary>
    public static IEnumerable<object[]> Cases => VectorWidthCases.Runnable(2,
        (from bits in new[] { 0, 256, 512 }
         from shape in new[] { (1, 1), (1, 9), (3, 5), (4, 72), (5, 3), (7, 13), (8, 72), (9, 1), (12, 5), (13, 17), (16, 272), (19, 31),
             (40, 9), (64, 72), (128, 17), (131, 9) }
         select new object[] { shape.Item1, shape.Item2, bits }).ToArray());

    [Theory]
    [MemberData(nameof(Cases))]
    public void Adds_the_product_to_the_upper_triangle_only(int order, int inner, int vectorBits) =>
        UpperUpdateCheck.AddsToTheUpperTriangleOnly(order, inner, (order, inner, alpha, a, aStride, b, bStride, c, cStride) =>
            SmallUpperUpdate.AddUpper(order, inner, alpha, a, aStride, b, bStride, c, cStride, vectorBits));

    [Theory]
    [InlineData(7, 8, 8)]
    [InlineData(8, 7, 8)]
    [InlineData(8, 8, 7)]
    public void A_stride_shorter_than_a_row_is_refused(int aStride, int bStride, int cStride)
    {
        const int order = 8, inner = 4;
        var a = new double[inner * order * 2];
        var b = new double[inner * order * 2];
        var c = new double[order * order * 2];
        var error = Assert.Throws<ArgumentException>(() => SmallUpperUpdate.AddUpper(order, inner, 1.0, a, aStride, b, bStride, c, cStride));
        Assert.Contains($"strides (a {aStride}, b {bStride}, c {cStride})", error.Message);
    }
}
