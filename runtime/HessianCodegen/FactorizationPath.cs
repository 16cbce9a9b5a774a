namespace HessianCodegen;

/// <summary>Which factorization of <c>H + eps I</c> a <see cref="HessianFactorization"/> or a solve used.</summary>
public enum FactorizationPath
{
    /// <summary>
    /// The Riccati recursion (docs/algorithm.md section 12): block elimination of <c>H + eps I</c> itself, last
    /// layer first, with pivot blocks <c>A_l</c> of the size of a layer's parameters, each factored by
    /// Cholesky or Bunch-Kaufman <c>L D L^T</c>. Gives the inertia and the log-determinant.
    /// </summary>
    Riccati,

    /// <summary>
    /// LU with partial pivoting of the block-tridiagonal augmented system (docs/algorithm.md sections 6, 7 and 9),
    /// the fallback when a pivot block <c>A_l</c> is singular to working precision or a Riccati solve stays
    /// inaccurate after refinement. Gives the log-determinant but not the inertia.
    /// </summary>
    BandedLU,
}
