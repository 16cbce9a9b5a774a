using System.Collections.Generic;

namespace HessianCodegen;

/// <summary>
/// One solve of a reference case: the solution of <c>(H + Epsilon I) x = rhs</c> and the 2-norm
/// condition number of <c>H + Epsilon I</c>, which sets a fair tolerance for it.
/// </summary>
/// <param name="Epsilon">The damping.</param>
/// <param name="Solution">The solution, in the flat parameter order.</param>
/// <param name="ConditionNumber">The 2-norm condition number of <c>H + Epsilon I</c>.</param>
public sealed record ReferenceSolve(double Epsilon, IReadOnlyList<double> Solution, double ConditionNumber)
{
    /// <summary>
    /// The relative error (2-norm) a solution may fairly have: <c>1e-12 + 100 * ConditionNumber * 1.1e-16</c>.
    /// </summary>
    public double Tolerance => 1e-12 + (100 * ConditionNumber * 1.1e-16);
}
