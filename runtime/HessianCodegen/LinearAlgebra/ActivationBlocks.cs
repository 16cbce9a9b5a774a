using System;
using System.Buffers;

namespace HessianCodegen.LinearAlgebra;

/// <summary>
/// The derivative blocks of an element-wise activation <c>y = g(u)</c>, <c>u = W z + c</c>, over a batch, from the
/// slopes <c>s = g'(u)</c> and curvatures <c>q = g''(u)</c> of the whole batch (<see cref="ActivationKernels"/>),
/// one row per example. With <c>r = b q</c> (<c>b</c> the output adjoint), for example <c>n</c>:
/// <c>Dx[i, W(i,j)] = s_i z_j</c>, <c>Dx[i, c_i] = s_i</c>, <c>Dz[i, j] = s_i W_ij</c>;
/// <c>Xxx[W(i,j), W(i,k)] = sum_n r_i z_j z_k</c> (per output a weighted Gram matrix of the inputs, one matrix
/// product over the batch), <c>Xxx[W(i,j), c_i] = sum_n r_i z_j</c>, <c>Xxx[c_i, c_i] = sum_n r_i</c>;
/// <c>Xzx[W(i,j), k] = r_i z_j W_ik + b_i s_i [j = k]</c>, <c>Xzx[c_i, k] = r_i W_ik</c>; <c>Xzz = W^T diag(r) W</c>.
/// Every other entry is zero and left alone: the blocks are added into, like the layer's per-example members.
/// </summary>
internal static class ActivationBlocks
{
    /// <summary>
    /// <c>dx += Dx</c> and <c>dz += Dz</c> for <paramref name="count"/> examples: <paramref name="dx"/> holds their
    /// <c>a x p</c> blocks one after the other, <paramref name="dz"/> their <c>a x a_in</c> blocks. <c>W</c> starts at
    /// <paramref name="weightsOffset"/> of the layer's parameters, <c>c</c> at <paramref name="biasOffset"/> (negative: no bias).
    /// </summary>
    public static void AddJacobians(int count, int parameterCount, int weightsOffset, int biasOffset, ReadOnlySpan<double> inputs,
        ReadOnlySpan<double> weights, ReadOnlySpan<double> slopes, Span<double> dx, Span<double> dz)
    {
        (int inputSize, int sumCount) = Sizes(count, parameterCount, weightsOffset, biasOffset, inputs, weights, slopes);
        BatchSpans.Require(dx, count * sumCount, parameterCount, nameof(dx));
        BatchSpans.Require(dz, count * sumCount, inputSize, nameof(dz));
        for (int n = 0; n < count; n++)
        {
            ReadOnlySpan<double> input = inputs.Slice(n * inputSize, inputSize);
            for (int i = 0; i < sumCount; i++)
            {
                double slope = slopes[n * sumCount + i];
                Span<double> dxRow = dx.Slice((n * sumCount + i) * parameterCount, parameterCount);

                // Row i of Dx: s_i z in the columns of W's row i, s_i in the column of c_i; row i of Dz: s_i W_i.
                VectorKernels.Axpy(slope, input, dxRow.Slice(weightsOffset + i * inputSize, inputSize));
                if (biasOffset >= 0)
                {
                    dxRow[biasOffset + i] += slope;
                }

                VectorKernels.Axpy(slope, weights.Slice(i * inputSize, inputSize), dz.Slice((n * sumCount + i) * inputSize, inputSize));
            }
        }
    }

    /// <summary>
    /// <c>xxx += sum_n Xxx</c> (<c>p x p</c>), and per example <c>xzx += Xzx</c> (<c>p x a_in</c> blocks one after
    /// the other) and <c>xzz += Xzz</c> (<c>a_in x a_in</c> blocks), the second derivatives contracted with the output
    /// adjoints <paramref name="outputAdjoints"/>. An empty block is not wanted and not computed; the offsets are
    /// those of <see cref="AddJacobians"/>.
    /// </summary>
    public static void AddSecondDerivatives(int count, int parameterCount, int weightsOffset, int biasOffset, ReadOnlySpan<double> inputs,
        ReadOnlySpan<double> weights, ReadOnlySpan<double> outputAdjoints, ReadOnlySpan<double> slopes, ReadOnlySpan<double> curvatures,
        Span<double> xxx, Span<double> xzx, Span<double> xzz)
    {
        (int inputSize, int sumCount) = Sizes(count, parameterCount, weightsOffset, biasOffset, inputs, weights, slopes);
        BatchSpans.Require(outputAdjoints, count, sumCount, nameof(outputAdjoints));
        BatchSpans.Require(curvatures, count, sumCount, nameof(curvatures));
        BatchSpans.RequireOptional(xxx, parameterCount, parameterCount, nameof(xxx));
        BatchSpans.RequireOptional(xzx, count * parameterCount, inputSize, nameof(xzx));
        BatchSpans.RequireOptional(xzz, count * inputSize, inputSize, nameof(xzz));
        if (count == 0)
        {
            return;
        }

        double[] curvatureAdjointsArray = ArrayPool<double>.Shared.Rent(count * sumCount);
        double[] scaledArray = ArrayPool<double>.Shared.Rent(Math.Max(count, sumCount) * inputSize);
        try
        {
            // r = b q, element by element: the curvature of every output weighted by its adjoint.
            Span<double> curvatureAdjoints = curvatureAdjointsArray.AsSpan(0, count * sumCount);
            for (int e = 0; e < curvatureAdjoints.Length; e++)
            {
                curvatureAdjoints[e] = outputAdjoints[e] * curvatures[e];
            }

            if (!xxx.IsEmpty)
            {
                AddParameterPairs(count, parameterCount, weightsOffset, biasOffset, inputSize, sumCount, inputs, curvatureAdjoints, scaledArray, xxx);
            }

            if (!xzx.IsEmpty)
            {
                AddParameterInputPairs(count, parameterCount, weightsOffset, biasOffset, inputSize, sumCount, inputs, weights, outputAdjoints, slopes, curvatureAdjoints, xzx);
            }

            if (!xzz.IsEmpty)
            {
                // Xzz of example n = W^T diag(r_n) W: the rows of W scaled by r_n, then one product with W.
                Span<double> scaledWeights = scaledArray.AsSpan(0, sumCount * inputSize);
                for (int n = 0; n < count; n++)
                {
                    ScaleRowsBy(curvatureAdjoints.Slice(n * sumCount, sumCount), 1, weights, inputSize, scaledWeights);
                    Gemm.Multiply(true, false, inputSize, inputSize, sumCount, 1.0, scaledWeights, inputSize, weights, inputSize, 1.0,
                        xzz.Slice(n * inputSize * inputSize, inputSize * inputSize), inputSize);
                }
            }
        }
        finally
        {
            ArrayPool<double>.Shared.Return(curvatureAdjointsArray);
            ArrayPool<double>.Shared.Return(scaledArray);
        }
    }

    /// <summary>Xxx summed over the batch: the (W, W) block of each output, the (W, c) block mirrored, and c's diagonal.</summary>
    private static void AddParameterPairs(int count, int parameterCount, int weightsOffset, int biasOffset, int inputSize, int sumCount,
        ReadOnlySpan<double> inputs, ReadOnlySpan<double> curvatureAdjoints, double[] scaledArray, Span<double> xxx)
    {
        // Xxx[W(i,j), W(i,k)] += sum_n r_ni z_nj z_nk: for output i, the inputs' rows scaled by r_:i, times the inputs.
        Span<double> scaledInputs = scaledArray.AsSpan(0, count * inputSize);
        for (int i = 0; i < sumCount; i++)
        {
            ScaleRowsBy(curvatureAdjoints[i..], sumCount, inputs, inputSize, scaledInputs);
            int diagonal = weightsOffset + i * inputSize;
            Gemm.Multiply(true, false, inputSize, inputSize, count, 1.0, scaledInputs, inputSize, inputs, inputSize, 1.0,
                xxx.Slice(diagonal * parameterCount + diagonal), parameterCount);
        }

        if (biasOffset < 0)
        {
            return;
        }

        // Xxx[W(i,j), c_i] = Xxx[c_i, W(i,j)] += (r^T Z)[i, j], one product over the batch; Xxx[c_i, c_i] += sum_n r_ni.
        Span<double> mixed = scaledArray.AsSpan(0, sumCount * inputSize);
        Gemm.Multiply(true, false, sumCount, inputSize, count, 1.0, curvatureAdjoints, sumCount, inputs, inputSize, 0.0, mixed, inputSize);
        for (int i = 0; i < sumCount; i++)
        {
            int bias = biasOffset + i;
            for (int j = 0; j < inputSize; j++)
            {
                int weight = weightsOffset + i * inputSize + j;
                xxx[weight * parameterCount + bias] += mixed[i * inputSize + j];
                xxx[bias * parameterCount + weight] += mixed[i * inputSize + j];
            }
        }

        for (int n = 0; n < count; n++)
        {
            for (int i = 0; i < sumCount; i++)
            {
                xxx[(biasOffset + i) * parameterCount + biasOffset + i] += curvatureAdjoints[n * sumCount + i];
            }
        }
    }

    /// <summary>Xzx per example: W's rows get <c>r_i z_j W_i</c> and <c>b_i s_i</c> on the input of their own column, c's rows <c>r_i W_i</c>.</summary>
    private static void AddParameterInputPairs(int count, int parameterCount, int weightsOffset, int biasOffset, int inputSize, int sumCount,
        ReadOnlySpan<double> inputs, ReadOnlySpan<double> weights, ReadOnlySpan<double> outputAdjoints, ReadOnlySpan<double> slopes,
        ReadOnlySpan<double> curvatureAdjoints, Span<double> xzx)
    {
        for (int n = 0; n < count; n++)
        {
            ReadOnlySpan<double> input = inputs.Slice(n * inputSize, inputSize);
            Span<double> block = xzx.Slice(n * parameterCount * inputSize, parameterCount * inputSize);
            for (int i = 0; i < sumCount; i++)
            {
                int e = n * sumCount + i;
                double curvature = curvatureAdjoints[e];
                double slope = outputAdjoints[e] * slopes[e];
                ReadOnlySpan<double> weightRow = weights.Slice(i * inputSize, inputSize);
                for (int j = 0; j < inputSize; j++)
                {
                    Span<double> row = block.Slice((weightsOffset + i * inputSize + j) * inputSize, inputSize);
                    // A zero curvature (ReLU's everywhere) adds nothing but the slope term.
                    if (curvature != 0.0)
                    {
                        VectorKernels.Axpy(curvature * input[j], weightRow, row);
                    }

                    row[j] += slope;
                }

                if (biasOffset >= 0 && curvature != 0.0)
                {
                    VectorKernels.Axpy(curvature, weightRow, block.Slice((biasOffset + i) * inputSize, inputSize));
                }
            }
        }
    }

    /// <summary>
    /// <c>scaled[i, :] = factors[i * factorStride] rows[i, :]</c> for every row of <paramref name="scaled"/> (rows of
    /// <paramref name="width"/> values); unlike <see cref="Gemm.ScaleRows"/>, which scales rows by one number in place.
    /// </summary>
    private static void ScaleRowsBy(ReadOnlySpan<double> factors, int factorStride, ReadOnlySpan<double> rows, int width, Span<double> scaled)
    {
        int rowCount = width == 0 ? 0 : scaled.Length / width;
        for (int i = 0; i < rowCount; i++)
        {
            double factor = factors[i * factorStride];
            ReadOnlySpan<double> row = rows.Slice(i * width, width);
            Span<double> target = scaled.Slice(i * width, width);
            for (int j = 0; j < width; j++)
            {
                target[j] = factor * row[j];
            }
        }
    }

    /// <summary>The input size and the number of sums, checked against the spans every block reads.</summary>
    private static (int InputSize, int SumCount) Sizes(int count, int parameterCount, int weightsOffset, int biasOffset,
        ReadOnlySpan<double> inputs, ReadOnlySpan<double> weights, ReadOnlySpan<double> slopes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (count == 0)
        {
            return (0, 0);
        }

        if (inputs.Length % count != 0 || slopes.Length % count != 0)
        {
            throw new ArgumentException(
                $"The inputs ({inputs.Length} values) and slopes ({slopes.Length} values) must be {count} rows each.", nameof(inputs));
        }

        int inputSize = inputs.Length / count;
        int sumCount = slopes.Length / count;
        if (weights.Length != sumCount * inputSize)
        {
            throw new ArgumentException(
                $"The weights have {weights.Length} values; expected outputs x inputs = {sumCount} x {inputSize}.", nameof(weights));
        }

        if (weightsOffset < 0 || weightsOffset + weights.Length > parameterCount)
        {
            throw new ArgumentOutOfRangeException(nameof(weightsOffset),
                $"W at {weightsOffset} ({weights.Length} values) must lie within the {parameterCount} parameters.");
        }

        // Negative: no bias. Else c's sumCount values lie within the parameters, before or after W's, not among them.
        if (biasOffset >= 0
            && (biasOffset + sumCount > parameterCount || (biasOffset < weightsOffset + weights.Length && weightsOffset < biasOffset + sumCount)))
        {
            throw new ArgumentOutOfRangeException(nameof(biasOffset),
                $"c at {biasOffset} ({sumCount} values) must lie within the {parameterCount} parameters and not overlap W at {weightsOffset} ({weights.Length} values).");
        }

        return (inputSize, sumCount);
    }
}
