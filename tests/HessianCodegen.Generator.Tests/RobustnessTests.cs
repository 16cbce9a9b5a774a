using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using HessianCodegen.Generator.Diagnostics;
using HessianCodegen.Generator.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Xunit;

namespace HessianCodegen.Generator.Tests;

/// <summary>
/// Fuzzing with seeded mutations of the standard layers (210 sources: 7 layers, 10 kinds of mutation, 3 seeds). The generator
/// must never throw (an exception becomes one cryptic CS8785 warning and no output) nor fail
/// internally (it turns its own exceptions into HCG9999, which is a generator bug here too), and a
/// source that is valid C# must either get code that compiles or a documented HCG diagnostic saying why not.
/// A mutated source may simply be invalid C#: the compiler's own error is then enough.
/// </summary>
public sealed class RobustnessTests
{
    private const int SeedsPerLayer = 3;

    private const int FailuresShown = 3;

    // The ids a user can be told about (README, Diagnostics): every descriptor but the internal error.
    private static readonly HashSet<string> DocumentedIds = typeof(DiagnosticDescriptors)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(field => ((DiagnosticDescriptor)field.GetValue(null)!).Id)
        .Where(id => id != DiagnosticDescriptors.InternalError.Id)
        .ToHashSet(StringComparer.Ordinal);

    public static TheoryData<Mutation> Mutations => new(Enum.GetValues<Mutation>());

    [Theory]
    [MemberData(nameof(Mutations))]
    public void MutatedLayersGetCompilingCodeOrADiagnosticAndNeverCrashTheGenerator(Mutation mutation)
    {
        var failures = new List<string>();
        foreach (var mutant in Mutants.Value.Where(mutant => mutant.Mutation == mutation))
        {
            if (Problem(mutant) is { } problem)
            {
                failures.Add($"{Path.GetFileName(mutant.Path)}, {mutation}, seed {mutant.Seed}: {problem}{Environment.NewLine}{mutant.Source}");
            }
        }

        Assert.True(failures.Count == 0,
            $"{failures.Count} mutated sources went wrong; the first {Math.Min(failures.Count, FailuresShown)}:{Environment.NewLine}" +
            string.Join(Environment.NewLine + Environment.NewLine, failures.Take(FailuresShown)));
    }

    [Fact]
    public void AFairShareOfMutatedSourcesIsValidCSharp()
    {
        // Invalid C# only exercises the compiler: the fuzz is worth something if many mutants reach the generator's semantics.
        // Some mutations are invalid C# by design (ChangeType, BadIndexRank: none of their mutants compile), so the
        // share sits near a quarter: 53 of 210 with the seven dense and fused-loss layers, 65 of 270 once the two
        // short parameterless losses joined (12 of their 60). A fifth still catches a mutator that breaks everything.
        int valid = Mutants.Value.Count(mutant => mutant.ValidCSharp);

        Assert.True(valid >= Mutants.Value.Count / 5, $"Only {valid} of {Mutants.Value.Count} mutated sources are valid C#.");
    }

    [Fact]
    public void MutationsChangeTheSource()
    {
        var (_, text) = GeneratorHarness.StandardLayerSources()[0];

        Assert.All(Enum.GetValues<Mutation>(), mutation => Assert.NotEqual(text, SourceMutator.Mutate(text, mutation, seed: 1)));
    }

    // Every mutant of every layer, made and compiled once: the tests of this class share them.
    private static readonly Lazy<IReadOnlyList<Mutant>> Mutants = new(() =>
        Enum.GetValues<Mutation>()
            .SelectMany(mutation => GeneratorHarness.StandardLayerSources().SelectMany(layer => Enumerable.Range(0, SeedsPerLayer)
                .Select(seed => Mutant.Create(layer.Path, mutation, seed, SourceMutator.Mutate(layer.Text, mutation, seed)))))
            .ToList());

    // Null when the generator behaved; otherwise what went wrong.
    private static string? Problem(Mutant mutant)
    {
        var run = GeneratorHarness.Run(GeneratorHarness.Compile(mutant.Path, mutant.Source));

        if (run.Result.Results.Select(result => result.Exception).FirstOrDefault(exception => exception is not null) is { } exception)
        {
            return $"the generator threw {exception}";
        }

        if (run.GeneratorDiagnostics.FirstOrDefault(diagnostic => diagnostic.Id == "CS8785") is { } crash)
        {
            return $"the generator failed: {crash}";
        }

        // The generator catches its own exceptions: they surface as HCG9999, a bug like any crash.
        if (run.GeneratorDiagnostics.FirstOrDefault(diagnostic => diagnostic.Id == DiagnosticDescriptors.InternalError.Id) is { } internalError)
        {
            return $"the generator failed internally: {internalError}";
        }

        var generatorIds = run.GeneratorDiagnostics.Select(diagnostic => diagnostic.Id).Where(id => id.StartsWith("HCG", StringComparison.Ordinal)).ToList();
        if (generatorIds.FirstOrDefault(id => !DocumentedIds.Contains(id)) is { } unknown)
        {
            return $"the generator reported {unknown}, which is not one of the documented diagnostics";
        }

        if (!mutant.ValidCSharp || generatorIds.Count > 0)
        {
            return null;
        }

        var errors = run.OutputErrors.ToList();
        return errors.Count == 0
            ? null
            : "valid C# got generated code that does not compile and no HCG diagnostic:" + Environment.NewLine +
              string.Join(Environment.NewLine, errors.Take(5));
    }

    /// <summary>One mutated layer source, and whether it is valid C# before the generator runs.</summary>
    private sealed record Mutant(string Path, Mutation Mutation, int Seed, string Source, bool ValidCSharp)
    {
        public static Mutant Create(string path, Mutation mutation, int seed, string source) =>
            new(path, mutation, seed, source, !GeneratorHarness.Compile(path, source).GetDiagnostics()
                .Any(diagnostic => diagnostic.Severity == DiagnosticSeverity.Error));
    }
}
