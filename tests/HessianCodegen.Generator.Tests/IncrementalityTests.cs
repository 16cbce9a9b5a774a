using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using HessianCodegen.Generator.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace HessianCodegen.Generator.Tests;

/// <summary>
/// The generator is incremental: run again on the same input, or after an edit that does not touch
/// a layer, every named pipeline step returns its cached value, and no step output holds a symbol,
/// syntax node, compilation or location (which would make caching impossible).
/// Model: NetEscapades.EnumGenerators TestHelpers, Mapperly IncrementalGeneratorTest.
/// </summary>
public sealed class IncrementalityTests
{
    private const string UnrelatedPath = "Unrelated.cs";

    private const string UnrelatedSource = """
        namespace Elsewhere;

        public static class Arithmetic
        {
            public static int Twice(int value) => 2 * value;
        }
        """;

    [Fact]
    public void EveryTrackingNameIsAStepOfTheRun()
    {
        var result = FirstRun(out _).GetRunResult().Results.Single();

        Assert.NotEmpty(TrackingNames);
        Assert.All(TrackingNames, name => Assert.True(result.TrackedSteps.ContainsKey(name),
            $"TrackingNames.{name} names no step of the pipeline; tracked steps: {string.Join(", ", result.TrackedSteps.Keys)}."));
    }

    [Fact]
    public void NoStepOutputHoldsCompilerState()
    {
        var result = FirstRun(out _).GetRunResult().Results.Single();

        var offenders = TrackingNames
            .SelectMany(name => result.TrackedSteps[name].SelectMany((step, stepIndex) => step.Outputs.SelectMany(
                (output, outputIndex) => ForbiddenStateWalker.FindForbiddenState(output.Value, $"{name}[{stepIndex}].Outputs[{outputIndex}]"))))
            .ToList();

        Assert.True(offenders.Count == 0, "Step outputs hold compiler state:" + Environment.NewLine + string.Join(Environment.NewLine, offenders));
    }

    [Fact]
    public void RunningAgainOnTheSameCompilationReusesEveryStep()
    {
        var driver = FirstRun(out var compilation);

        AssertEveryStepCached(driver.RunGenerators(compilation.Clone()), "a second run on the same compilation");
    }

    [Fact]
    public void AddingAnUnrelatedFileReusesEveryStep()
    {
        var driver = FirstRun(out var compilation);
        var edited = compilation.AddSyntaxTrees(GeneratorHarness.Parse("Added.cs", "namespace Elsewhere; internal sealed class Added { }"));

        AssertEveryStepCached(driver.RunGenerators(edited), "adding an unrelated file");
    }

    [Fact]
    public void EditingAMethodBodyElsewhereReusesEveryStep()
    {
        var driver = FirstRun(out var compilation);
        var unrelated = compilation.SyntaxTrees.Single(tree => tree.FilePath == UnrelatedPath);
        var edited = compilation.ReplaceSyntaxTree(
            unrelated, GeneratorHarness.Parse(UnrelatedPath, UnrelatedSource.Replace("2 * value", "value + value", StringComparison.Ordinal)));

        AssertEveryStepCached(driver.RunGenerators(edited), "editing a method body in an unrelated class");
    }

    [Fact]
    public void EditingALayerRecomputesItsSteps()
    {
        // The counterpart of the tests above: caching must not be so eager that a real change is missed.
        var driver = FirstRun(out var compilation);
        var layer = compilation.SyntaxTrees.Single(tree => tree.FilePath.EndsWith("MeanSquaredErrorLayer.cs", StringComparison.Ordinal));
        var edited = compilation.ReplaceSyntaxTree(
            layer, GeneratorHarness.Parse(layer.FilePath, layer.ToString().Replace("0.5 * Sum", "0.25 * Sum", StringComparison.Ordinal)));

        var before = driver.GetRunResult().GeneratedTrees.Select(tree => tree.ToString()).ToHashSet();
        var result = driver.RunGenerators(edited).GetRunResult();

        Assert.Contains(TrackingNames, name => result.Results.Single().TrackedSteps[name]
            .SelectMany(step => step.Outputs).Any(output => output.Reason is IncrementalStepRunReason.Modified or IncrementalStepRunReason.New));
        Assert.Single(result.GeneratedTrees, tree => !before.Contains(tree.ToString()));
    }

    /// <summary>The step names the generator declares (its internal <c>TrackingNames</c> constants).</summary>
    private static IReadOnlyList<string> TrackingNames { get; } = typeof(Generator.TrackingNames)
        .GetFields(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)
        .Where(field => field.IsLiteral && field.FieldType == typeof(string))
        .Select(field => (string)field.GetRawConstantValue()!)
        .ToArray();

    private static GeneratorDriver FirstRun(out Compilation compilation)
    {
        compilation = GeneratorHarness.Compile(GeneratorHarness.StandardLayerSources().Append((UnrelatedPath, UnrelatedSource)));
        var driver = GeneratorHarness.CreateDriver(trackSteps: true).RunGenerators(compilation);
        int generated = driver.GetRunResult().GeneratedTrees.Length;
        Assert.True(generated >= 7, $"The generator emitted {generated} files for the 7 standard layers: nothing to cache.");
        return driver;
    }

    private static void AssertEveryStepCached(GeneratorDriver driver, string after)
    {
        var result = driver.GetRunResult().Results.Single();
        var recomputed = TrackingNames
            .SelectMany(name => result.TrackedSteps[name].SelectMany(step => step.Outputs)
                .Where(output => output.Reason is not (IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged))
                .Select(output => $"{name}: {output.Reason} ({output.Value})"))
            .ToList();

        Assert.True(recomputed.Count == 0,
            $"After {after}, these step outputs were recomputed:" + Environment.NewLine + string.Join(Environment.NewLine, recomputed));
    }
}
