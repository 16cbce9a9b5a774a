using System;

namespace HessianCodegen.Optimization;

/// <summary>
/// A symmetric matrix <c>M</c> (the Hessian or the Gauss-Newton matrix at a point) seen through what
/// the trust-region search needs: <c>M + shift I</c> factorized for a trial shift, and products <c>M v</c>.
/// The network's derivatives implement it in linear time; the tests implement it with a dense
/// eigendecomposition to check the search against. Disposing it when done (a step's model is replaced) lets the next
/// system reuse its storage (<see cref="HessianDerivatives.Dispose"/>).
/// </summary>
internal interface IShiftedSystem : IDisposable
{
    /// <summary>
    /// Nothing to give back: right for a system that owns nothing pooled (the tests' dense ones, or one made over
    /// derivatives its caller disposes). A system that owns its derivatives must override it and dispose them, or
    /// their array never returns to the pool.
    /// </summary>
    void IDisposable.Dispose()
    {
    }

    /// <summary>Rows (and columns) of <c>M</c>.</summary>
    int Dimension { get; }

    /// <summary>
    /// Factorizes <c>M + shift I</c>. A system that is singular to working precision is reported
    /// as not positive definite, never thrown.
    /// </summary>
    IShiftedFactorization Factorize(double shift);

    /// <summary>Writes <c>M v</c> into <paramref name="result"/>.</summary>
    void Multiply(ReadOnlySpan<double> v, Span<double> result);
}
