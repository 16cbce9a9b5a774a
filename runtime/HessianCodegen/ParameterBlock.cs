namespace HessianCodegen;

/// <summary>
/// One parameter tensor of a layer: its name in the layer source, its offset in the layer's
/// parameter span and its shape. A vector has <see cref="Columns"/> = 1 and <see cref="IsMatrix"/> false.
/// Matrices are stored row-major.
/// </summary>
public sealed record ParameterBlock(string Name, int Offset, int Rows, int Columns, bool IsMatrix)
{
    /// <summary>Number of parameters in the tensor.</summary>
    public int Length => Rows * Columns;
}
