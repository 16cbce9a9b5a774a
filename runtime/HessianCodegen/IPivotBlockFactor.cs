using System;

namespace HessianCodegen;

/// <summary>
/// The factors of one pivot block <c>A_l</c> of the Riccati recursion, whichever route factored it: what the
/// recursion and its sweeps read (solves with <c>A_l</c>, its inertia and log-determinant).
/// </summary>
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
}
