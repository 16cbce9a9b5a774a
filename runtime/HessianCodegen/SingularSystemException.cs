using System;

namespace HessianCodegen;

/// <summary>
/// <c>H + eps I</c> is singular to working precision: the factorization met a pivot that is zero
/// or too small to divide by. <see cref="Layer"/> names the layer whose block held it.
/// </summary>
public sealed class SingularSystemException : ArithmeticException
{
    /// <summary>Creates the exception with its message and the layer the pivot belongs to.</summary>
    public SingularSystemException(string message, int layer, double epsilon)
        : base(message)
    {
        Layer = layer;
        Epsilon = epsilon;
    }

    /// <summary>Index of the layer (0 = the first) whose block held the failing pivot.</summary>
    public int Layer { get; }

    /// <summary>The damping the factorization was asked for.</summary>
    public double Epsilon { get; }
}
