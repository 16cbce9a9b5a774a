using System;

namespace HessianCodegen.Optimization;

/// <summary>Settings of <see cref="LevenbergMarquardtOptimizer"/>.</summary>
public sealed record LevenbergMarquardtSettings
{
    /// <summary>Examples in the batch the gradient, the loss and the ratio test use (the whole set when larger).</summary>
    public int GradientBatchSize { get; init; } = int.MaxValue;

    /// <summary>Examples of the gradient batch the Gauss-Newton matrix is computed on.</summary>
    public int CurvatureBatchSize { get; init; } = 32;

    /// <summary>The first damping <c>mu</c> of <c>(G + mu I) p = -g</c>.</summary>
    public double InitialDamping { get; init; } = 1e-2;

    /// <summary>A step is taken when actual over predicted reduction exceeds this.</summary>
    public double Eta { get; init; } = 1e-4;

    internal void Validate()
    {
        OptimizerGuard.BatchSize(GradientBatchSize, nameof(GradientBatchSize));
        OptimizerGuard.BatchSize(CurvatureBatchSize, nameof(CurvatureBatchSize));
        OptimizerGuard.Positive(InitialDamping, nameof(InitialDamping));
        OptimizerGuard.Fraction(Eta, nameof(Eta));
        if (CurvatureBatchSize > GradientBatchSize)
        {
            throw new ArgumentOutOfRangeException(nameof(CurvatureBatchSize), CurvatureBatchSize,
                $"CurvatureBatchSize is {CurvatureBatchSize}; expected at most GradientBatchSize ({GradientBatchSize}).");
        }
    }
}
