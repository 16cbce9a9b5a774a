namespace HessianCodegen;

/// <summary>
/// What a layer of the Riccati recursion keeps of its coupling <c>C_l</c> for the sweeps (docs/algorithm.md section 12), with
/// <c>A_l = W_l M_l W_l^T</c>. <see cref="RiccatiFactorization.ChooseCouplingForm"/> decides it per layer.
/// </summary>
internal enum CouplingForm
{
    /// <summary>
    /// <c>Y = W^-1 C</c>: the step pays half a solve per column of <c>C</c>; a solve reads the pivot factors in both sweeps
    /// (<c>W^-1</c> backwards, <c>W^-T M^-1</c> forwards).
    /// </summary>
    HalfSolved,

    /// <summary>
    /// <c>A^-1 C = -K</c>, the gain's negative: the step pays a whole solve per column of <c>C</c>; a solve reads the pivot
    /// factors in the backward sweep only (the same sweeps as <see cref="HalfSolved"/> with <c>W = A</c>, <c>M = A^-1</c>).
    /// </summary>
    Gain,
}
