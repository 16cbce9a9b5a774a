using System;
using System.IO;
using System.Text.RegularExpressions;
using DiffPlex.Renderer;
using Xunit.Sdk;

namespace HessianCodegen.Generator.Tests.Infrastructure;

/// <summary>
/// Snapshot assertions in the spirit of Verify: <see cref="Verify"/> compares a text with
/// <c>Snapshots/{name}.verified.cs</c> of this test project. On a mismatch it writes
/// <c>Snapshots/{name}.received.cs</c> beside it (git-ignored) and fails with a unified diff.
/// </summary>
/// <remarks>
/// To accept every received text as the new verified one, run
/// <c>HCG_ACCEPT_SNAPSHOTS=1 dotnet test tests/HessianCodegen.Generator.Tests</c> and review the
/// change with <c>git diff</c>. Line endings are normalized to <c>\n</c>; the generator version in
/// <c>[GeneratedCode(...)]</c> is scrubbed, since it changes with every release.
/// </remarks>
internal static partial class Snapshot
{
    /// <summary>The environment variable that, set to <c>1</c>, rewrites verified files instead of failing.</summary>
    public const string AcceptVariable = "HCG_ACCEPT_SNAPSHOTS";

    /// <summary>The directory holding the verified snapshots.</summary>
    public static string Directory { get; } = Path.Combine(RepositoryPaths.TestProjectDirectory, "Snapshots");

    /// <summary>Fails unless <paramref name="text"/>, scrubbed, equals the verified snapshot <paramref name="name"/>.</summary>
    public static void Verify(string name, string text)
    {
        if (name.Length == 0 || name.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0)
        {
            throw new ArgumentException($"A snapshot name must be a plain file name; got '{name}'.", nameof(name));
        }

        string verifiedPath = Path.Combine(Directory, name + ".verified.cs");
        string receivedPath = Path.Combine(Directory, name + ".received.cs");
        string received = Scrub(text);
        string? verified = File.Exists(verifiedPath) ? NormalizeLineEndings(File.ReadAllText(verifiedPath)) : null;

        if (verified == received)
        {
            File.Delete(receivedPath);
            return;
        }

        if (Environment.GetEnvironmentVariable(AcceptVariable) == "1")
        {
            System.IO.Directory.CreateDirectory(Directory);
            File.WriteAllText(verifiedPath, received);
            File.Delete(receivedPath);
            return;
        }

        File.WriteAllText(receivedPath, received);
        string diff = UnidiffRenderer.GenerateUnidiff(
            verified ?? string.Empty, received, name + ".verified.cs", name + ".received.cs",
            ignoreWhitespace: false, ignoreCase: false, contextLines: 3);
        throw new XunitException(
            (verified is null ? $"Snapshot '{name}' has no verified file yet." : $"Snapshot '{name}' does not match.") +
            $"{Environment.NewLine}Received text written to {receivedPath}; to accept, run " +
            $"{AcceptVariable}=1 dotnet test tests/HessianCodegen.Generator.Tests" +
            $"{Environment.NewLine}{diff}");
    }

    /// <summary>Normalizes line endings and replaces what changes between builds with fixed placeholders.</summary>
    public static string Scrub(string text) =>
        GeneratedCodeVersion().Replace(NormalizeLineEndings(text), "${prefix}\"{scrubbed-version}\"");

    private static string NormalizeLineEndings(string text) => text.Replace("\r\n", "\n").Replace('\r', '\n');

    // The second argument of [GeneratedCode("tool", "version")], with or without the Attribute suffix and namespace.
    [GeneratedRegex("""(?<prefix>GeneratedCode(?:Attribute)?\(\s*"[^"]*"\s*,\s*)"[^"]*" """, RegexOptions.IgnorePatternWhitespace)]
    private static partial Regex GeneratedCodeVersion();
}
