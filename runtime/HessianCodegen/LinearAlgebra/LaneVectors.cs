using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace HessianCodegen.LinearAlgebra;

/// <summary>
/// The per-lane operations <see cref="OneRowGroupKernel.FactorLanes"/> (and <see cref="OneRowGroupKernel.SolveLower"/>'s reflector, the
/// right-looking Bunch-Kaufman's pivot search) take, over one vector type (<see cref="Lanes512"/>,
/// <see cref="Lanes256"/>), so that one generic kernel serves both widths (the JIT compiles it once per struct). Each is the
/// IEEE operation lane by lane, the same rounding as its scalar <see cref="System.Math"/> counterpart.
/// </summary>
internal interface ILaneVector<TVector>
    where TVector : struct
{
    /// <summary>Lanes in a vector: groups factored at once.</summary>
    static abstract int Count { get; }

    static abstract TVector Load(ref double source);

    static abstract void Store(TVector value, ref double target);

    static abstract TVector Broadcast(double value);

    static abstract TVector Add(TVector left, TVector right);

    static abstract TVector Subtract(TVector left, TVector right);

    static abstract TVector Multiply(TVector left, TVector right);

    static abstract TVector Divide(TVector left, TVector right);

    /// <summary><c>left * right + addend</c> rounded once (<see cref="System.Math.FusedMultiplyAdd"/> per lane).</summary>
    static abstract TVector FusedMultiplyAdd(TVector left, TVector right, TVector addend);

    static abstract TVector Negate(TVector value);

    static abstract TVector Abs(TVector value);

    static abstract TVector Sqrt(TVector value);

    static abstract TVector Max(TVector left, TVector right);

    static abstract TVector Min(TVector left, TVector right);

    /// <summary>Bit <c>i</c> set where lane <c>i</c> of <paramref name="left"/> is greater (false where either is not a number).</summary>
    static abstract uint GreaterThanBits(TVector left, TVector right);

    /// <summary><paramref name="candidate"/> in the lanes where it is greater than <paramref name="current"/>, else <paramref name="current"/> (a candidate that is not a number never replaces).</summary>
    static abstract TVector WhereGreater(TVector candidate, TVector current);

    static abstract double Element(TVector value, int lane);
}

/// <summary>Eight lanes of <see cref="Vector512{T}"/>.</summary>
internal readonly struct Lanes512 : ILaneVector<Vector512<double>>
{
    public static int Count => Vector512<double>.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> Load(ref double source) => Vector512.LoadUnsafe(ref source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector512<double> value, ref double target) => value.StoreUnsafe(ref target);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> Broadcast(double value) => Vector512.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> Add(Vector512<double> left, Vector512<double> right) => left + right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> Subtract(Vector512<double> left, Vector512<double> right) => left - right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> Multiply(Vector512<double> left, Vector512<double> right) => left * right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> Divide(Vector512<double> left, Vector512<double> right) => left / right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> FusedMultiplyAdd(Vector512<double> left, Vector512<double> right, Vector512<double> addend) =>
        Vector512.FusedMultiplyAdd(left, right, addend);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> Negate(Vector512<double> value) => -value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> Abs(Vector512<double> value) => Vector512.Abs(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> Sqrt(Vector512<double> value) => Vector512.Sqrt(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> Max(Vector512<double> left, Vector512<double> right) => Vector512.Max(left, right);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> Min(Vector512<double> left, Vector512<double> right) => Vector512.Min(left, right);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint GreaterThanBits(Vector512<double> left, Vector512<double> right) =>
        (uint)Vector512.GreaterThan(left, right).ExtractMostSignificantBits();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> WhereGreater(Vector512<double> candidate, Vector512<double> current) =>
        Vector512.ConditionalSelect(Vector512.GreaterThan(candidate, current), candidate, current);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Element(Vector512<double> value, int lane) => value.GetElement(lane);
}

/// <summary>Four lanes of <see cref="Vector256{T}"/>.</summary>
internal readonly struct Lanes256 : ILaneVector<Vector256<double>>
{
    public static int Count => Vector256<double>.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Load(ref double source) => Vector256.LoadUnsafe(ref source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector256<double> value, ref double target) => value.StoreUnsafe(ref target);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Broadcast(double value) => Vector256.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Add(Vector256<double> left, Vector256<double> right) => left + right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Subtract(Vector256<double> left, Vector256<double> right) => left - right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Multiply(Vector256<double> left, Vector256<double> right) => left * right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Divide(Vector256<double> left, Vector256<double> right) => left / right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> FusedMultiplyAdd(Vector256<double> left, Vector256<double> right, Vector256<double> addend) =>
        Vector256.FusedMultiplyAdd(left, right, addend);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Negate(Vector256<double> value) => -value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Abs(Vector256<double> value) => Vector256.Abs(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Sqrt(Vector256<double> value) => Vector256.Sqrt(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Max(Vector256<double> left, Vector256<double> right) => Vector256.Max(left, right);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Min(Vector256<double> left, Vector256<double> right) => Vector256.Min(left, right);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint GreaterThanBits(Vector256<double> left, Vector256<double> right) =>
        Vector256.GreaterThan(left, right).ExtractMostSignificantBits();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> WhereGreater(Vector256<double> candidate, Vector256<double> current) =>
        Vector256.ConditionalSelect(Vector256.GreaterThan(candidate, current), candidate, current);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Element(Vector256<double> value, int lane) => value.GetElement(lane);
}
