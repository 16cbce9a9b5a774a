using System;

namespace HessianCodegen.Optimization;

/// <summary>
/// The minimizer <c>p</c> of the model <c>g^T p + p^T M p / 2</c> subject to <c>||p|| &lt;= radius</c>,
/// as found by <see cref="TrustRegionSubproblem"/>.
/// </summary>
/// <param name="Step">The step <c>p</c>.</param>
/// <param name="Lambda">
/// The multiplier: <c>(M + Lambda I) p = -g</c> with <c>M + Lambda I</c> positive semi-definite, and
/// <c>Lambda = 0</c> unless the step is on the boundary.
/// </param>
/// <param name="OnBoundary">Whether <c>||p|| = radius</c> (to the requested tolerance).</param>
/// <param name="HardCase">
/// Whether the step needed the eigenvector estimate: <c>g</c> was (nearly) orthogonal to the eigenvectors
/// of the most negative eigenvalue and <c>Lambda</c> is (nearly) minus that eigenvalue.
/// </param>
/// <param name="PredictedReduction">
/// <c>-(g^T p + p^T M p / 2)</c>, the decrease the model promises, computed with one exact product <c>M p</c>.
/// </param>
/// <param name="Factorizations">How many shifts were factorized to find <c>Lambda</c>.</param>
/// <param name="Solves">How many right-hand sides were solved with those factorizations.</param>
/// <param name="FactorizationTime">Time spent factorizing.</param>
/// <param name="SolveTime">Time spent in solves and in products <c>M v</c>.</param>
public sealed record TrustRegionSolution(
    double[] Step,
    double Lambda,
    bool OnBoundary,
    bool HardCase,
    double PredictedReduction,
    int Factorizations,
    int Solves,
    TimeSpan FactorizationTime,
    TimeSpan SolveTime);
