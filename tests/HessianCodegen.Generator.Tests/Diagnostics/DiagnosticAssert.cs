using System;
using System.Linq;
using HessianCodegen.Generator.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using Xunit;

namespace HessianCodegen.Generator.Tests.Diagnostics;

/// <summary>
/// Runs the generator on one layer source in which the expected diagnostic span is marked
/// <c>[|like this|]</c>, and checks that the generator reports exactly that id at exactly that span.
/// </summary>
internal static class DiagnosticAssert
{
    private const string Start = "[|";
    private const string End = "|]";

    /// <summary>A layer class with the usual tensors (z, W, c) plus <paramref name="members"/>.</summary>
    public static string Layer(string members, string declaration = "public sealed partial class Probe(int inputs, int outputs)") => $$"""
        using HessianCodegen;
        using static HessianCodegen.LayerMath;

        namespace Samples;

        [HessianLayer]
        {{declaration}}
        {
            private readonly Vector z = Input(inputs);
            private readonly Matrix W = Parameter(outputs, inputs);
            private readonly Vector c = Parameter(outputs);
        {{members}}
        }
        """;

    /// <summary>
    /// Checks that the generator reports exactly <paramref name="id"/> at the marked span, and that its
    /// message contains each of <paramref name="messageContains"/> (what to write instead).
    /// </summary>
    public static void Reports(string id, string markedSource, params string[] messageContains)
    {
        int start = markedSource.IndexOf(Start, StringComparison.Ordinal);
        int end = markedSource.IndexOf(End, StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, "The test source must mark the expected span with [| and |].");
        string source = markedSource.Remove(end, End.Length).Remove(start, Start.Length);
        var expected = TextSpan.FromBounds(start, end - Start.Length);

        GeneratorRun run = GeneratorHarness.Run(GeneratorHarness.Compile("Probe.cs", source));
        Diagnostic[] reported = run.GeneratorDiagnostics.ToArray();

        string Describe() => string.Join(Environment.NewLine, reported.Select(d => $"{d.Id} at {d.Location.SourceSpan} '{Text(source, d.Location.SourceSpan)}': {d.GetMessage()}"));
        Diagnostic? match = reported.FirstOrDefault(d => d.Id == id);
        Assert.True(match is not null, $"Expected {id} at '{Text(source, expected)}'; the generator reported:{Environment.NewLine}{Describe()}");
        Assert.Equal(DiagnosticSeverity.Error, match!.Severity);
        Assert.True(
            match.Location.SourceSpan == expected && match.Location.GetLineSpan().Path == "Probe.cs",
            $"Expected {id} at {expected} '{Text(source, expected)}', got:{Environment.NewLine}{Describe()}");
        Assert.True(reported.All(d => d.Id == id), $"Only {id} was expected; got:{Environment.NewLine}{Describe()}");
        foreach (string part in messageContains)
        {
            Assert.Contains(part, match.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        }

        Assert.Empty(run.GeneratedSources);
    }

    private static string Text(string source, TextSpan span) =>
        span.End <= source.Length ? source.Substring(span.Start, span.Length) : "(out of range)";
}
