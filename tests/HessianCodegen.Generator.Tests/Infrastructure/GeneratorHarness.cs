using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace HessianCodegen.Generator.Tests.Infrastructure;

/// <summary>
/// Runs <see cref="HessianLayerGenerator"/> in memory over C# sources, the way the compiler runs it
/// in a build: same references (the framework and the runtime assembly), same language version.
/// </summary>
internal static class GeneratorHarness
{
    /// <summary>The language version the repository builds with.</summary>
    public static CSharpParseOptions ParseOptions { get; } = new(LanguageVersion.Latest);

    /// <summary>The framework assemblies of this process plus the runtime assembly, loaded once and shared.</summary>
    public static ImmutableArray<MetadataReference> References { get; } = LoadReferences();

    /// <summary>A library compilation of <paramref name="sources"/> (file path, text) against <see cref="References"/>.</summary>
    public static CSharpCompilation Compile(IEnumerable<(string Path, string Text)> sources) =>
        CSharpCompilation.Create(
            "LayerUnderTest",
            sources.Select(source => Parse(source.Path, source.Text)),
            References,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    /// <summary>A compilation of one source.</summary>
    public static CSharpCompilation Compile(string path, string text) => Compile([(path, text)]);

    /// <summary>Parses with the repository's language version.</summary>
    public static SyntaxTree Parse(string path, string text) => CSharpSyntaxTree.ParseText(text, ParseOptions, path);

    /// <summary>The seven standard layer sources as (file path, text), in file name order.</summary>
    public static IReadOnlyList<(string Path, string Text)> StandardLayerSources() =>
        RepositoryPaths.StandardLayerFiles().Select(path => (path, File.ReadAllText(path))).ToArray();

    /// <summary>
    /// <c>z[i] + g(W z + c)[i]</c> for an activation g of the layer language: it reads its input outside the sums, so
    /// every member, the derivative blocks too, keeps the per-example code the standard activation layers no longer
    /// emit (theirs are batch kernels); what the tests read of that code is the same.
    /// </summary>
    public static string ResidualLayer(string activation) => $$"""
        using HessianCodegen;
        using static HessianCodegen.LayerMath;

        namespace Samples;

        [HessianLayer]
        public sealed partial class Residual{{activation}}(int width)
        {
            private readonly Vector z = Input(width);
            private readonly Matrix W = Parameter(width, width);
            private readonly Vector c = Parameter(width);

            private double Output(int i) => z[i] + {{activation}}(Sum(j => W[i, j] * z[j]) + c[i]);
        }
        """;

    /// <summary>The code generated for <see cref="ResidualLayer"/>.</summary>
    public static string EmitResidual(string activation) =>
        Run(Compile("Residual.cs", ResidualLayer(activation))).Result.GeneratedTrees.Single().ToString();

    /// <summary>A driver holding a fresh generator instance.</summary>
    public static GeneratorDriver CreateDriver(bool trackSteps = false) =>
        CSharpGeneratorDriver.Create(
            [new HessianLayerGenerator().AsSourceGenerator()],
            parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackSteps));

    /// <summary>Runs a fresh generator once over <paramref name="compilation"/>.</summary>
    public static GeneratorRun Run(Compilation compilation)
    {
        var driver = CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out var driverDiagnostics);
        return new GeneratorRun(driver.GetRunResult(), output, driverDiagnostics);
    }

    private static ImmutableArray<MetadataReference> LoadReferences()
    {
        string platform = AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string
            ?? throw new InvalidOperationException("The host gave no TRUSTED_PLATFORM_ASSEMBLIES; cannot find the framework assemblies.");
        string runtime = typeof(IHessianLayer).Assembly.Location;
        return platform.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Where(IsFrameworkAssembly)
            .Append(runtime)
            .Distinct(StringComparer.Ordinal)
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .ToImmutableArray();
    }

    // The host lists every dependency of the test process; layer code may see only the framework,
    // as in a real build (the runtime is added explicitly).
    private static bool IsFrameworkAssembly(string path)
    {
        string name = Path.GetFileNameWithoutExtension(path);
        return name is "mscorlib" or "netstandard" or "System"
            || name.StartsWith("System.", StringComparison.Ordinal)
            || name.StartsWith("Microsoft.Win32.", StringComparison.Ordinal);
    }
}

/// <summary>The outcome of one generator run: what it reported and the compilation with its output added.</summary>
internal sealed record GeneratorRun(GeneratorDriverRunResult Result, Compilation Output, ImmutableArray<Diagnostic> DriverDiagnostics)
{
    /// <summary>The diagnostics the generator reported (HCG ids), plus any the driver added (CS8785 on a crash).</summary>
    public IEnumerable<Diagnostic> GeneratorDiagnostics => Result.Diagnostics.Concat(DriverDiagnostics).Distinct();

    /// <summary>The errors of the compilation after generation.</summary>
    public IEnumerable<Diagnostic> OutputErrors =>
        Output.GetDiagnostics().Where(diagnostic => diagnostic.Severity == DiagnosticSeverity.Error);

    /// <summary>The generated sources, in the order the generator added them.</summary>
    public ImmutableArray<GeneratedSourceResult> GeneratedSources => Result.Results.Single().GeneratedSources;
}
