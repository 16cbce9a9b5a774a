using System;
using HessianCodegen.LinearAlgebra;

namespace HessianCodegen;

/// <summary>
/// The factors of one pivot block <c>A_l</c> of the Riccati recursion, whichever route factored it: what the
/// recursion and its sweeps read (solves with <c>A_l</c>, its inertia and log-determinant).
/// </summary>
/// <remarks>
/// Every route writes the block as a congruence <c>A_l = W M W^T</c>, and the recursion needs only half of a solve:
/// <c>C^T A^-1 C = Y^T M^-1 Y</c> with <c>Y = W^-1 C</c> (docs/algorithm.md section 12). Cholesky: <c>W = L</c>, <c>M = I</c>;
/// Bunch-Kaufman: <c>W = P L</c>, <c>M = D</c> (1x1 and 2x2 blocks); the low-rank route: <c>W = L Q [W_T, 0; 0, I]</c>,
/// <c>M = [M_T, 0; 0, I]</c> with <c>T = W_T M_T W_T^T</c> its core's. A full solve is
/// <see cref="SolveUpperHalf"/> after <see cref="SolveMiddle"/> after <see cref="SolveLowerHalf"/>.
/// </remarks>
internal interface IPivotBlockFactor
{
    /// <summary><c>p</c>, the order of the block.</summary>
    int Order { get; }

    /// <summary>Which route factored the block.</summary>
    PivotBlockRoute Route { get; }

    /// <summary>Whether the block is positive definite.</summary>
    bool IsPositiveDefinite { get; }

    /// <summary>The counts of positive, negative and zero eigenvalues of the block.</summary>
    Inertia Inertia { get; }

    /// <summary><c>log |det A_l|</c> and its sign.</summary>
    LogDeterminant LogDeterminant { get; }

    /// <summary>Solves <c>A_l Z = B</c> in place for the <c>p</c> rows of <paramref name="rows"/>, <paramref name="width"/> values each.</summary>
    void Solve(Span<double> rows, int width);

    /// <summary><c>B = W^-1 B</c> in place for the <c>p</c> rows of <paramref name="rows"/>, <paramref name="width"/> values each: the lower half of a solve.</summary>
    void SolveLowerHalf(Span<double> rows, int width);

    /// <summary><c>B = M^-1 B</c> in place (<c>O(p)</c> per column; nothing when <see cref="MiddleIsIdentity"/>).</summary>
    void SolveMiddle(Span<double> rows, int width);

    /// <summary><c>B = W^-T B</c> in place: the upper half of a solve, the transpose of <see cref="SolveLowerHalf"/>.</summary>
    void SolveUpperHalf(Span<double> rows, int width);

    /// <summary>The floating-point operations of <see cref="SolveLowerHalf"/> for <paramref name="width"/> columns (<c>p^2</c> per column for a whole block).</summary>
    long LowerHalfFlops(int width);

    /// <summary>The flops of <see cref="SolveMiddle"/> on <paramref name="width"/> columns: 0 when <see cref="MiddleIsIdentity"/>.</summary>
    long MiddleFlops(int width);

    /// <summary>Whether <c>M = I</c> (a Cholesky factor), so that <see cref="SolveMiddle"/> does nothing and <c>Y^T M^-1 Y = Y^T Y</c>.</summary>
    bool MiddleIsIdentity { get; }

    /// <summary>Names to <paramref name="queue"/> the spans of the stored factors that the sweeps of a solve read (for the next layer's prefetch).</summary>
    void QueueStoredSpans(ref PrefetchQueue queue);

    /// <summary>The bytes of the stored factors that the sweeps of a solve read (pivots included): those <see cref="QueueStoredSpans"/> names.</summary>
    long StoredBytes { get; }
}
