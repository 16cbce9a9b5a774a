using System;
using HessianCodegen.LinearAlgebra;

namespace HessianCodegen;

/// <summary>
/// A positive definite pivot block <c>A_l</c> as the Riccati recursion keeps it once the recursion is past its
/// layer: the Cholesky factor's lower triangle, packed (<see cref="PackedCholeskyKernel"/>), in the
/// factorization's <see cref="FactorStorage"/>. The recursion itself solves with the square factor
/// (<see cref="PivotBlockFactor"/>, blocked kernels for its many right-hand sides); the sweeps of a solve, one
/// right-hand side at a time, read this half-size copy.
/// </summary>
internal sealed class PackedCholeskyFactor : IPivotBlockFactor
{
    private readonly ReadOnlyMemory<double> packed;

    /// <summary>Packs the Cholesky factor <paramref name="square"/> into <paramref name="storage"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="square"/> is not a Cholesky factor of the whole route.</exception>
    public PackedCholeskyFactor(PivotBlockFactor square, FactorStorage storage)
    {
        if (!square.IsPositiveDefinite)
        {
            throw new ArgumentException("Only a Cholesky factor packs; this block has a Bunch-Kaufman factor.", nameof(square));
        }

        Order = square.Order;
        Inertia = square.Inertia;
        LogDeterminant = square.LogDeterminant;
        Memory<double> target = storage.Take(PackedCholeskyKernel.PackedLength(Order));
        PackedCholeskyKernel.Pack(square.Factors, Order, target.Span);
        packed = target;
    }

    /// <inheritdoc/>
    public int Order { get; }

    /// <summary>Always <see cref="PivotBlockRoute.Whole"/>: the block was formed and factored as it is.</summary>
    public PivotBlockRoute Route => PivotBlockRoute.Whole;

    /// <summary>Always true: the block has a Cholesky factor.</summary>
    public bool IsPositiveDefinite => true;

    /// <inheritdoc/>
    public Inertia Inertia { get; }

    /// <inheritdoc/>
    public LogDeterminant LogDeterminant { get; }

    /// <inheritdoc/>
    public void Solve(Span<double> rows, int width) => PackedCholeskyKernel.Solve(packed.Span, Order, rows, width);

    /// <inheritdoc/>
    public void SolveLowerHalf(Span<double> rows, int width) => PackedCholeskyKernel.SolveLower(packed.Span, Order, rows, width);

    /// <summary>Nothing: <c>M = I</c>.</summary>
    public void SolveMiddle(Span<double> rows, int width)
    {
    }

    /// <inheritdoc/>
    public void SolveUpperHalf(Span<double> rows, int width) => PackedCholeskyKernel.SolveLowerTransposed(packed.Span, Order, rows, width);

    /// <inheritdoc/>
    public long LowerHalfFlops(int width) => (long)Order * Order * width;

    /// <summary>0: the middle is the identity.</summary>
    public long MiddleFlops(int width) => 0;

    /// <summary>The packed triangle.</summary>
    public void QueueStoredSpans(ref PrefetchQueue queue) => queue.Add(packed.Span);

    /// <summary>The packed triangle.</summary>
    public long StoredBytes => (long)packed.Length * sizeof(double);

    /// <summary>Always true: a Cholesky factor.</summary>
    public bool MiddleIsIdentity => true;
}
