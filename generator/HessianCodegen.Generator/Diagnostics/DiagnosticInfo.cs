using System.Linq;
using HessianCodegen.Generator.Helpers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace HessianCodegen.Generator.Diagnostics;

/// <summary>
/// A diagnostic as a value: descriptor, file path, spans and message arguments, but no
/// <see cref="Location"/> or syntax, so that it can travel through the incremental pipeline.
/// </summary>
internal sealed record DiagnosticInfo(
    DiagnosticDescriptor Descriptor, string FilePath, TextSpan Span, LinePositionSpan LineSpan, EquatableArray<string> Arguments)
{
    public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, SyntaxNodeOrToken at, params string[] arguments)
    {
        Location location = at.GetLocation()!;
        return new DiagnosticInfo(
            descriptor,
            location.SourceTree?.FilePath ?? string.Empty,
            location.SourceSpan,
            location.GetLineSpan().Span,
            new EquatableArray<string>(arguments));
    }

    public Diagnostic ToDiagnostic() => Diagnostic.Create(
        Descriptor,
        Location.Create(FilePath, Span, LineSpan),
        Arguments.Cast<object>().ToArray());

    public bool Equals(DiagnosticInfo? other) =>
        other is not null && Descriptor.Id == other.Descriptor.Id && FilePath == other.FilePath &&
        Span.Equals(other.Span) && LineSpan.Equals(other.LineSpan) && Arguments.Equals(other.Arguments);

    public override int GetHashCode() => (Descriptor.Id.GetHashCode() * 31) + Span.GetHashCode();
}
