using System;
using HessianCodegen.LinearAlgebra;
using HessianCodegen.Tests.Infrastructure;
using Xunit;

namespace HessianCodegen.Tests;

/// <summary>
/// <see cref="PackedUpperUpdate"/> against the triple loop: <c>c += alpha a^T b</c> on the upper triangle, the strict lower
/// triangle and the padding of the rows left as they were; whole and cut into two bands of rows, on orders at and beside
/// the edges of the micro-kernel's 6 x 8 tiles (split -1: <see cref="PackedUpperUpdate.AddUpperOnTwoCores"/>, past its threshold).
/// </summary>
public sealed class PackedUpperUpdateTests
{
    [Theory]
    [InlineData(9, 20)]
    [InlineData(20, 9)]
    public void A_stride_shorter_than_a_row_is_refused(int bStride, int cStride)
    {
        const int order = 20, inner = 4;
        var packedLeft = new double[PackedUpperUpdate.PackedLength(order, inner)];
        var b = new double[inner * order * 2];
        var c = new double[order * order * 2];
        var error = Assert.Throws<ArgumentException>(() => PackedUpperUpdate.AddUpper(order, inner, 1.0, packedLeft, b, bStride, c, cStride, 0, order));
        Assert.Contains($"strides (b {bStride}, c {cStride})", error.Message);
    }

    [Theory]
    [InlineData(1, 1, 0)]
    [InlineData(5, 3, 0)]
    [InlineData(6, 8, 0)]
    [InlineData(7, 1, 0)]
    [InlineData(48, 72, 0)]
    [InlineData(49, 13, 0)]
    [InlineData(131, 70, 0)]
    [InlineData(131, 70, 36)]
    [InlineData(50, 9, 6)]
    [InlineData(53, 256, 48)]
    [InlineData(131, 256, -1)]
    [InlineData(301, 72, -1)]
    public void Adds_the_product_to_the_upper_triangle_only(int order, int inner, int split) =>
        UpperUpdateCheck.AddsToTheUpperTriangleOnly(order, inner, (order, inner, alpha, a, aStride, b, bStride, c, cStride) =>
        {
            var packed = new double[PackedUpperUpdate.PackedLength(order, inner)];
            PackedUpperUpdate.PackLeft(a, aStride, order, inner, packed);
            if (split < 0)
            {
                Assert.True((double)order * order * inner >= ParallelTriangularGemm.Threshold);
                PackedUpperUpdate.AddUpperOnTwoCores(order, inner, alpha, packed, b, bStride, c, cStride);
            }
            else if (split > 0)
            {
                PackedUpperUpdate.AddUpper(order, inner, alpha, packed, b, bStride, c, cStride, split, order);
                PackedUpperUpdate.AddUpper(order, inner, alpha, packed, b, bStride, c, cStride, 0, split);
            }
            else
            {
                PackedUpperUpdate.AddUpper(order, inner, alpha, packed, b, bStride, c, cStride, 0, order);
            }
        });

    /// <summary>
    /// <see cref="PackedUpperUpdate.AddUpperOnTwoCores"/> with the mirror (each band mirrored by the core that wrote it) against the
    /// whole update then <see cref="MatrixKernels.MirrorUpper"/>, to the bit: past the threshold (two bands) and below it (one).
    /// </summary>
    [Theory]
    [InlineData(512, 16)]
    [InlineData(301, 72)]
    [InlineData(40, 8)]
    public void The_update_with_its_mirror_writes_what_the_update_then_the_mirror_write(int order, int inner)
    {
        var random = new Random(order + inner);
        double[] a = RandomValues.Uniform(random, inner * order);
        double[] b = RandomValues.Uniform(random, inner * order);
        double[] expected = RandomValues.Uniform(random, order * order);
        double[] c = (double[])expected.Clone();
        var packed = new double[PackedUpperUpdate.PackedLength(order, inner)];
        PackedUpperUpdate.PackLeft(a, order, order, inner, packed);
        PackedUpperUpdate.AddUpper(order, inner, -1, packed, b, order, expected, order, 0, order);
        MatrixKernels.MirrorUpper(expected, order);

        PackedUpperUpdate.AddUpperOnTwoCores(order, inner, -1, packed, b, order, c, order, mirror: true);
        Assert.Equal(expected, c);
    }
}
