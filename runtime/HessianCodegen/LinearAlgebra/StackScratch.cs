namespace HessianCodegen.LinearAlgebra;

/// <summary>
/// How large a kernel's per-call scratch may be and still go on the stack: up to <see cref="MaxRows"/> rows (at most
/// two values a row, 4 KB), the size of a low-rank group or a narrow layer's block, which these kernels meet once per
/// group and factorization; a larger one would risk the stack.
/// </summary>
internal static class StackScratch
{
    /// <summary>The most rows whose scratch goes on the stack.</summary>
    public const int MaxRows = 256;
}
