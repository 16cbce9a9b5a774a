using HessianCodegen.Optimization;
using Xunit;

namespace HessianCodegen.Tests.Optimization;

/// <summary>Nocedal and Wright's Algorithm 4.1: when the radius shrinks, grows or stays, and which steps are taken.</summary>
public sealed class TrustRegionRadiusTests
{
    [Theory]
    [InlineData(0.1, true, 0.5)]      // poor model: a quarter
    [InlineData(-3.0, false, 0.5)]    // the loss rose: a quarter
    [InlineData(double.NaN, true, 0.5)] // the trial point overflowed: a quarter
    [InlineData(0.5, true, 2.0)]      // adequate: unchanged
    [InlineData(0.9, false, 2.0)]     // good, but the step was inside: unchanged
    [InlineData(0.9, true, 4.0)]      // good and on the boundary: doubled
    public void RadiusFollowsTheRatio(double ratio, bool onBoundary, double expected) =>
        Assert.Equal(expected, TrustRegionRadius.Update(2.0, ratio, onBoundary, maxRadius: 100));

    [Fact]
    public void RadiusNeverExceedsItsMaximum() =>
        Assert.Equal(3.0, TrustRegionRadius.Update(2.0, 1.0, stepOnBoundary: true, maxRadius: 3));

    [Theory]
    [InlineData(0.05, false)]
    [InlineData(0.1, false)]
    [InlineData(0.11, true)]
    public void StepIsTakenOnlyAboveEta(double ratio, bool taken) => Assert.Equal(taken, TrustRegionRadius.Accepts(ratio, eta: 0.1));

    [Fact]
    public void RatioOfAZeroPredictionDependsOnTheLoss()
    {
        Assert.Equal(1.0, TrustRegionRadius.Ratio(0.0, 0.0));
        Assert.Equal(double.NegativeInfinity, TrustRegionRadius.Ratio(-1e-12, 0.0));
        Assert.Equal(0.5, TrustRegionRadius.Ratio(1.0, 2.0));
    }
}
