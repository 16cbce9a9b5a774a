using System;
using System.Globalization;

namespace HessianCodegen.Generator.Symbolic;

/// <summary>
/// A tensor dimension or index range: either a primary-constructor size parameter (by name) or a
/// positive integer literal.
/// </summary>
internal sealed record Extent(string? Parameter, int Literal) : IComparable<Extent>
{
    public static Extent Of(string parameter) => new(parameter, 0);

    public static Extent Of(int literal) => new(null, literal);

    /// <summary>The C# expression for the extent (the size local, or the literal).</summary>
    public override string ToString() => Parameter ?? Literal.ToString(CultureInfo.InvariantCulture);

    public int CompareTo(Extent? other)
    {
        if (other is null)
        {
            return 1;
        }

        int byName = string.CompareOrdinal(Parameter ?? string.Empty, other.Parameter ?? string.Empty);
        return byName != 0 ? byName : Literal.CompareTo(other.Literal);
    }
}
