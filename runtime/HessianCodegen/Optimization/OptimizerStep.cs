namespace HessianCodegen.Optimization;

/// <summary>What one <see cref="IOptimizer.Step"/> did.</summary>
/// <param name="Loss">The loss on the step's gradient batch at the parameters the step started from.</param>
/// <param name="Accepted">Whether the parameters moved (a trust-region or line-search step can be rejected).</param>
/// <param name="Timings">Where the step's time went.</param>
/// <param name="Factorizations">Factorizations of the curvature the step made (0 for first-order methods).</param>
/// <param name="Scale">
/// The method's own step control after the step: the trust-region radius, the Levenberg-Marquardt damping,
/// the line search's step length; the learning rate for first-order methods.
/// </param>
public readonly record struct OptimizerStep(double Loss, bool Accepted, StepTimings Timings, int Factorizations, double Scale);
