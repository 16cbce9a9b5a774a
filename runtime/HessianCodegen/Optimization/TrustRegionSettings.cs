using System;

namespace HessianCodegen.Optimization;

/// <summary>Settings of <see cref="TrustRegionOptimizer"/>.</summary>
public sealed record TrustRegionSettings
{
    /// <summary>Examples in the batch the gradient, the loss and the ratio test use (the whole set when larger).</summary>
    public int GradientBatchSize { get; init; } = int.MaxValue;

    /// <summary>Examples of the gradient batch the curvature is computed on (subsampled Newton).</summary>
    public int CurvatureBatchSize { get; init; } = 32;

    /// <summary>The first radius.</summary>
    public double InitialRadius { get; init; } = 1;

    /// <summary>The largest radius the update may reach.</summary>
    public double MaxRadius { get; init; } = 100;

    /// <summary>A step is taken when actual over predicted reduction exceeds this (Nocedal and Wright's eta, in [0, 1/4)).</summary>
    public double Eta { get; init; } = 0.1;

    /// <summary>
    /// The subproblem's relative tolerance on <c>||p|| = radius</c>; More and Sorensen's 0.1 saves
    /// factorizations without changing the outer iteration's convergence.
    /// </summary>
    public double SubproblemTolerance { get; init; } = 0.1;

    /// <summary>The curvature of the quadratic model: the exact Hessian, or the Gauss-Newton matrix.</summary>
    public Curvature Curvature { get; init; } = Curvature.Hessian;

    internal void Validate()
    {
        OptimizerGuard.BatchSize(GradientBatchSize, nameof(GradientBatchSize));
        OptimizerGuard.BatchSize(CurvatureBatchSize, nameof(CurvatureBatchSize));
        if (CurvatureBatchSize > GradientBatchSize)
        {
            throw new ArgumentOutOfRangeException(nameof(CurvatureBatchSize), CurvatureBatchSize,
                $"CurvatureBatchSize is {CurvatureBatchSize}; expected at most GradientBatchSize ({GradientBatchSize}).");
        }

        OptimizerGuard.Positive(InitialRadius, nameof(InitialRadius));
        OptimizerGuard.Positive(MaxRadius, nameof(MaxRadius));
        if (!(Eta >= 0 && Eta < 0.25))
        {
            throw new ArgumentOutOfRangeException(nameof(Eta), Eta, $"Eta is {Eta}; expected a number in [0, 0.25).");
        }

        if (!(SubproblemTolerance > 0 && SubproblemTolerance < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(SubproblemTolerance), SubproblemTolerance,
                $"SubproblemTolerance is {SubproblemTolerance}; expected a number in (0, 1).");
        }
    }
}
