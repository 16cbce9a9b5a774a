namespace HessianCodegen;

/// <summary>
/// The inertia of a symmetric matrix: how many of its eigenvalues are positive, negative and zero
/// (Sylvester's law: congruent matrices share it). For <c>H + eps I</c> the three add up to the
/// parameter count.
/// </summary>
/// <param name="Positive">Eigenvalues greater than zero.</param>
/// <param name="Negative">Eigenvalues less than zero.</param>
/// <param name="Zero">Eigenvalues equal to zero (to working precision).</param>
public readonly record struct Inertia(int Positive, int Negative, int Zero)
{
    /// <summary>The order of the matrix: <c>Positive + Negative + Zero</c>.</summary>
    public int Count => Positive + Negative + Zero;

    /// <summary>The sum of two inertias: that of a block-diagonal matrix from its blocks' (Haynsworth's additivity).</summary>
    public static Inertia operator +(Inertia left, Inertia right) =>
        new(left.Positive + right.Positive, left.Negative + right.Negative, left.Zero + right.Zero);
}
