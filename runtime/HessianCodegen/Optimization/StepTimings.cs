using System;

namespace HessianCodegen.Optimization;

/// <summary>Where an optimizer step's time went.</summary>
/// <param name="Gradient">Forward and backward passes: losses and gradients, trial points included.</param>
/// <param name="Derivatives">The derivative blocks of every layer (<see cref="HessianDerivatives"/>).</param>
/// <param name="Factorization">Factorizations of the shifted curvature.</param>
/// <param name="Solve">Solves with those factorizations, curvature-vector products and eigenvalue estimates.</param>
public readonly record struct StepTimings(TimeSpan Gradient, TimeSpan Derivatives, TimeSpan Factorization, TimeSpan Solve)
{
    /// <summary>The sum of the parts.</summary>
    public TimeSpan Total => Gradient + Derivatives + Factorization + Solve;

    /// <summary>Part-by-part sum.</summary>
    public static StepTimings operator +(StepTimings a, StepTimings b) =>
        new(a.Gradient + b.Gradient, a.Derivatives + b.Derivatives, a.Factorization + b.Factorization, a.Solve + b.Solve);
}
