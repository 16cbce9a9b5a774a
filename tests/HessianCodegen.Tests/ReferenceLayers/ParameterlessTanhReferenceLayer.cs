using System;
using System.Collections.Generic;

namespace HessianCodegen.Tests.ReferenceLayers;

/// <summary>
/// A hidden layer without parameters, <c>y_i = tanh(z_i)</c>: with <c>d_i = 1 - y_i^2</c> its blocks are
/// <c>Dz = diag(d)</c> and <c>Xzz = diag(b_i (-2 y_i d_i))</c>, and nothing else. It puts blocks with
/// <c>p = 0</c> before the loss layer, where the solve must still carry the tangents through.
/// </summary>
public sealed class ParameterlessTanhReferenceLayer(int width) : IHessianLayer
{
    public int InputSize => width;

    public int OutputSize => width;

    public int ParameterCount => 0;

    public bool IsLoss => false;

    public int DataSize => 0;

    public IReadOnlyList<ParameterBlock> ParameterLayout { get; } = [];

    public IReadOnlyList<DataField> DataLayout { get; } = [];

    public void Forward(ReadOnlySpan<double> parameters, ReadOnlySpan<double> input, ReadOnlySpan<double> data, Span<double> output)
    {
        for (int i = 0; i < width; i++)
        {
            output[i] = Math.Tanh(input[i]);
        }
    }

    public void BackpropInput(ReadOnlySpan<double> parameters, ReadOnlySpan<double> input, ReadOnlySpan<double> data,
        ReadOnlySpan<double> outputAdjoint, Span<double> inputAdjoint)
    {
        for (int i = 0; i < width; i++)
        {
            inputAdjoint[i] = outputAdjoint[i] * First(input[i]);
        }
    }

    public void AddParameterGradient(ReadOnlySpan<double> parameters, ReadOnlySpan<double> input, ReadOnlySpan<double> data,
        ReadOnlySpan<double> outputAdjoint, Span<double> parameterGradient)
    {
    }

    public void Tangent(ReadOnlySpan<double> parameters, ReadOnlySpan<double> input, ReadOnlySpan<double> data,
        ReadOnlySpan<double> inputTangent, ReadOnlySpan<double> parameterDirection, Span<double> outputTangent)
    {
        for (int i = 0; i < width; i++)
        {
            outputTangent[i] = First(input[i]) * inputTangent[i];
        }
    }

    public void SecondOrderInput(ReadOnlySpan<double> parameters, ReadOnlySpan<double> input, ReadOnlySpan<double> data,
        ReadOnlySpan<double> outputAdjoint, ReadOnlySpan<double> inputTangent, ReadOnlySpan<double> parameterDirection,
        Span<double> result)
    {
        for (int i = 0; i < width; i++)
        {
            result[i] = outputAdjoint[i] * Second(input[i]) * inputTangent[i];
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
        for (int i = 0; i < width; i++)
        {
            dz[(i * width) + i] += First(input[i]);
        }
    }

    public void AddSecondDerivatives(ReadOnlySpan<double> parameters, ReadOnlySpan<double> input, ReadOnlySpan<double> data,
        ReadOnlySpan<double> outputAdjoint, Span<double> xxx, Span<double> xzx, Span<double> xzz)
    {
        for (int i = 0; i < width; i++)
        {
            xzz[(i * width) + i] += outputAdjoint[i] * Second(input[i]);
        }
    }

    /// <summary>d tanh(z) / dz = 1 - tanh^2.</summary>
    private static double First(double z)
    {
        double y = Math.Tanh(z);
        return 1 - (y * y);
    }

    /// <summary>d^2 tanh(z) / dz^2 = -2 tanh (1 - tanh^2).</summary>
    private static double Second(double z)
    {
        double y = Math.Tanh(z);
        return -2 * y * (1 - (y * y));
    }
}
