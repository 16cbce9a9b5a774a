// Measures how long the HessianCodegen generator takes on the standard layer library:
//   cold        a fresh driver (fresh generator, fresh compilation) on the 7 layer sources;
//   unrelated   the same driver again after a one-character edit in a file that is no layer;
//   layer edit  the same driver again after a one-character edit inside one layer's math;
//   nested      cold, on one layer of 5, 10, 20 and 40 nested activations, tanh(tanh(...(W z + c))),
//               whose time and emitted size must grow at most linearly with the nesting.
// Run: dotnet run --project samples/GeneratorBenchmark -c Release [-- runs]
// A benchmark, never a unit test: timings depend on the machine and its load. Wall-clock time
// stretches when other processes compete for the cores; process CPU time much less so.

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using HessianCodegen;
using HessianCodegen.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace HessianCodegen.GeneratorBenchmark;

internal static class Program
{
    private const double ColdTargetMilliseconds = 100.0;

    private const string UnrelatedPath = "Unrelated.cs";

    // Untimed cold runs after the first, so that the timed ones see jitted code, as a long-lived compiler server does.
    private const int WarmupRuns = 10;

    private static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    // Nesting depths of the nested-activation layer; the last is the one the README reports.
    private static readonly int[] NestingDepths = [5, 10, 20, 40];

    private static int Main(string[] args)
    {
        int runs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 20;
        if (runs < 1)
        {
            Console.Error.WriteLine($"The number of runs must be at least 1; got {runs}.");
            return 2;
        }

        var layers = Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Layers"), "*.cs")
            .Order(StringComparer.Ordinal)
            .Select(path => CSharpSyntaxTree.ParseText(File.ReadAllText(path), ParseOptions, path))
            .ToArray();
        var references = FrameworkAndRuntimeReferences();

        // The first run in the process pays for JIT-compiling the generator and Roslyn.
        var first = TimeCold(layers, references, out int generatedFiles);
        for (int warmup = 0; warmup < WarmupRuns; warmup++)
        {
            TimeCold(layers, references, out _);
        }

        var cold = Enumerable.Range(0, runs).Select(_ => TimeCold(layers, references, out _)).ToList();
        var unrelated = RepeatEdits(runs, layers, references, editLayer: false);
        var layerEdit = RepeatEdits(runs, layers, references, editLayer: true);
        var nested = NestingDepths.Select(depth =>
        {
            SyntaxTree[] layer = [NestedLayer(depth)];
            int emitted = EmittedCharacters(layer, references);
            return (Depth: depth, Characters: emitted, Times: Enumerable.Range(0, runs).Select(_ => TimeCold(layer, references, out _)).ToList());
        }).ToList();

        Console.WriteLine($"HessianCodegen generator on {layers.Length} standard layers ({generatedFiles} generated files), " +
            $"{runs} timed runs each after {WarmupRuns} untimed warm-up runs");
        Console.WriteLine();
        Console.WriteLine($"{"scenario",-44} {"median ms",10} {"min ms",8} {"max ms",8} {"median CPU ms",14}");
        Console.WriteLine(new string('-', 88));
        Row("first run in process (JIT included)", [first]);
        Row("cold: fresh driver and compilation, warm JIT", cold);
        Row("incremental: 1-char edit in unrelated file", unrelated);
        Row("incremental: 1-char edit in one layer", layerEdit);
        foreach ((int depth, _, List<Measurement> times) in nested)
        {
            Row($"cold: one layer of {depth} nested tanh", times);
        }

        Console.WriteLine();
        Console.WriteLine($"{"nesting depth",14} {"emitted chars",14} {"chars per level",16} {"CPU ms per level",17}");
        foreach ((int depth, int characters, List<Measurement> times) in nested)
        {
            double cpuPerLevel = Median(times.Select(time => time.CpuMilliseconds).ToList()) / depth;
            Console.WriteLine($"{depth,14} {characters,14} {(double)characters / depth,16:F0} {cpuPerLevel,17:F2}");
        }

        Console.WriteLine();
        Console.WriteLine("(the per-level columns stay flat when time and size are linear in the nesting)");
        double coldMedian = Median(cold.Select(time => time.WallMilliseconds).ToList());
        Console.WriteLine(coldMedian < ColdTargetMilliseconds
            ? $"cold median {coldMedian:F1} ms is under the {ColdTargetMilliseconds:F0} ms target"
            : $"cold median {coldMedian:F1} ms is OVER the {ColdTargetMilliseconds:F0} ms target");
        return 0;
    }

    private static Measurement TimeCold(SyntaxTree[] layers, MetadataReference[] references, out int generatedFiles)
    {
        var compilation = Compile(layers.Append(Unrelated(0)), references);
        var driver = CreateDriver();
        var measurement = Measure(() => driver = driver.RunGenerators(compilation));
        generatedFiles = RequireSuccess(driver);
        return measurement;
    }

    // The generated layer's length in characters (lines hide long ones); the run also warms the generator up for this layer.
    private static int EmittedCharacters(SyntaxTree[] layer, MetadataReference[] references)
    {
        var driver = CreateDriver().RunGenerators(Compile(layer, references));
        RequireSuccess(driver);
        return driver.GetRunResult().GeneratedTrees.Sum(tree => tree.GetText().Length);
    }

    // One driver, warmed by a first run; each timed run changes one character of one file.
    private static List<Measurement> RepeatEdits(int runs, SyntaxTree[] layers, MetadataReference[] references, bool editLayer)
    {
        var unrelated = Unrelated(0);
        Compilation compilation = Compile(layers.Append(unrelated), references);
        var driver = CreateDriver().RunGenerators(compilation);
        var edited = editLayer ? layers[0] : unrelated;
        var times = new List<Measurement>();
        for (int run = 1; run <= runs; run++)
        {
            var replacement = editLayer ? EditLayer(edited, run) : Unrelated(run);
            compilation = compilation.ReplaceSyntaxTree(edited, replacement);
            edited = replacement;
            times.Add(Measure(() => driver = driver.RunGenerators(compilation)));
            RequireSuccess(driver);
        }

        return times;
    }

    // A file that declares no layer; `version` is one digit, so consecutive versions differ by one character.
    private static SyntaxTree Unrelated(int version) => CSharpSyntaxTree.ParseText(
        $"namespace Elsewhere;\n\npublic static class Arithmetic\n{{\n    public static int Scale(int value) => {version % 10} * value;\n}}\n",
        ParseOptions, UnrelatedPath);

    // tanh(tanh(...tanh(W z + c)...)) with `depth` tanh calls: an expression whose size grows linearly with depth.
    private static SyntaxTree NestedLayer(int depth)
    {
        string math = "Sum(j => W[i, j] * z[j]) + c[i]";
        for (int level = 0; level < depth; level++)
        {
            math = "Tanh(" + math + ")";
        }

        return CSharpSyntaxTree.ParseText($$"""
            using HessianCodegen;
            using static HessianCodegen.LayerMath;

            namespace GeneratorBenchmark.Nested;

            [HessianLayer]
            public sealed partial class NestedTanhLayer(int inputs, int outputs)
            {
                private readonly Vector z = Input(inputs);
                private readonly Matrix W = Parameter(outputs, inputs);
                private readonly Vector c = Parameter(outputs);

                private double Output(int i) => {{math}};
            }
            """, ParseOptions, $"NestedTanhLayer{depth}.cs");
    }

    // The layer with one character of its math changed: a single space toggled after `=>`.
    private static SyntaxTree EditLayer(SyntaxTree layer, int version)
    {
        string text = layer.GetText().ToString();
        string edited = version % 2 == 1 ? text.Replace("=> ", "=>  ", StringComparison.Ordinal) : text.Replace("=>  ", "=> ", StringComparison.Ordinal);
        return CSharpSyntaxTree.ParseText(edited, ParseOptions, layer.FilePath);
    }

    private static Measurement Measure(Action run)
    {
        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var stopwatch = Stopwatch.StartNew();
        run();
        stopwatch.Stop();
        process.Refresh();
        return new Measurement(stopwatch.Elapsed.TotalMilliseconds, (process.TotalProcessorTime - cpuBefore).TotalMilliseconds);
    }

    private static GeneratorDriver CreateDriver() =>
        CSharpGeneratorDriver.Create([new HessianLayerGenerator().AsSourceGenerator()], parseOptions: ParseOptions);

    private static CSharpCompilation Compile(IEnumerable<SyntaxTree> trees, MetadataReference[] references) =>
        CSharpCompilation.Create("GeneratorBenchmark.Layers", trees, references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    // Timing a generator that failed would measure nothing: stop with its error instead.
    private static int RequireSuccess(GeneratorDriver driver)
    {
        var result = driver.GetRunResult();
        var failure = result.Results.Select(run => run.Exception).FirstOrDefault(exception => exception is not null);
        if (failure is not null)
        {
            throw new InvalidOperationException("The generator threw while being measured.", failure);
        }

        return result.GeneratedTrees.Length;
    }

    private static MetadataReference[] FrameworkAndRuntimeReferences()
    {
        string platform = AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string
            ?? throw new InvalidOperationException("The host gave no TRUSTED_PLATFORM_ASSEMBLIES; cannot find the framework assemblies.");
        return platform.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Where(path => Path.GetFileName(path).StartsWith("System.", StringComparison.Ordinal)
                || Path.GetFileName(path) is "System.dll" or "mscorlib.dll" or "netstandard.dll")
            .Append(typeof(IHessianLayer).Assembly.Location)
            .Distinct(StringComparer.Ordinal)
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .ToArray();
    }

    private static double Median(IReadOnlyList<double> values)
    {
        var sorted = values.Order().ToArray();
        int middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    private static void Row(string scenario, IReadOnlyList<Measurement> times)
    {
        var wall = times.Select(time => time.WallMilliseconds).ToList();
        var cpu = times.Select(time => time.CpuMilliseconds).ToList();
        Console.WriteLine($"{scenario,-44} {Median(wall),10:F2} {wall.Min(),8:F2} {wall.Max(),8:F2} {Median(cpu),14:F2}");
    }

    /// <summary>One timed run: wall-clock time, and CPU time of the whole process (all threads, GC included).</summary>
    private readonly record struct Measurement(double WallMilliseconds, double CpuMilliseconds);
}
