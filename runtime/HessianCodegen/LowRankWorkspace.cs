using System;

namespace HessianCodegen;

/// <summary>
/// The arrays <see cref="LowRankPivotBlockFactor.CreateFromGroupBlocks"/>
/// works in, kept by the recursion from layer to layer, and across factorizations where the derivatives keep the recursion's
/// work arrays (<see cref="RiccatiScratch"/>). At batch 1 most layers of a tanh chain take the low-rank route, and
/// a new array per group and layer (<c>X_g</c>, its reflectors, <c>tau</c>) was most of what a deep factorization allocated
/// (11 KB per layer at width 8): fresh memory that evicted the derivatives the next layers read. The groups' values are laid
/// out as <see cref="LowRankPivotBlockFactor.KeptIn"/> stores them, so that keeping them is one copy (on the one-row path, given the
/// recursion's storage, they are written there instead and not copied). None of these but <see cref="Core"/> is
/// zeroed (every value is written before it is read); <see cref="Core"/> is cleared by the factorization that forms <c>T</c> in it.
/// </summary>
internal sealed class LowRankWorkspace
{
    /// <summary>Per group, group after group: <c>L_g</c> (<c>q x q</c>), the QR of <c>L_g^-1 Z_g^T</c> (<c>q x c</c>), <c>tau</c>.</summary>
    internal double[] GroupValues = [];

    /// <summary><c>X</c>'s diagonal, group after group (the whole block's singularity test reads it).</summary>
    internal double[] Diagonal = [];

    /// <summary>A group's row sums, then its Cholesky kernel's work, then its QR's work row.</summary>
    internal double[] Scratch = [];

    /// <summary>Rows of <c>P</c> or of <c>P R^T</c> gathered for a group's products that form the core.</summary>
    internal double[] Gathered = [];

    /// <summary>A group's <c>R_g</c> with the zeros below its diagonal.</summary>
    internal double[] Triangle = [];

    /// <summary>
    /// The core <c>T</c>, square (its order's exactly, as the factorization takes it), factored in place: a new array whenever
    /// the core's order changes from the last layer's (a longer one would not do: the factor takes the whole array as its square).
    /// </summary>
    internal double[] Core = [];

    /// <summary>The core's factorization kernels' scratch.</summary>
    internal double[] CoreWork = [];

    /// <summary>
    /// For the tests: the general path (the groups' kernels one by one, <c>T</c> through its products) even where every group has one
    /// row, so that the one-row route (<see cref="LinearAlgebra.OneRowGroupKernel"/>, the core entry by entry) can be checked against it.
    /// </summary>
    internal bool GeneralGroupsOnly;

    /// <summary>
    /// The one-row path's groups of one order, interleaved for <see cref="LinearAlgebra.OneRowGroupKernel.FactorLanes"/> (value <c>e</c>
    /// of the run's group <c>g</c> at <c>e * LaneCount + g</c>).
    /// </summary>
    internal double[] LaneValues = [];

    /// <summary>
    /// The vector width the one-row path factors runs of groups of one order at, one group per lane (<see cref="LinearAlgebra.OneRowGroupKernel.FactorLanes"/>):
    /// the machine's; the tests set a narrower one, or 0 for the pair and single kernels alone, which give the same bits.
    /// </summary>
    internal int OneRowLaneBits = LinearAlgebra.VectorWidth.Hardware;

    /// <summary>
    /// The runs of groups the one-row path has factored in lanes (<see cref="LinearAlgebra.OneRowGroupKernel.FactorLanes"/>) with this
    /// workspace, never reset (a workspace kept in <see cref="RiccatiScratch"/> counts across factorizations): the tests read it to see that the lanes were taken, since they give the same bits as the pair and single kernels.
    /// </summary>
    internal int LaneRuns;

    /// <summary>
    /// <paramref name="buffer"/>, replaced by a larger uninitialized array when it holds fewer than <paramref name="length"/>
    /// values (its contents are not kept).
    /// </summary>
    internal static double[] Grow(ref double[] buffer, int length)
    {
        if (buffer.Length < length)
        {
            buffer = GC.AllocateUninitializedArray<double>(length);
        }

        return buffer;
    }
}
