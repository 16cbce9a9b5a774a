using System;

namespace HessianCodegen.Optimization;

/// <summary>One factorization of <c>M + shift I</c>, made by <see cref="IShiftedSystem.Factorize"/>.</summary>
internal interface IShiftedFactorization
{
    /// <summary>Whether <c>M + shift I</c> is positive definite (exactly: from the inertia, not guessed).</summary>
    bool IsPositiveDefinite { get; }

    /// <summary>Solves <c>(M + shift I) x = rhs</c> (the trust-region search calls it only when positive definite).</summary>
    void Solve(ReadOnlySpan<double> rhs, Span<double> result);
}
