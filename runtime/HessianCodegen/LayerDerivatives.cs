using System;

namespace HessianCodegen;

/// <summary>
/// The derivative blocks of one layer over a batch of <c>B</c> examples, all dense row-major
/// (docs: ALGORITHM.md section 2). Per-example blocks are stored one after another:
/// <c>Dx</c> stacks B blocks <c>a x p</c> (a <c>B a x p</c> matrix), <c>Dz</c> and <c>Xzz</c> hold
/// the B diagonal blocks of block-diagonal matrices, <c>Xzx</c> holds B blocks <c>p x a_in</c>
/// (the column blocks of a <c>p x B a_in</c> matrix), and <c>Xxx</c> is summed over the batch.
/// </summary>
internal sealed class LayerDerivatives
{
    public LayerDerivatives(IHessianLayer layer, int count, bool needsJacobians)
    {
        Count = count;
        InputSize = layer.InputSize;
        OutputSize = layer.OutputSize;
        ParameterCount = layer.ParameterCount;
        Dx = needsJacobians ? new double[count * OutputSize * ParameterCount] : [];
        Dz = needsJacobians ? new double[count * OutputSize * InputSize] : [];
        Xxx = new double[ParameterCount * ParameterCount];
        Xzx = new double[count * ParameterCount * InputSize];
        Xzz = new double[count * InputSize * InputSize];
    }

    /// <summary>Examples in the batch (<c>B</c>).</summary>
    public int Count { get; }

    /// <summary><c>a_in</c>.</summary>
    public int InputSize { get; }

    /// <summary><c>a</c>.</summary>
    public int OutputSize { get; }

    /// <summary><c>p</c>.</summary>
    public int ParameterCount { get; }

    /// <summary>d output / d parameters, B blocks <c>a x p</c> (empty for the loss layer, which the solve never needs).</summary>
    public double[] Dx { get; }

    /// <summary>d output / d input, B blocks <c>a x a_in</c> (empty for the loss layer).</summary>
    public double[] Dz { get; }

    /// <summary>Second derivatives in the parameters contracted with <c>b</c>, <c>p x p</c>, summed over the batch.</summary>
    public double[] Xxx { get; }

    /// <summary>Mixed second derivatives contracted with <c>b</c>, B blocks <c>p x a_in</c>.</summary>
    public double[] Xzx { get; }

    /// <summary>Second derivatives in the input contracted with <c>b</c>, B blocks <c>a_in x a_in</c>.</summary>
    public double[] Xzz { get; }

    public Span<double> DxBlock(int example) => Dx.AsSpan(example * OutputSize * ParameterCount, OutputSize * ParameterCount);

    public Span<double> DzBlock(int example) => Dz.AsSpan(example * OutputSize * InputSize, OutputSize * InputSize);

    public Span<double> XzxBlock(int example) => Xzx.AsSpan(example * ParameterCount * InputSize, ParameterCount * InputSize);

    public Span<double> XzzBlock(int example) => Xzz.AsSpan(example * InputSize * InputSize, InputSize * InputSize);
}
