using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace HessianCodegen.LinearAlgebra;

/// <summary>
/// Groups of values, one after another, to and from the interleaved layout of <see cref="OneRowGroupKernel.FactorLanes"/> (value
/// <c>e</c> of group <c>g</c> at <c>e * LaneCount + g</c>): a transpose of the <c>count x length</c> matrix of the groups' values, an
/// 8 x 8 (at 512 bits) or 4 x 4 (256, <see cref="MatrixKernels.TransposeRows4x4"/>) block of them at a time in registers. Element by element, the copies of 8 groups of 91 values
/// (width 8's) in and out took about as long as factoring them in lanes (in a scratch loop about 0.7 us against 0.7; by blocks 0.3).
/// </summary>
internal static class LaneTranspose
{
    /// <summary>
    /// Copies <paramref name="count"/> groups of <paramref name="length"/> values each, one after another in <paramref name="groups"/>,
    /// into <paramref name="lanes"/> interleaved for vectors of <paramref name="vectorBits"/>; the lanes past <paramref name="count"/> get zeros.
    /// </summary>
    public static void Interleave(ReadOnlySpan<double> groups, int length, int count, Span<double> lanes, int vectorBits)
    {
        int width = Check(groups.Length, length, count, lanes.Length, vectorBits);
        // Bounds: the groups' values and the lanes' were checked above; a missing group's row is read from the zeros.
        ref double source = ref MemoryMarshal.GetReference(groups);
        ref double target = ref MemoryMarshal.GetReference(lanes);
        Span<double> zeros = stackalloc double[Vector512<double>.Count];
        zeros.Clear();
        ref double zero = ref MemoryMarshal.GetReference(zeros);
        int e = 0;
        if (width == 8)
        {
            for (; e + 8 <= length; e += 8)
            {
                Transpose8(
                    Row512(ref source, ref zero, 0, count, length, e), Row512(ref source, ref zero, 1, count, length, e),
                    Row512(ref source, ref zero, 2, count, length, e), Row512(ref source, ref zero, 3, count, length, e),
                    Row512(ref source, ref zero, 4, count, length, e), Row512(ref source, ref zero, 5, count, length, e),
                    Row512(ref source, ref zero, 6, count, length, e), Row512(ref source, ref zero, 7, count, length, e),
                    ref Unsafe.Add(ref target, e * 8));
            }
        }
        else
        {
            for (; e + 4 <= length; e += 4)
            {
                MatrixKernels.TransposeRows4x4(
                    Row256(ref source, ref zero, 0, count, length, e), Row256(ref source, ref zero, 1, count, length, e),
                    Row256(ref source, ref zero, 2, count, length, e), Row256(ref source, ref zero, 3, count, length, e),
                    ref Unsafe.Add(ref target, e * 4), 4);
            }
        }

        for (; e < length; e++)
        {
            for (int g = 0; g < width; g++)
            {
                Unsafe.Add(ref target, (e * width) + g) = g < count ? Unsafe.Add(ref source, (g * length) + e) : 0;
            }
        }
    }

    /// <summary>
    /// The inverse of <see cref="Interleave"/>: the first <paramref name="count"/> lanes of <paramref name="lanes"/> back into
    /// <paramref name="groups"/>, one group after another; the lanes past them are not read back.
    /// </summary>
    public static void Deinterleave(ReadOnlySpan<double> lanes, int length, int count, Span<double> groups, int vectorBits)
    {
        int width = Check(groups.Length, length, count, lanes.Length, vectorBits);
        ref double source = ref MemoryMarshal.GetReference(lanes);
        ref double target = ref MemoryMarshal.GetReference(groups);
        Span<Vector512<double>> block = stackalloc Vector512<double>[Vector512<double>.Count];
        ref double rows = ref Unsafe.As<Vector512<double>, double>(ref MemoryMarshal.GetReference(block));
        int e = 0;
        if (width == 8)
        {
            for (; e + 8 <= length; e += 8)
            {
                ref double at = ref Unsafe.Add(ref source, e * 8);
                Transpose8(
                    Vector512.LoadUnsafe(ref at), Vector512.LoadUnsafe(ref at, 8), Vector512.LoadUnsafe(ref at, 16), Vector512.LoadUnsafe(ref at, 24),
                    Vector512.LoadUnsafe(ref at, 32), Vector512.LoadUnsafe(ref at, 40), Vector512.LoadUnsafe(ref at, 48), Vector512.LoadUnsafe(ref at, 56),
                    ref rows);
                for (int g = 0; g < count; g++)
                {
                    Vector512.LoadUnsafe(ref rows, (nuint)(g * 8)).StoreUnsafe(ref Unsafe.Add(ref target, (g * length) + e));
                }
            }
        }
        else
        {
            for (; e + 4 <= length; e += 4)
            {
                ref double at = ref Unsafe.Add(ref source, e * 4);
                MatrixKernels.Transpose4x4(ref at, 4, ref rows, 4);
                for (int g = 0; g < count; g++)
                {
                    Vector256.LoadUnsafe(ref rows, (nuint)(g * 4)).StoreUnsafe(ref Unsafe.Add(ref target, (g * length) + e));
                }
            }
        }

        for (; e < length; e++)
        {
            for (int g = 0; g < count; g++)
            {
                Unsafe.Add(ref target, (g * length) + e) = Unsafe.Add(ref source, (e * width) + g);
            }
        }
    }

    private static int Check(int groupValues, int length, int count, int laneValues, int vectorBits)
    {
        VectorWidth.Validate(vectorBits);
        int width = OneRowGroupKernel.LaneCount(vectorBits);
        if (width == 0 || length <= 0 || count <= 0 || count > width || groupValues < count * length || laneValues < width * length)
        {
            throw new ArgumentException($"{count} groups of {length} values in lanes of {vectorBits} bits need {count * length} values and {width * length} interleaved "
                + $"(at most {width} groups); got {groupValues} and {laneValues}.");
        }

        return width;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<double> Row512(ref double source, ref double zero, int g, int count, int length, int e) =>
        Vector512.LoadUnsafe(ref g < count ? ref Unsafe.Add(ref source, (g * length) + e) : ref zero);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> Row256(ref double source, ref double zero, int g, int count, int length, int e) =>
        Vector256.LoadUnsafe(ref g < count ? ref Unsafe.Add(ref source, (g * length) + e) : ref zero);

    /// <summary>
    /// The 8 x 8 block whose rows are <paramref name="r0"/> to <paramref name="r7"/>, transposed, to the 64 values at
    /// <paramref name="target"/>: pairs of rows interleaved, then pairs of those by 128-bit halves, then by 256-bit halves.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8(Vector512<double> r0, Vector512<double> r1, Vector512<double> r2, Vector512<double> r3,
        Vector512<double> r4, Vector512<double> r5, Vector512<double> r6, Vector512<double> r7, ref double target)
    {
        // a0 = [r0c0 r1c0 r0c2 r1c2 r0c4 r1c4 r0c6 r1c6], a1 the odd columns; likewise the other pairs of rows.
        Vector512<double> a0 = Avx512F.UnpackLow(r0, r1), a1 = Avx512F.UnpackHigh(r0, r1);
        Vector512<double> a2 = Avx512F.UnpackLow(r2, r3), a3 = Avx512F.UnpackHigh(r2, r3);
        Vector512<double> a4 = Avx512F.UnpackLow(r4, r5), a5 = Avx512F.UnpackHigh(r4, r5);
        Vector512<double> a6 = Avx512F.UnpackLow(r6, r7), a7 = Avx512F.UnpackHigh(r6, r7);
        // b0 = [r0..r3 c0, r0..r3 c4], b2 = [r0..r3 c2, r0..r3 c6]; b1, b3 the odd columns; b4 to b7 rows 4 to 7.
        Vector512<long> evenPairs = Vector512.Create(0L, 1, 8, 9, 4, 5, 12, 13);
        Vector512<long> oddPairs = Vector512.Create(2L, 3, 10, 11, 6, 7, 14, 15);
        Vector512<double> b0 = Avx512F.PermuteVar8x64x2(a0, evenPairs, a2), b2 = Avx512F.PermuteVar8x64x2(a0, oddPairs, a2);
        Vector512<double> b1 = Avx512F.PermuteVar8x64x2(a1, evenPairs, a3), b3 = Avx512F.PermuteVar8x64x2(a1, oddPairs, a3);
        Vector512<double> b4 = Avx512F.PermuteVar8x64x2(a4, evenPairs, a6), b6 = Avx512F.PermuteVar8x64x2(a4, oddPairs, a6);
        Vector512<double> b5 = Avx512F.PermuteVar8x64x2(a5, evenPairs, a7), b7 = Avx512F.PermuteVar8x64x2(a5, oddPairs, a7);
        Vector512<long> lowHalves = Vector512.Create(0L, 1, 2, 3, 8, 9, 10, 11);
        Vector512<long> highHalves = Vector512.Create(4L, 5, 6, 7, 12, 13, 14, 15);
        Avx512F.PermuteVar8x64x2(b0, lowHalves, b4).StoreUnsafe(ref target);
        Avx512F.PermuteVar8x64x2(b1, lowHalves, b5).StoreUnsafe(ref target, 8);
        Avx512F.PermuteVar8x64x2(b2, lowHalves, b6).StoreUnsafe(ref target, 16);
        Avx512F.PermuteVar8x64x2(b3, lowHalves, b7).StoreUnsafe(ref target, 24);
        Avx512F.PermuteVar8x64x2(b0, highHalves, b4).StoreUnsafe(ref target, 32);
        Avx512F.PermuteVar8x64x2(b1, highHalves, b5).StoreUnsafe(ref target, 40);
        Avx512F.PermuteVar8x64x2(b2, highHalves, b6).StoreUnsafe(ref target, 48);
        Avx512F.PermuteVar8x64x2(b3, highHalves, b7).StoreUnsafe(ref target, 56);
    }
}
