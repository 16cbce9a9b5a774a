namespace HessianCodegen;

/// <summary>
/// A matrix parameter in layer math, laid out row-major in the flat parameter vector.
/// Indexing it is symbolic: the generator reads the expression, nothing evaluates it.
/// </summary>
public readonly struct Matrix
{
    internal Matrix(int rows, int columns)
    {
        Rows = rows;
        Columns = columns;
    }

    /// <summary>Number of rows, fixed when the layer is constructed.</summary>
    public int Rows { get; }

    /// <summary>Number of columns, fixed when the layer is constructed.</summary>
    public int Columns { get; }

    /// <summary>Entry (<paramref name="i"/>, <paramref name="j"/>), for use inside layer math only.</summary>
    public double this[int i, int j] => throw LayerMath.NotExecutable();
}
