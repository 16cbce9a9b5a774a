using System;

namespace HessianCodegen;

/// <summary>
/// The second-derivative blocks of a layer (docs/algorithm.md section 2), as flags: which ones a layer
/// can make non-zero (<see cref="IHessianLayer.NonZeroSecondDerivatives"/>) and which ones the runtime stores.
/// </summary>
[Flags]
public enum SecondDerivativeBlocks
{
    /// <summary>No block: every second derivative is zero (a linear layer's <c>Xxx</c> and <c>Xzz</c>, for example).</summary>
    None = 0,

    /// <summary><c>Xxx</c>, in the parameters (<c>p x p</c>).</summary>
    Xxx = 1,

    /// <summary><c>Xzx</c>, mixed (<c>p x a_in</c>).</summary>
    Xzx = 2,

    /// <summary><c>Xzz</c>, in the input (<c>a_in x a_in</c>).</summary>
    Xzz = 4,

    /// <summary>All three.</summary>
    All = Xxx | Xzx | Xzz,
}
