namespace HessianCodegen;

/// <summary>
/// How well a solution <c>x</c> of <c>(H + eps I) x = g</c> satisfies its equation, measured with a
/// matrix-free product <c>H x</c>: the normwise backward error
/// <c>||(H + eps I) x - g|| / (||H + eps I|| ||x|| + ||g||)</c> (2-norms; <c>||H + eps I||</c> is
/// estimated by the power method, from below, so the figure errs high).
/// </summary>
/// <param name="BackwardError">The backward error of the returned solution.</param>
/// <param name="InitialBackwardError">The backward error straight after the substitution sweeps.</param>
/// <param name="Refined">Whether one step of iterative refinement was taken (and kept, as it helped).</param>
public readonly record struct SolveReport(double BackwardError, double InitialBackwardError, bool Refined);
