using System;
using System.IO;
using System.Linq;
using HessianCodegen.Generator.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Xunit;

namespace HessianCodegen.Generator.Tests;

/// <summary>
/// The code emitted for each standard layer (read from runtime/HessianCodegen/Layers), run in
/// memory, against its checked-in snapshot in <c>Snapshots/</c>. To accept a change, see
/// <see cref="Snapshot"/>.
/// </summary>
public sealed class EmittedCodeSnapshotTests
{
    // The layer types exist twice here: compiled from source in memory and generated into the
    // referenced runtime assembly. The compiler warns and uses the source one, which is what we test.
    private const string SourceTypeConflictsWithImportedType = "CS0436";

    public static TheoryData<string> LayerFiles => new(RepositoryPaths.StandardLayerFiles().Select(Path.GetFileName)!);

    [Theory]
    [MemberData(nameof(LayerFiles))]
    public void EmittedCodeMatchesTheVerifiedSnapshot(string layerFile)
    {
        var run = RunOn(layerFile);

        Assert.Empty(run.GeneratorDiagnostics);
        Assert.NotEmpty(run.GeneratedSources);
        foreach (var source in run.GeneratedSources)
        {
            Snapshot.Verify(Path.GetFileNameWithoutExtension(source.HintName), source.SourceText.ToString());
        }
    }

    [Theory]
    [MemberData(nameof(LayerFiles))]
    public void EmittedCodeCompilesWithoutWarnings(string layerFile)
    {
        var run = RunOn(layerFile);

        var problems = run.Output.GetDiagnostics()
            .Where(diagnostic => diagnostic.Severity >= DiagnosticSeverity.Warning && diagnostic.Id != SourceTypeConflictsWithImportedType)
            .Where(diagnostic => diagnostic.Severity == DiagnosticSeverity.Error || run.GeneratedSources.Any(source => source.SyntaxTree == diagnostic.Location.SourceTree))
            .ToList();

        Assert.True(problems.Count == 0, "The generated code has errors or warnings:" + Environment.NewLine + string.Join(Environment.NewLine, problems));
    }

    [Theory]
    [MemberData(nameof(LayerFiles))]
    public void EmittedCodeDeclaresNoLocalItNeverReads(string layerFile)
    {
        var run = RunOn(layerFile);

        var unused = run.GeneratedSources.SelectMany(source => UnusedLocals.In(run.Output, source.SyntaxTree)).ToList();

        Assert.True(unused.Count == 0, "The generated code computes values it never uses:" + Environment.NewLine + string.Join(Environment.NewLine, unused));
    }

    [Fact]
    public void EverySnapshotBelongsToAGeneratedFile()
    {
        var generated = RepositoryPaths.StandardLayerFiles()
            .SelectMany(path => RunOn(Path.GetFileName(path)).GeneratedSources)
            .Select(source => Path.GetFileNameWithoutExtension(source.HintName) + ".verified.cs")
            .ToHashSet(StringComparer.Ordinal);

        var stale = Directory.GetFiles(Snapshot.Directory, "*.verified.cs").Select(Path.GetFileName).Where(name => !generated.Contains(name!));

        Assert.Empty(stale);
    }

    private static GeneratorRun RunOn(string layerFile)
    {
        string path = Path.Combine(RepositoryPaths.StandardLayersDirectory, layerFile);
        return GeneratorHarness.Run(GeneratorHarness.Compile(path, File.ReadAllText(path)));
    }
}
