using System;

namespace HessianCodegen;

/// <summary>
/// The derivative blocks of one layer over a batch of <c>B</c> examples, all dense row-major
/// (docs/algorithm.md section 2), as views into storage shared by all layers. Per-example blocks are
/// stored one after another: <c>Dx</c> stacks B blocks <c>a x p</c> (a <c>B a x p</c> matrix),
/// <c>Dz</c> and <c>Xzz</c> hold the B diagonal blocks of block-diagonal matrices, <c>Xzx</c> holds
/// B blocks <c>p x a_in</c> (the column blocks of a <c>p x B a_in</c> matrix), and <c>Xxx</c> is summed
/// over the batch. A second-derivative block not in <see cref="Stored"/> is empty and reads as zero
/// (or, for the first layer's <c>Xzx</c> and <c>Xzz</c>, is never read).
/// </summary>
internal sealed class LayerDerivatives
{
    private readonly double[] storage;
    private readonly int dxStart;
    private readonly int dzStart;
    private readonly int xxxStart;
    private readonly int xzxStart;
    private readonly int xzzStart;
    private readonly int end;

    /// <summary>Views the layer's blocks in <paramref name="storage"/> from <paramref name="start"/> on (<see cref="Length"/> values).</summary>
    /// <param name="layer">The layer.</param>
    /// <param name="count">Examples in the batch.</param>
    /// <param name="needsJacobians">False for the loss layer: no <c>Dx</c>, <c>Dz</c> are stored.</param>
    /// <param name="stored">The second-derivative blocks to store (<see cref="StoredBlocks"/>).</param>
    /// <param name="storage">The array shared by all layers.</param>
    /// <param name="start">Where this layer's blocks start in it.</param>
    public LayerDerivatives(IHessianLayer layer, int count, bool needsJacobians, SecondDerivativeBlocks stored, double[] storage, int start)
    {
        Count = count;
        InputSize = layer.InputSize;
        OutputSize = layer.OutputSize;
        ParameterCount = layer.ParameterCount;
        Stored = stored;
        this.storage = storage;
        int jacobianExamples = needsJacobians ? count : 0;
        dxStart = start;
        dzStart = dxStart + (jacobianExamples * OutputSize * ParameterCount);
        xxxStart = dzStart + (jacobianExamples * OutputSize * InputSize);
        xzxStart = xxxStart + (Has(SecondDerivativeBlocks.Xxx) ? ParameterCount * ParameterCount : 0);
        xzzStart = xzxStart + (Has(SecondDerivativeBlocks.Xzx) ? count * ParameterCount * InputSize : 0);
        end = xzzStart + (Has(SecondDerivativeBlocks.Xzz) ? count * InputSize * InputSize : 0);
    }

    /// <summary>Examples in the batch (<c>B</c>).</summary>
    public int Count { get; }

    /// <summary><c>a_in</c>.</summary>
    public int InputSize { get; }

    /// <summary><c>a</c>.</summary>
    public int OutputSize { get; }

    /// <summary><c>p</c>.</summary>
    public int ParameterCount { get; }

    /// <summary>The second-derivative blocks stored; the others are empty.</summary>
    public SecondDerivativeBlocks Stored { get; }

    /// <summary>All blocks of the layer, one after another.</summary>
    public Span<double> All => storage.AsSpan(dxStart, end - dxStart);

    /// <summary>d output / d parameters, B blocks <c>a x p</c> (empty for the loss layer, which the solve never needs).</summary>
    public Span<double> Dx => storage.AsSpan(dxStart, dzStart - dxStart);

    /// <summary>d output / d input, B blocks <c>a x a_in</c> (empty for the loss layer).</summary>
    public Span<double> Dz => storage.AsSpan(dzStart, xxxStart - dzStart);

    /// <summary>Second derivatives in the parameters contracted with <c>b</c>, <c>p x p</c>, summed over the batch (empty where zero).</summary>
    public Span<double> Xxx => storage.AsSpan(xxxStart, xzxStart - xxxStart);

    /// <summary>Mixed second derivatives contracted with <c>b</c>, B blocks <c>p x a_in</c> (empty for the first layer, whose input is data, and where zero).</summary>
    public Span<double> Xzx => storage.AsSpan(xzxStart, xzzStart - xzxStart);

    /// <summary>Second derivatives in the input contracted with <c>b</c>, B blocks <c>a_in x a_in</c> (empty for the first layer and where zero).</summary>
    public Span<double> Xzz => storage.AsSpan(xzzStart, end - xzzStart);

    /// <summary>
    /// Names to <paramref name="queue"/> the spans the factorization reads of the layer where its block goes the low-rank
    /// route: <c>Dx</c> (read at its groups' non-zeros, named whole), <c>Dz</c> (read only where the layer has an input state:
    /// not for the <paramref name="firstLayer"/>), <c>Xzx</c>, <c>Xzz</c>; not <c>Xxx</c>, of which the route reads the groups' blocks the derivatives keep
    /// (<see cref="HessianDerivatives.GroupBlocks"/>, named by <see cref="FactorPrefetch"/>).
    /// </summary>
    internal void QueueLowRankSpans(ref LinearAlgebra.PrefetchQueue queue, bool firstLayer)
    {
        queue.Add<double>(Dx);
        if (!firstLayer)
        {
            queue.Add<double>(Dz);
        }

        queue.Add<double>(Xzx);
        queue.Add<double>(Xzz);
    }

    /// <summary>Whether <paramref name="block"/> is stored; if not, it is zero or never read.</summary>
    public bool Has(SecondDerivativeBlocks block) => (Stored & block) == block;

    /// <summary>
    /// The second-derivative blocks layer <paramref name="index"/> of <paramref name="network"/> stores: those the
    /// layer can make non-zero, less the first layer's <c>Xzx</c> and <c>Xzz</c> (its input is data, no equation
    /// reads them) and, for <see cref="Curvature.GaussNewton"/>, every block but the loss layer's (zero by definition).
    /// </summary>
    public static SecondDerivativeBlocks StoredBlocks(Network network, int index, Curvature curvature)
    {
        SecondDerivativeBlocks blocks = network.Layers[index].NonZeroSecondDerivatives;
        if (index == 0)
        {
            blocks &= ~(SecondDerivativeBlocks.Xzx | SecondDerivativeBlocks.Xzz);
        }

        return curvature == Curvature.GaussNewton && index + 1 < network.Depth ? SecondDerivativeBlocks.None : blocks;
    }

    /// <summary>Values the blocks of <paramref name="layer"/> occupy.</summary>
    public static int Length(IHessianLayer layer, int count, bool needsJacobians, SecondDerivativeBlocks stored)
    {
        checked
        {
            int p = layer.ParameterCount;
            int aIn = layer.InputSize;
            int jacobians = needsJacobians ? count * layer.OutputSize * (p + aIn) : 0;
            int xxx = (stored & SecondDerivativeBlocks.Xxx) != 0 ? p * p : 0;
            int xzx = (stored & SecondDerivativeBlocks.Xzx) != 0 ? count * p * aIn : 0;
            int xzz = (stored & SecondDerivativeBlocks.Xzz) != 0 ? count * aIn * aIn : 0;
            return jacobians + xxx + xzx + xzz;
        }
    }

    public Span<double> DxBlock(int example) => Dx.Slice(example * OutputSize * ParameterCount, OutputSize * ParameterCount);

    public Span<double> DzBlock(int example) => Dz.Slice(example * OutputSize * InputSize, OutputSize * InputSize);

    public Span<double> XzxBlock(int example) => Xzx.Slice(example * ParameterCount * InputSize, ParameterCount * InputSize);

    public Span<double> XzzBlock(int example) => Xzz.Slice(example * InputSize * InputSize, InputSize * InputSize);
}
