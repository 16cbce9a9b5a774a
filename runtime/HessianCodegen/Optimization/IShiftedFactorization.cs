using System;

namespace HessianCodegen.Optimization;

/// <summary>
/// One factorization of <c>M + shift I</c>, made by <see cref="IShiftedSystem.Factorize"/>. Disposing it when done
/// lets the system's next factorization reuse its storage (<see cref="HessianFactorization.Dispose"/>).
/// </summary>
internal interface IShiftedFactorization : IDisposable
{
    /// <summary>Nothing to give back, unless the factorization says otherwise.</summary>
    void IDisposable.Dispose()
    {
    }

    /// <summary>Whether <c>M + shift I</c> is positive definite (exactly: from the inertia, not guessed).</summary>
    bool IsPositiveDefinite { get; }

    /// <summary>Solves <c>(M + shift I) x = rhs</c> (the trust-region search calls it only when positive definite).</summary>
    void Solve(ReadOnlySpan<double> rhs, Span<double> result);
}
