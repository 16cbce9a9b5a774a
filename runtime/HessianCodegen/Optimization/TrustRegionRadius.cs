namespace HessianCodegen.Optimization;

/// <summary>
/// The ratio test and radius update of Nocedal and Wright, Algorithm 4.1: the ratio
/// <c>rho = actual reduction / predicted reduction</c> decides whether a step is taken and how the
/// radius changes.
/// </summary>
public static class TrustRegionRadius
{
    /// <summary>Below this ratio the model was poor: the radius shrinks to a quarter.</summary>
    public const double ShrinkBelow = 0.25;

    /// <summary>Above this ratio, with the step on the boundary, the radius doubles (up to its maximum).</summary>
    public const double GrowAbove = 0.75;

    /// <summary>The radius for the next step.</summary>
    public static double Update(double radius, double ratio, bool stepOnBoundary, double maxRadius)
    {
        if (!(ratio >= ShrinkBelow))
        {
            // NaN (a trial point that could not be evaluated) shrinks too.
            return 0.25 * radius;
        }

        return ratio > GrowAbove && stepOnBoundary ? System.Math.Min(2 * radius, maxRadius) : radius;
    }

    /// <summary>Whether the step is taken: the ratio exceeds <paramref name="eta"/> (in [0, 1/4)).</summary>
    public static bool Accepts(double ratio, double eta) => ratio > eta;

    /// <summary>
    /// <c>actual / predicted</c>, guarded: a prediction that is not positive (the model promises nothing,
    /// as at a stationary point) gives 1 when the loss did not rise, and minus infinity when it did.
    /// </summary>
    public static double Ratio(double actualReduction, double predictedReduction)
    {
        if (predictedReduction > 0)
        {
            return actualReduction / predictedReduction;
        }

        return actualReduction >= 0 ? 1 : double.NegativeInfinity;
    }
}
