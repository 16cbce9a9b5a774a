using System;
using System.Collections.Generic;

namespace HessianCodegen.Tests.ReferenceLayers;

/// <summary>
/// A loss layer without parameters, <c>loss = 0.5 sum_k (z_k - target_k)^2</c>: its blocks are
/// <c>Xzz = b I</c> and nothing else, which exercises blocks with <c>p = 0</c>.
/// </summary>
public sealed class SquaredDistanceReferenceLayer(int inputs) : IHessianLayer
{
    public int InputSize => inputs;

    public int OutputSize => 1;

    public int ParameterCount => 0;

    public bool IsLoss => true;

    public int DataSize => inputs;

    public IReadOnlyList<ParameterBlock> ParameterLayout { get; } = [];

    public IReadOnlyList<DataField> DataLayout { get; } = [new("target", 0, DataKind.Target, inputs)];

    public void Forward(ReadOnlySpan<double> parameters, ReadOnlySpan<double> input, ReadOnlySpan<double> data, Span<double> output)
    {
        double loss = 0;
        for (int k = 0; k < inputs; k++)
        {
            loss += 0.5 * (input[k] - data[k]) * (input[k] - data[k]);
        }

        output[0] = loss;
    }

    public void BackpropInput(ReadOnlySpan<double> parameters, ReadOnlySpan<double> input, ReadOnlySpan<double> data,
        ReadOnlySpan<double> outputAdjoint, Span<double> inputAdjoint)
    {
        for (int k = 0; k < inputs; k++)
        {
            inputAdjoint[k] = outputAdjoint[0] * (input[k] - data[k]);
        }
    }

    public void AddParameterGradient(ReadOnlySpan<double> parameters, ReadOnlySpan<double> input, ReadOnlySpan<double> data,
        ReadOnlySpan<double> outputAdjoint, Span<double> parameterGradient)
    {
    }

    public void Tangent(ReadOnlySpan<double> parameters, ReadOnlySpan<double> input, ReadOnlySpan<double> data,
        ReadOnlySpan<double> inputTangent, ReadOnlySpan<double> parameterDirection, Span<double> outputTangent)
    {
        double sum = 0;
        for (int k = 0; k < inputs; k++)
        {
            sum += (input[k] - data[k]) * inputTangent[k];
        }

        outputTangent[0] = sum;
    }

    public void SecondOrderInput(ReadOnlySpan<double> parameters, ReadOnlySpan<double> input, ReadOnlySpan<double> data,
        ReadOnlySpan<double> outputAdjoint, ReadOnlySpan<double> inputTangent, ReadOnlySpan<double> parameterDirection,
        Span<double> result)
    {
        for (int k = 0; k < inputs; k++)
        {
            result[k] = outputAdjoint[0] * inputTangent[k];
        }
    }

    public void AddSecondOrderParameters(ReadOnlySpan<double> parameters, ReadOnlySpan<double> input, ReadOnlySpan<double> data,
        ReadOnlySpan<double> outputAdjoint, ReadOnlySpan<double> inputTangent, ReadOnlySpan<double> parameterDirection,
        Span<double> result)
    {
    }

    public void AddJacobians(ReadOnlySpan<double> parameters, ReadOnlySpan<double> input, ReadOnlySpan<double> data,
        Span<double> dx, Span<double> dz)
    {
        for (int k = 0; k < inputs; k++)
        {
            dz[k] += input[k] - data[k];
        }
    }

    public void AddSecondDerivatives(ReadOnlySpan<double> parameters, ReadOnlySpan<double> input, ReadOnlySpan<double> data,
        ReadOnlySpan<double> outputAdjoint, Span<double> xxx, Span<double> xzx, Span<double> xzz)
    {
        for (int k = 0; k < inputs; k++)
        {
            xzz[(k * inputs) + k] += outputAdjoint[0];
        }
    }
}
