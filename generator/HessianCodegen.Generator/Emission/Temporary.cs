using System.Collections.Generic;
using HessianCodegen.Generator.Symbolic;

namespace HessianCodegen.Generator.Emission;

/// <summary>
/// A value materialized once per call, before the loops that read it: a reduction, or an elementwise
/// function that several loop nests (or several loops of one nest) would otherwise recompute. It is
/// a scalar local, or a span over its free indices (renamed f0, f1, ... so that equal definitions
/// share one temporary).
/// </summary>
internal sealed class Temporary
{
    public Temporary(string name, Node definition, IReadOnlyList<Extent> extents)
    {
        Name = name;
        Definition = definition;
        Extents = extents;
    }

    public string Name { get; }

    public Node Definition { get; }

    /// <summary>The ranges of the free indices f0, f1, ...; empty for a scalar.</summary>
    public IReadOnlyList<Extent> Extents { get; }

    public bool IsScalar => Extents.Count == 0;

    /// <summary>The free index names of the definition, in storage order.</summary>
    public static string FreeName(int position) =>
        position < FreeNames.Length ? FreeNames[position] : "f" + position.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static readonly string[] FreeNames = { "f0", "f1", "f2", "f3" };
}
