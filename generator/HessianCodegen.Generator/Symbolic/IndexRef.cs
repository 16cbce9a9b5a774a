using System;

namespace HessianCodegen.Generator.Symbolic;

/// <summary>
/// What may stand inside a tensor subscript: a loop index (bound by a sum or free in a derivative)
/// or a class label (data, read from the data span, never a loop).
/// </summary>
internal sealed record IndexRef(string Name, bool IsLabel) : IComparable<IndexRef>
{
    public static IndexRef Loop(string name) => new(name, false);

    public static IndexRef Label(string name) => new(name, true);

    public int CompareTo(IndexRef? other)
    {
        if (other is null)
        {
            return 1;
        }

        if (IsLabel != other.IsLabel)
        {
            return IsLabel ? 1 : -1;
        }

        return string.CompareOrdinal(Name, other.Name);
    }

    public override string ToString() => Name;
}
