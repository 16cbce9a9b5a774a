using System;
using System.Linq;
using HessianCodegen.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace HessianCodegen.Tests;

/// <summary>
/// The answer key itself: the oracle tests run on the six published cases (a directory holding only
/// some of them must not pass silently), and the extreme eigenvalues they publish check the Hessian
/// norm estimate that scales every reported backward error.
/// </summary>
public sealed class OracleCaseSetTests(ITestOutputHelper output)
{
    private static readonly string[] PublishedCases =
    [
        "mixed-depth12-batch2", "regression-tanh-depth5", "sigmoid-depth6-batch3", "softplus-depth5-batch4", "tanh-depth4-batch2", "tiny-tanh",
    ];

    [Fact]
    public void TheOracleDirectoryHoldsEveryPublishedCase()
    {
        string[] names = OracleFiles.Paths().Select(path => System.IO.Path.GetFileNameWithoutExtension(path)).ToArray();
        output.WriteLine($"oracle directory {OracleFiles.Directory}: {string.Join(", ", names)}");

        string[] missing = PublishedCases.Except(names, StringComparer.Ordinal).ToArray();
        Assert.True(missing.Length == 0, $"{OracleFiles.Directory} lacks the published case(s) {string.Join(", ", missing)}.");
    }

    [Theory]
    [MemberData(nameof(OracleFiles.Names), MemberType = typeof(OracleFiles))]
    public void HessianNormEstimateIsAtMostTheNormAndNotFarBelow(string name)
    {
        // The power method estimates ||H|| = max |eigenvalue| from below; an estimate above it would make
        // reported backward errors too small, one far below would make them needlessly large.
        ReferenceCase oracle = ReferenceCase.Load(OracleFiles.PathOf(name));
        double norm = Math.Max(Math.Abs(oracle.HessianEigenvalueMin), Math.Abs(oracle.HessianEigenvalueMax));
        double estimate = oracle.Network.At(oracle.Parameters, oracle.Batch).Derivatives().HessianNormEstimate;
        output.WriteLine($"{name}: ||H|| = {norm:E6}, estimate {estimate:E6}, ratio {estimate / norm:F6}");

        Assert.InRange(estimate, 0.9 * norm, norm * (1 + 1e-12));
    }
}
