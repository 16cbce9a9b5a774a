using System;
using System.Threading;

namespace HessianCodegen;

/// <summary>
/// The work arrays <see cref="RiccatiFactorization.Create"/> factors in (the value matrices, the products with <c>Dx</c>, the whole
/// pivot block's square and its kernels' scratch, the low-rank route's <see cref="LowRankWorkspace"/>), kept by the derivatives for
/// their next factorization where they are small (<see cref="KeepLimitValues"/>): a trust-region or damping search factors the same
/// derivatives again and again, and at batch 1 these arrays (146 KB a factorization at width 8, depth 128: the order-72 square and
/// its Cholesky kernel's padded scratch the most) were two thirds of what a repeated factorization allocated. Every value is written
/// before it is read, in a kept array as in a new uninitialized one.
/// </summary>
internal sealed class RiccatiScratch
{
    /// <summary>
    /// The most values a factorization's scratch may hold (by <see cref="Fits"/>'s estimate of its largest arrays; the kept set's
    /// other arrays may bring it to about twice that) to be kept: 1 Mi (8 MiB). Width 16 at batch 8 (about 0.27 Mi) and the batch-64
    /// width-8 chain (about 0.62 Mi) are kept; above it (issue 7's ReLU network, wider or larger batches) the arrays are allocated
    /// per factorization as before, where their arithmetic dwarfs the allocation, so that the derivatives of a large batch do not
    /// hold them between factorizations.
    /// </summary>
    internal const long KeepLimitValues = 1L << 20;

    internal double[] Value = [];
    internal double[] NextValue = [];
    internal double[] DxT = [];
    internal double[] Weighted = [];
    internal double[] WeightedT = [];
    internal double[] StateProduct = [];
    internal double[] MiddleSolved = [];
    internal double[] CouplingT = [];
    internal double[] PackedCouplingT = [];
    internal double[] Work = [];
    internal double[] JacobianZ = [];

    /// <summary>The whole pivot block's square (its order's exactly, as the kernels take it).</summary>
    internal double[] Block = [];

    /// <summary>
    /// The square of the other order a chain's whole blocks take (its loss layer's, then its hidden layers'), kept beside
    /// <see cref="Block"/> so that neither is made again in each factorization.
    /// </summary>
    internal double[] SpareBlock = [];

    internal LowRankWorkspace? LowRank;

    /// <summary>
    /// Whether a factorization of states up to <paramref name="largestState"/> and pivot blocks up to <paramref name="largestP"/>
    /// parameters keeps its scratch: the two value matrices, the square and about as much of its kernels' scratch, <c>Dx^T</c> and the two products with it, at most
    /// <see cref="KeepLimitValues"/> values.
    /// </summary>
    internal static bool Fits(int largestState, int largestP) =>
        (2L * largestState * largestState) + (2L * largestP * largestP) + (3L * largestP * largestState) <= KeepLimitValues;

    /// <summary>
    /// A square of <paramref name="length"/> values for the whole block: <see cref="Block"/> where it has that length, else
    /// <see cref="SpareBlock"/> swapped in where that one has, else a new uninitialized one. The old square is kept as the spare only
    /// where <paramref name="keepSpare"/> (the scratch is kept: small); else it is let go before the new one is made, so that a large
    /// factorization whose whole blocks take two orders never holds both squares (in issue 7's network, 171 MB beside the others'
    /// where its first block goes whole).
    /// </summary>
    internal double[] BlockOf(int length, bool keepSpare)
    {
        if (Block.Length != length)
        {
            (Block, SpareBlock) = keepSpare ? (SpareBlock, Block) : ([], []);
            if (Block.Length != length)
            {
                Block = [];
                Block = GC.AllocateUninitializedArray<double>(length);
            }
        }

        return Block;
    }

    /// <summary>The scratch kept in <paramref name="slot"/> (taken out of it, so that a concurrent factorization makes its own), or a new one.</summary>
    internal static RiccatiScratch Take(ref RiccatiScratch? slot) => Interlocked.Exchange(ref slot, null) ?? new RiccatiScratch();

    /// <summary>Puts <paramref name="scratch"/> back into <paramref name="slot"/> for the next factorization.</summary>
    internal static void Keep(ref RiccatiScratch? slot, RiccatiScratch scratch) => Volatile.Write(ref slot, scratch);
}
