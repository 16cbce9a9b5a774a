namespace HessianCodegen;

/// <summary>What kind of per-example data a loss layer reads.</summary>
public enum DataKind
{
    /// <summary>A class index in <c>[0, Size)</c>, stored as one value.</summary>
    ClassLabel,

    /// <summary>A vector of <c>Size</c> values.</summary>
    Target,
}

/// <summary>
/// One per-example data field of a loss layer: its name in the layer source, its offset in the
/// data span, its kind and size (the class count of a label, the length of a target).
/// </summary>
public sealed record DataField(string Name, int Offset, DataKind Kind, int Size)
{
    /// <summary>Values the field occupies in the data span: 1 for a label, <see cref="Size"/> for a target.</summary>
    public int Width => Kind == DataKind.ClassLabel ? 1 : Size;
}
