namespace HessianCodegen;

/// <summary>How the Riccati recursion factored one layer's pivot block <c>A_l = X + Dx^T P Dx</c>, <c>X = Xxx + eps I</c> (docs/algorithm.md section 12).</summary>
public enum PivotBlockRoute
{
    /// <summary><c>A_l</c> formed and factored whole, <c>p x p</c>, by Cholesky or Bunch-Kaufman <c>L D L^T</c>.</summary>
    Whole,

    /// <summary>
    /// <c>A_l</c> never formed: <c>X</c> factored block by block (it is block-diagonal over groups of parameters),
    /// and only the core <c>I + R P R^T</c> of the order of the rank of <c>Dx</c> factored dense. Taken when
    /// <c>p</c> exceeds the layer's outputs over the batch, <c>X</c> is positive definite with a small condition
    /// number, and it costs fewer flops than the whole block.
    /// </summary>
    LowRankUpdate,
}
