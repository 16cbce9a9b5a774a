using System;
using System.Numerics;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace HessianCodegen.LinearAlgebra;

/// <summary>
/// The vector width of the register kernels that take one (<see cref="GroupedValueProduct"/>, <see cref="BlockDiagonalCongruence"/>,
/// <see cref="BlockDiagonalRightProduct"/>, <see cref="SmallUpperUpdate"/>, <see cref="RightLookingCholeskyKernel"/>,
/// <see cref="StripTriangularSolve"/>, <see cref="OneRowGroupKernel"/>; <see cref="SmallCholeskyKernel"/> and
/// <see cref="TriangularKernel.SolveLower(System.ReadOnlySpan{double}, int, System.Span{double}, int, int)"/>, which run at
/// <see cref="OfVectorT"/> unless asked): the machine's, or a narrower one the tests and benchmarks ask for.
/// </summary>
internal static class VectorWidth
{
    /// <summary>
    /// The widest vectors the kernels use on this machine: 512 bits where AVX-512 is there and the JIT runs <c>Vector512</c> in hardware
    /// (it does not where 512-bit instructions slow the clock, or where <c>DOTNET_PreferredVectorBitWidth</c> caps it), 256 with FMA in
    /// hardware (<c>Vector256.FusedMultiplyAdd</c> is emulated without it), else 0 (plain loops).
    /// </summary>
    public static int Hardware { get; } =
        Avx512F.IsSupported && Vector512.IsHardwareAccelerated ? 512 : Fma.IsSupported && Vector256.IsHardwareAccelerated ? 256 : 0;

    /// <summary>
    /// The width <see cref="SmallCholeskyKernel"/> and <see cref="TriangularKernel"/>'s narrow solve run at unless asked for another: <see cref="Vector{T}"/>'s, which .NET keeps at 256 bits even with AVX-512 unless
    /// <c>DOTNET_PreferredVectorBitWidth=512</c> is set, at most <see cref="Hardware"/>; 0 below 256 bits.
    /// </summary>
    public static int OfVectorT { get; } = Math.Min(Vector<double>.Count >= 4 ? Vector<double>.Count * 64 : 0, Hardware);

    /// <summary>
    /// Whether <c>Vector.FusedMultiplyAdd</c> on <see cref="Vector{T}"/> runs in hardware (x86 FMA, ARM64
    /// AdvSimd); without it each lane is a software fused multiply-add, and the <see cref="Vector{T}"/> kernels (<see cref="RankUpdate"/>,
    /// <see cref="Gemm"/>) lose to plain loops: where <see cref="Hardware"/> is 0 the kernels that take a width choose by this.
    /// </summary>
    public static bool FusedVectorT { get; } = Fma.IsSupported || AdvSimd.Arm64.IsSupported;

    /// <summary>Throws unless <paramref name="vectorBits"/> is 0, 256 or 512 and at most <see cref="Hardware"/>.</summary>
    public static void Validate(int vectorBits)
    {
        if (vectorBits is not (0 or 256 or 512) || vectorBits > Hardware)
        {
            throw new ArgumentOutOfRangeException(nameof(vectorBits), $"Vector width {vectorBits} bits; expected 0, 256 or 512, at most {Hardware} here.");
        }
    }
}
