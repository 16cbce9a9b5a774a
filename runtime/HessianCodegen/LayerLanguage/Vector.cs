namespace HessianCodegen;

/// <summary>
/// A vector in layer math: the layer's input, a parameter vector or a target.
/// Indexing it is symbolic: the generator reads the expression, nothing evaluates it.
/// </summary>
public readonly struct Vector
{
    internal Vector(int length) => Length = length;

    /// <summary>Number of entries, fixed when the layer is constructed.</summary>
    public int Length { get; }

    /// <summary>Entry <paramref name="i"/>, for use inside layer math only.</summary>
    public double this[int i] => throw LayerMath.NotExecutable();
}
