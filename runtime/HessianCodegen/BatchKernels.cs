using System;
using System.ComponentModel;
using System.Numerics;
using HessianCodegen.LinearAlgebra;

namespace HessianCodegen;

/// <summary>
/// The kernels the generated batched members call: <c>W z</c> of every example at once and its adjoints
/// (a matrix product), element-wise activations with their slopes (and curvatures, for <c>H v</c>), the
/// chain rule through them and their derivative blocks, the adjoint of element-wise sums, and the gradient of a bias. Generated code lives in the user's assembly, so it needs this public
/// door to the runtime's internal kernels; it is not meant to be called by hand.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class BatchKernels
{
    /// <summary>
    /// <c>c = beta c + alpha op(a) op(b)</c> on row-major spans, like BLAS <c>dgemm</c>: <c>op(a)</c> is
    /// <paramref name="rows"/> x <paramref name="inner"/>, <c>op(b)</c> <paramref name="inner"/> x
    /// <paramref name="columns"/>; the strides are the distances between rows as stored.
    /// </summary>
    public static void Multiply(bool transposeA, bool transposeB, int rows, int columns, int inner, double alpha,
        ReadOnlySpan<double> a, int aStride, ReadOnlySpan<double> b, int bStride, double beta, Span<double> c, int cStride) =>
        Gemm.Multiply(transposeA, transposeB, rows, columns, inner, alpha, a, aStride, b, bStride, beta, c, cStride);

    /// <summary><c>result[k] = left[k] * right[k]</c>; the three spans have one length.</summary>
    public static void MultiplyElementwise(ReadOnlySpan<double> left, ReadOnlySpan<double> right, Span<double> result)
    {
        if (right.Length != left.Length || result.Length != left.Length)
        {
            throw new ArgumentException(
                $"An element-wise product needs spans of one length; got {left.Length}, {right.Length} and {result.Length}.", nameof(result));
        }

        int width = Vector<double>.Count;
        int k = 0;
        for (; k + width <= left.Length; k += width)
        {
            (new Vector<double>(left.Slice(k)) * new Vector<double>(right.Slice(k))).CopyTo(result.Slice(k));
        }

        for (; k < left.Length; k++)
        {
            result[k] = left[k] * right[k];
        }
    }

    /// <summary>
    /// <c>values = tanh(sums + bias)</c> and <c>slopes = 1 - values^2</c>, the bias (empty for none) added to
    /// every row; vectorized, to a few ulps of <c>Math.Tanh</c>.
    /// </summary>
    public static void Tanh(ReadOnlySpan<double> sums, ReadOnlySpan<double> bias, Span<double> values, Span<double> slopes) =>
        ActivationKernels.Tanh(sums, bias, values, slopes);

    /// <summary><c>values = sigmoid(sums + bias)</c> and <c>slopes = values (1 - values)</c>, like <see cref="Tanh"/>.</summary>
    public static void Sigmoid(ReadOnlySpan<double> sums, ReadOnlySpan<double> bias, Span<double> values, Span<double> slopes) =>
        ActivationKernels.Sigmoid(sums, bias, values, slopes);

    /// <summary><c>values = relu(sums + bias)</c> and <c>slopes = step(sums + bias)</c>, like <see cref="Tanh"/>.</summary>
    public static void Relu(ReadOnlySpan<double> sums, ReadOnlySpan<double> bias, Span<double> values, Span<double> slopes) =>
        ActivationKernels.Relu(sums, bias, values, slopes);

    /// <summary>
    /// <c>slopes = tanh'(sums + bias) = 1 - t^2</c> and <c>curvatures = tanh''(sums + bias) = -2 t slopes</c>,
    /// <c>t = tanh(sums + bias)</c> as <see cref="Tanh"/> computes it, the bias (empty for none) added to every row.
    /// </summary>
    public static void TanhDerivatives(ReadOnlySpan<double> sums, ReadOnlySpan<double> bias, Span<double> slopes, Span<double> curvatures) =>
        ActivationKernels.TanhDerivatives(sums, bias, slopes, curvatures);

    /// <summary><c>slopes = s (1 - s)</c> and <c>curvatures = slopes (1 - 2 s)</c>, <c>s = sigmoid(sums + bias)</c>, like <see cref="TanhDerivatives"/>.</summary>
    public static void SigmoidDerivatives(ReadOnlySpan<double> sums, ReadOnlySpan<double> bias, Span<double> slopes, Span<double> curvatures) =>
        ActivationKernels.SigmoidDerivatives(sums, bias, slopes, curvatures);

    /// <summary><c>slopes = step(sums + bias)</c> and <c>curvatures = 0</c>, like <see cref="TanhDerivatives"/>.</summary>
    public static void ReluDerivatives(ReadOnlySpan<double> sums, ReadOnlySpan<double> bias, Span<double> slopes, Span<double> curvatures) =>
        ActivationKernels.ReluDerivatives(sums, bias, slopes, curvatures);

    /// <summary>
    /// The tangents of an element-wise activation <c>f(u)</c>, <c>u = Wz + c</c>: <c>argumentTangents += biasDirection</c>
    /// on every row (nothing when it is empty), so that they hold the tangents of <c>u</c>, then
    /// <c>outputTangents = slopes argumentTangents</c>, element by element.
    /// </summary>
    public static void ActivationTangents(ReadOnlySpan<double> slopes, ReadOnlySpan<double> biasDirection, Span<double> argumentTangents, Span<double> outputTangents) =>
        ActivationChainRule.Tangents(slopes, biasDirection, argumentTangents, outputTangents);

    /// <summary>
    /// The adjoint and adjoint-tangent of an element-wise activation's argument <c>u</c>, element by element:
    /// <c>adjoints = b f'</c> and <c>adjointTangents = b f'' argumentTangents + s f'</c>, <c>b</c> the output
    /// adjoints and <c>s</c> the output adjoint-tangents (that term absent when they are empty).
    /// </summary>
    public static void ActivationAdjointTangents(ReadOnlySpan<double> outputAdjoints, ReadOnlySpan<double> outputAdjointTangents, ReadOnlySpan<double> slopes,
        ReadOnlySpan<double> curvatures, ReadOnlySpan<double> argumentTangents, Span<double> adjoints, Span<double> adjointTangents) =>
        ActivationChainRule.AdjointTangents(outputAdjoints, outputAdjointTangents, slopes, curvatures, argumentTangents, adjoints, adjointTangents);

    /// <summary>
    /// <c>dx += Dx</c> and <c>dz += Dz</c> of an element-wise activation <c>g(W z + c)</c> for <paramref name="count"/>
    /// examples (their <c>a x p</c> and <c>a x a_in</c> blocks one after the other), from the slopes <c>g'</c> of all of
    /// them: <c>Dx[i, W(i,j)] = s_i z_j</c>, <c>Dx[i, c_i] = s_i</c>, <c>Dz[i, j] = s_i W_ij</c>. <c>W</c> starts at
    /// <paramref name="weightsOffset"/> of the layer's <paramref name="parameterCount"/> parameters, <c>c</c> at
    /// <paramref name="biasOffset"/> (negative for none).
    /// </summary>
    public static void AddActivationJacobians(int count, int parameterCount, int weightsOffset, int biasOffset, ReadOnlySpan<double> inputs,
        ReadOnlySpan<double> weights, ReadOnlySpan<double> slopes, Span<double> dx, Span<double> dz) =>
        ActivationBlocks.AddJacobians(count, parameterCount, weightsOffset, biasOffset, inputs, weights, slopes, dx, dz);

    /// <summary>
    /// <c>xxx += sum_n Xxx</c>, and per example <c>xzx += Xzx</c> and <c>xzz += Xzz</c> (blocks one after the other), of
    /// an element-wise activation <c>g(W z + c)</c>, contracted with the output adjoints <c>b</c>, from the slopes
    /// <c>s = g'</c> and curvatures <c>q = g''</c> of all the examples; an empty block is not computed. With
    /// <c>r = b q</c>: <c>Xxx[W(i,j), W(i,k)] = sum_n r_i z_j z_k</c>, <c>Xxx[W(i,j), c_i] = sum_n r_i z_j</c>,
    /// <c>Xxx[c_i, c_i] = sum_n r_i</c>, <c>Xzx[W(i,j), k] = r_i z_j W_ik + b_i s_i [j = k]</c>,
    /// <c>Xzx[c_i, k] = r_i W_ik</c>, <c>Xzz = W^T diag(r) W</c>; offsets as in <see cref="AddActivationJacobians"/>.
    /// </summary>
    public static void AddActivationSecondDerivatives(int count, int parameterCount, int weightsOffset, int biasOffset, ReadOnlySpan<double> inputs,
        ReadOnlySpan<double> weights, ReadOnlySpan<double> outputAdjoints, ReadOnlySpan<double> slopes, ReadOnlySpan<double> curvatures,
        Span<double> xxx, Span<double> xzx, Span<double> xzz) =>
        ActivationBlocks.AddSecondDerivatives(count, parameterCount, weightsOffset, biasOffset, inputs, weights, outputAdjoints, slopes, curvatures, xxx, xzx, xzz);

    /// <summary><c>target[k] += source[k]</c>; the two spans have one length.</summary>
    public static void Add(ReadOnlySpan<double> source, Span<double> target)
    {
        if (target.Length != source.Length)
        {
            throw new ArgumentException($"A sum needs spans of one length; got {source.Length} and {target.Length}.", nameof(target));
        }

        VectorKernels.Axpy(1.0, source, target);
    }

    /// <summary><c>sums[j] += sum_n rows[n, j]</c> for the rows of <paramref name="rows"/>, each <c>sums.Length</c> long.</summary>
    public static void AddColumnSums(ReadOnlySpan<double> rows, Span<double> sums)
    {
        if (sums.Length == 0 ? rows.Length != 0 : rows.Length % sums.Length != 0)
        {
            throw new ArgumentException($"{rows.Length} values are not rows of {sums.Length}.", nameof(rows));
        }

        for (int start = 0; start < rows.Length; start += sums.Length)
        {
            VectorKernels.Axpy(1.0, rows.Slice(start, sums.Length), sums);
        }
    }
}
