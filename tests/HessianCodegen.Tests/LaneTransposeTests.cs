using System;
using System.Collections.Generic;
using System.Linq;
using HessianCodegen.LinearAlgebra;
using HessianCodegen.Tests.Infrastructure;
using Xunit;

namespace HessianCodegen.Tests;

/// <summary>
/// <see cref="LaneTranspose"/> against its definition, value <c>e</c> of group <c>g</c> at <c>e * laneCount + g</c>: at each vector width
/// the machine runs, lengths that are and are not a multiple of the lanes (width 8's and 16's groups of 91 and 307 values), a full
/// vector of groups and fewer (whose missing lanes interleave as zeros and are not written back).
/// </summary>
public sealed class LaneTransposeTests
{
    public static IEnumerable<object[]> Cases => VectorWidthCases.Runnable(0,
        (from bits in new[] { 256, 512 }
         from length in new[] { 1, 3, 4, 8, 11, 91, 307 }
         from count in new[] { 1, 3, 4, 8 }
         where count <= OneRowGroupKernel.LaneCount(bits)
         select new object[] { bits, length, count }).ToArray());

    [Theory]
    [MemberData(nameof(Cases))]
    public void InterleavesAndBack(int vectorBits, int length, int count)
    {
        int laneCount = OneRowGroupKernel.LaneCount(vectorBits);
        var random = new Random((31 * length) + count);
        // One value past the groups, which must not be read into a lane.
        double[] groups = [.. Enumerable.Range(0, count * length).Select(_ => random.NextDouble() - 0.5), double.NaN];
        // A tail past the interleaved values, which must stay as it was (an exactly sized buffer would hide an overrun).
        var buffer = new double[(laneCount * length) + Tail];
        Array.Fill(buffer, double.NaN);
        buffer.AsSpan(laneCount * length).Fill(Sentinel);
        Span<double> interleaved = buffer.AsSpan(0, laneCount * length);
        LaneTranspose.Interleave(groups, length, count, interleaved, vectorBits);
        Assert.All(buffer[(laneCount * length)..], v => Assert.Equal(Sentinel, v));
        for (int e = 0; e < length; e++)
        {
            for (int g = 0; g < laneCount; g++)
            {
                Assert.Equal(g < count ? groups[(g * length) + e] : 0, interleaved[(e * laneCount) + g]);
            }
        }

        // Back into groups poisoned beforehand, with a tail past them that must stay.
        for (int k = 0; k < interleaved.Length; k++)
        {
            interleaved[k] += 1;
        }

        var back = new double[(count * length) + Tail];
        Array.Fill(back, double.NaN);
        back.AsSpan(count * length).Fill(Sentinel);
        LaneTranspose.Deinterleave(interleaved, length, count, back.AsSpan(0, count * length), vectorBits);
        Assert.Equal(groups[..^1].Select(v => v + 1).ToArray(), back[..(count * length)]);
        Assert.All(back[(count * length)..], v => Assert.Equal(Sentinel, v));
    }

    /// <summary>Values past each buffer the transposes are given: a whole vector and more, each the sentinel.</summary>
    private const int Tail = 9;

    private const double Sentinel = 7;
}
