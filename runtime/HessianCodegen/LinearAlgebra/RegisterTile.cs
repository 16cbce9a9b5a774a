using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace HessianCodegen.LinearAlgebra;

/// <summary>
/// Four rows by two 512-bit vectors of columns (16 values a row) held in eight registers, the tile that
/// <see cref="RightLookingCholeskyKernel"/>, <see cref="StripTriangularSolve"/>, <see cref="SmallUpperUpdate"/>,
/// <see cref="FourRowCombination"/> and <see cref="SixteenColumnCongruenceTile"/> share: per term
/// two loads of a source row and four broadcast coefficients feed eight multiply-adds. Shared, the three ran as fast as with their
/// own copies (scratch loop, medians of 41, alternating in one run: 0.99 to 1.01 of the time), once the update's products got
/// their own <see cref="AddProducts"/>: negated broadcasts there took 10 to 17 % longer.
/// </summary>
internal struct RegisterTile512
{
    public Vector512<double> Row0Left, Row0Right, Row1Left, Row1Right, Row2Left, Row2Right, Row3Left, Row3Right;

    /// <summary>The tile read from four rows <paramref name="stride"/> apart.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static RegisterTile512 Load(ref double target, nuint stride) => new()
    {
        Row0Left = Vector512.LoadUnsafe(ref target), Row0Right = Vector512.LoadUnsafe(ref target, 8),
        Row1Left = Vector512.LoadUnsafe(ref target, stride), Row1Right = Vector512.LoadUnsafe(ref target, stride + 8),
        Row2Left = Vector512.LoadUnsafe(ref target, 2 * stride), Row2Right = Vector512.LoadUnsafe(ref target, (2 * stride) + 8),
        Row3Left = Vector512.LoadUnsafe(ref target, 3 * stride), Row3Right = Vector512.LoadUnsafe(ref target, (3 * stride) + 8),
    };

    /// <summary>The tile read from four rows anywhere, from column <paramref name="at"/> (<see cref="FourRowCombination"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static RegisterTile512 Load(ref double row0, ref double row1, ref double row2, ref double row3, nuint at) => new()
    {
        Row0Left = Vector512.LoadUnsafe(ref row0, at), Row0Right = Vector512.LoadUnsafe(ref row0, at + 8),
        Row1Left = Vector512.LoadUnsafe(ref row1, at), Row1Right = Vector512.LoadUnsafe(ref row1, at + 8),
        Row2Left = Vector512.LoadUnsafe(ref row2, at), Row2Right = Vector512.LoadUnsafe(ref row2, at + 8),
        Row3Left = Vector512.LoadUnsafe(ref row3, at), Row3Right = Vector512.LoadUnsafe(ref row3, at + 8),
    };

    /// <summary>The tile written to four rows anywhere, from column <paramref name="at"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void Store(ref double row0, ref double row1, ref double row2, ref double row3, nuint at)
    {
        Row0Left.StoreUnsafe(ref row0, at);
        Row0Right.StoreUnsafe(ref row0, at + 8);
        Row1Left.StoreUnsafe(ref row1, at);
        Row1Right.StoreUnsafe(ref row1, at + 8);
        Row2Left.StoreUnsafe(ref row2, at);
        Row2Right.StoreUnsafe(ref row2, at + 8);
        Row3Left.StoreUnsafe(ref row3, at);
        Row3Right.StoreUnsafe(ref row3, at + 8);
    }

    /// <summary>
    /// <c>tile[r, :] -= sum_k coefficients[k termStep + r rowStep] rows[k rowStride, :]</c> for <c>k &lt; count</c>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void SubtractProducts(ref double rows, nint rowStride, ref double coefficients, nint termStep, nint rowStep, int count)
    {
        for (int k = 0; k < count; k++)
        {
            ref double source = ref Unsafe.Add(ref rows, k * rowStride);
            ref double weights = ref Unsafe.Add(ref coefficients, k * termStep);
            Vector512<double> left = Vector512.LoadUnsafe(ref source), right = Vector512.LoadUnsafe(ref source, 8);
            var w0 = Vector512.Create(-weights);
            var w1 = Vector512.Create(-Unsafe.Add(ref weights, rowStep));
            var w2 = Vector512.Create(-Unsafe.Add(ref weights, 2 * rowStep));
            var w3 = Vector512.Create(-Unsafe.Add(ref weights, 3 * rowStep));
            Row0Left = Vector512.FusedMultiplyAdd(w0, left, Row0Left);
            Row0Right = Vector512.FusedMultiplyAdd(w0, right, Row0Right);
            Row1Left = Vector512.FusedMultiplyAdd(w1, left, Row1Left);
            Row1Right = Vector512.FusedMultiplyAdd(w1, right, Row1Right);
            Row2Left = Vector512.FusedMultiplyAdd(w2, left, Row2Left);
            Row2Right = Vector512.FusedMultiplyAdd(w2, right, Row2Right);
            Row3Left = Vector512.FusedMultiplyAdd(w3, left, Row3Left);
            Row3Right = Vector512.FusedMultiplyAdd(w3, right, Row3Right);
        }
    }

    /// <summary>
    /// <c>tile[r, :] += sum_k coefficients[k termStep + r rowStep] rows[k rowStride, :]</c> for <c>k &lt; count</c>: the
    /// coefficients broadcast as they lie.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void AddProducts(ref double rows, nint rowStride, ref double coefficients, nint termStep, nint rowStep, int count)
    {
        for (int k = 0; k < count; k++)
        {
            ref double source = ref Unsafe.Add(ref rows, k * rowStride);
            ref double weights = ref Unsafe.Add(ref coefficients, k * termStep);
            Vector512<double> left = Vector512.LoadUnsafe(ref source), right = Vector512.LoadUnsafe(ref source, 8);
            var w0 = Vector512.Create(weights);
            var w1 = Vector512.Create(Unsafe.Add(ref weights, rowStep));
            var w2 = Vector512.Create(Unsafe.Add(ref weights, 2 * rowStep));
            var w3 = Vector512.Create(Unsafe.Add(ref weights, 3 * rowStep));
            Row0Left = Vector512.FusedMultiplyAdd(w0, left, Row0Left);
            Row0Right = Vector512.FusedMultiplyAdd(w0, right, Row0Right);
            Row1Left = Vector512.FusedMultiplyAdd(w1, left, Row1Left);
            Row1Right = Vector512.FusedMultiplyAdd(w1, right, Row1Right);
            Row2Left = Vector512.FusedMultiplyAdd(w2, left, Row2Left);
            Row2Right = Vector512.FusedMultiplyAdd(w2, right, Row2Right);
            Row3Left = Vector512.FusedMultiplyAdd(w3, left, Row3Left);
            Row3Right = Vector512.FusedMultiplyAdd(w3, right, Row3Right);
        }
    }

    /// <summary>The tile written to four rows <paramref name="stride"/> apart.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void Store(ref double target, nuint stride)
    {
        Row0Left.StoreUnsafe(ref target);
        Row0Right.StoreUnsafe(ref target, 8);
        Row1Left.StoreUnsafe(ref target, stride);
        Row1Right.StoreUnsafe(ref target, stride + 8);
        Row2Left.StoreUnsafe(ref target, 2 * stride);
        Row2Right.StoreUnsafe(ref target, (2 * stride) + 8);
        Row3Left.StoreUnsafe(ref target, 3 * stride);
        Row3Right.StoreUnsafe(ref target, (3 * stride) + 8);
    }
}

/// <summary>
/// <see cref="RegisterTile512"/> with 256-bit vectors: four rows by 8 columns (<see cref="RightLookingCholeskyKernel"/> and
/// <see cref="StripTriangularSolve"/>).
/// </summary>
internal struct RegisterTile256
{
    public Vector256<double> Row0Left, Row0Right, Row1Left, Row1Right, Row2Left, Row2Right, Row3Left, Row3Right;

    /// <summary>The tile read from four rows <paramref name="stride"/> apart.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static RegisterTile256 Load(ref double target, nuint stride) => new()
    {
        Row0Left = Vector256.LoadUnsafe(ref target), Row0Right = Vector256.LoadUnsafe(ref target, 4),
        Row1Left = Vector256.LoadUnsafe(ref target, stride), Row1Right = Vector256.LoadUnsafe(ref target, stride + 4),
        Row2Left = Vector256.LoadUnsafe(ref target, 2 * stride), Row2Right = Vector256.LoadUnsafe(ref target, (2 * stride) + 4),
        Row3Left = Vector256.LoadUnsafe(ref target, 3 * stride), Row3Right = Vector256.LoadUnsafe(ref target, (3 * stride) + 4),
    };

    /// <summary>The tile read from four rows anywhere, from column <paramref name="at"/> (<see cref="FourRowCombination"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static RegisterTile256 Load(ref double row0, ref double row1, ref double row2, ref double row3, nuint at) => new()
    {
        Row0Left = Vector256.LoadUnsafe(ref row0, at), Row0Right = Vector256.LoadUnsafe(ref row0, at + 4),
        Row1Left = Vector256.LoadUnsafe(ref row1, at), Row1Right = Vector256.LoadUnsafe(ref row1, at + 4),
        Row2Left = Vector256.LoadUnsafe(ref row2, at), Row2Right = Vector256.LoadUnsafe(ref row2, at + 4),
        Row3Left = Vector256.LoadUnsafe(ref row3, at), Row3Right = Vector256.LoadUnsafe(ref row3, at + 4),
    };

    /// <summary>The tile written to four rows anywhere, from column <paramref name="at"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void Store(ref double row0, ref double row1, ref double row2, ref double row3, nuint at)
    {
        Row0Left.StoreUnsafe(ref row0, at);
        Row0Right.StoreUnsafe(ref row0, at + 4);
        Row1Left.StoreUnsafe(ref row1, at);
        Row1Right.StoreUnsafe(ref row1, at + 4);
        Row2Left.StoreUnsafe(ref row2, at);
        Row2Right.StoreUnsafe(ref row2, at + 4);
        Row3Left.StoreUnsafe(ref row3, at);
        Row3Right.StoreUnsafe(ref row3, at + 4);
    }

    /// <summary>
    /// <c>tile[r, :] -= sum_k coefficients[k termStep + r rowStep] rows[k rowStride, :]</c> for <c>k &lt; count</c>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void SubtractProducts(ref double rows, nint rowStride, ref double coefficients, nint termStep, nint rowStep, int count)
    {
        for (int k = 0; k < count; k++)
        {
            ref double source = ref Unsafe.Add(ref rows, k * rowStride);
            ref double weights = ref Unsafe.Add(ref coefficients, k * termStep);
            Vector256<double> left = Vector256.LoadUnsafe(ref source), right = Vector256.LoadUnsafe(ref source, 4);
            var w0 = Vector256.Create(-weights);
            var w1 = Vector256.Create(-Unsafe.Add(ref weights, rowStep));
            var w2 = Vector256.Create(-Unsafe.Add(ref weights, 2 * rowStep));
            var w3 = Vector256.Create(-Unsafe.Add(ref weights, 3 * rowStep));
            Row0Left = Vector256.FusedMultiplyAdd(w0, left, Row0Left);
            Row0Right = Vector256.FusedMultiplyAdd(w0, right, Row0Right);
            Row1Left = Vector256.FusedMultiplyAdd(w1, left, Row1Left);
            Row1Right = Vector256.FusedMultiplyAdd(w1, right, Row1Right);
            Row2Left = Vector256.FusedMultiplyAdd(w2, left, Row2Left);
            Row2Right = Vector256.FusedMultiplyAdd(w2, right, Row2Right);
            Row3Left = Vector256.FusedMultiplyAdd(w3, left, Row3Left);
            Row3Right = Vector256.FusedMultiplyAdd(w3, right, Row3Right);
        }
    }

    /// <summary>The tile written to four rows <paramref name="stride"/> apart.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void Store(ref double target, nuint stride)
    {
        Row0Left.StoreUnsafe(ref target);
        Row0Right.StoreUnsafe(ref target, 4);
        Row1Left.StoreUnsafe(ref target, stride);
        Row1Right.StoreUnsafe(ref target, stride + 4);
        Row2Left.StoreUnsafe(ref target, 2 * stride);
        Row2Right.StoreUnsafe(ref target, (2 * stride) + 4);
        Row3Left.StoreUnsafe(ref target, 3 * stride);
        Row3Right.StoreUnsafe(ref target, (3 * stride) + 4);
    }
}
