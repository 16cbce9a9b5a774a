using SampleSupport;
using Xunit;
using Xunit.Abstractions;

namespace HessianCodegen.Tests;

/// <summary>
/// Random chains of the standard layers, eps from 1e-10 to 10: every solve reaches a backward error
/// of at most 1e-14 (reported, and checked with <c>H x</c> and the exact <c>||H + eps I||_2</c>) or
/// raises <see cref="SingularSystemException"/>; never a NaN. Where the matrix-free <c>H x</c> cannot
/// certify 1e-14 (even the dense LU solution misses it, measured the same way), a solution must do as
/// well as the dense one. A larger run:
/// <c>dotnet run --project samples/Benchmarks -c Release -- --soak 5000</c>.
/// </summary>
public sealed class SolveSoakTests(ITestOutputHelper output)
{
    [Fact]
    public void EveryRandomChainSolvesToRoundOffOrIsSingular()
    {
        SolveSoak.Summary summary = SolveSoak.Run(seed: 1000, chains: 300, limit: 1e-14);
        output.WriteLine($"{summary.Chains} chains: {summary.Solved} solved, {summary.Singular} singular, {summary.Overflowed} overflowed, {summary.Unverifiable} where H x cannot certify 1e-14 (the dense solution's backward error up to {summary.WorstDenseBackwardError:E2}); " +
            $"fallback factorizations {summary.FallbackFactorizations}, fallback solves {summary.FallbackSolves}; worst backward error " +
            $"reported {summary.WorstReportedBackwardError:E2}, checked {summary.WorstCheckedBackwardError:E2}");
        foreach (string failure in summary.Failures)
        {
            output.WriteLine(failure);
        }

        Assert.Empty(summary.Failures);
        Assert.True(summary.Solved >= summary.Chains * 9 / 10, $"only {summary.Solved} of {summary.Chains} chains were solved");
    }
}
