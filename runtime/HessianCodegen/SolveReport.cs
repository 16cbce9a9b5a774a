namespace HessianCodegen;

/// <summary>
/// How well a solution <c>x</c> of <c>(H + eps I) x = g</c> satisfies its equation, measured with a
/// matrix-free product <c>H x</c>: the normwise backward error
/// <c>||(H + eps I) x - g|| / (||H + eps I|| ||x|| + ||g||)</c> (2-norms; <c>||H + eps I||</c> is
/// estimated by the power method, from below, so the figure errs high).
/// </summary>
/// <param name="BackwardError">The backward error of the returned solution.</param>
/// <param name="InitialBackwardError">The backward error straight after the substitution sweeps of <paramref name="Path"/>.</param>
/// <param name="Refined">Whether iterative refinement changed the solution (at least one step kept).</param>
/// <param name="RefinementSteps">The refinement steps kept: each lowered the backward error.</param>
/// <param name="Path">The factorization that produced the returned solution.</param>
public readonly record struct SolveReport(
    double BackwardError, double InitialBackwardError, bool Refined, int RefinementSteps, FactorizationPath Path);
