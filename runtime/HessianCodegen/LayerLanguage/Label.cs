namespace HessianCodegen;

/// <summary>
/// A class label: per-example data of a loss layer, usable only as an index
/// (for example <c>W[label, j]</c>). It is never differentiated.
/// </summary>
public readonly struct Label
{
    internal Label(int classes) => Classes = classes;

    /// <summary>Number of classes; a label lies in <c>[0, Classes)</c>.</summary>
    public int Classes { get; }

    /// <summary>Lets a label index a tensor inside layer math.</summary>
    public static implicit operator int(Label label) => throw LayerMath.NotExecutable();
}
