using System.IO;
using System.Runtime.CompilerServices;

namespace HessianCodegen.Generator.Tests.Infrastructure;

/// <summary>
/// Finds files of the source tree from this file's own compile-time path, so that tests read the
/// real layer sources and snapshots wherever the repository is checked out.
/// </summary>
internal static class RepositoryPaths
{
    /// <summary>The test project's directory (holds <c>Snapshots/</c>).</summary>
    public static string TestProjectDirectory { get; } = Path.GetDirectoryName(Path.GetDirectoryName(ThisFile())!)!;

    /// <summary>The repository root.</summary>
    public static string RepositoryRoot { get; } = Path.GetFullPath(Path.Combine(TestProjectDirectory, "..", ".."));

    /// <summary>The standard layer library written in the layer language.</summary>
    public static string StandardLayersDirectory { get; } =
        Path.Combine(RepositoryRoot, "runtime", "HessianCodegen", "Layers");

    /// <summary>The standard layer sources, sorted by file name so that every run sees the same order.</summary>
    public static string[] StandardLayerFiles()
    {
        var files = Directory.GetFiles(StandardLayersDirectory, "*.cs");
        System.Array.Sort(files, System.StringComparer.Ordinal);
        return files;
    }

    private static string ThisFile([CallerFilePath] string path = "") =>
        File.Exists(path)
            ? path
            : throw new FileNotFoundException(
                $"This test file was compiled at '{path}', which does not exist here; the tests read the source tree " +
                "and must run from the checkout they were built from (DeterministicSourcePaths is off for this project).");
}
