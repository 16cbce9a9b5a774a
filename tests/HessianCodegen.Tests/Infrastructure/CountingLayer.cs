using System;
using System.Collections.Generic;

namespace HessianCodegen.Tests.Infrastructure;

/// <summary>Wraps a layer and counts how often its derivative blocks are evaluated.</summary>
public sealed class CountingLayer(IHessianLayer inner) : IHessianLayer
{
    public int SecondDerivativeCalls { get; private set; }

    public int JacobianCalls { get; private set; }

    public int InputSize => inner.InputSize;

    public int OutputSize => inner.OutputSize;

    public int ParameterCount => inner.ParameterCount;

    public bool IsLoss => inner.IsLoss;

    public int DataSize => inner.DataSize;

    public IReadOnlyList<ParameterBlock> ParameterLayout => inner.ParameterLayout;

    public IReadOnlyList<DataField> DataLayout => inner.DataLayout;

    public void Forward(ReadOnlySpan<double> parameters, ReadOnlySpan<double> input, ReadOnlySpan<double> data, Span<double> output) =>
        inner.Forward(parameters, input, data, output);

    public void BackpropInput(ReadOnlySpan<double> parameters, ReadOnlySpan<double> input, ReadOnlySpan<double> data,
        ReadOnlySpan<double> outputAdjoint, Span<double> inputAdjoint) =>
        inner.BackpropInput(parameters, input, data, outputAdjoint, inputAdjoint);

    public void AddParameterGradient(ReadOnlySpan<double> parameters, ReadOnlySpan<double> input, ReadOnlySpan<double> data,
        ReadOnlySpan<double> outputAdjoint, Span<double> parameterGradient) =>
        inner.AddParameterGradient(parameters, input, data, outputAdjoint, parameterGradient);

    public void Tangent(ReadOnlySpan<double> parameters, ReadOnlySpan<double> input, ReadOnlySpan<double> data,
        ReadOnlySpan<double> inputTangent, ReadOnlySpan<double> parameterDirection, Span<double> outputTangent) =>
        inner.Tangent(parameters, input, data, inputTangent, parameterDirection, outputTangent);

    public void SecondOrderInput(ReadOnlySpan<double> parameters, ReadOnlySpan<double> input, ReadOnlySpan<double> data,
        ReadOnlySpan<double> outputAdjoint, ReadOnlySpan<double> inputTangent, ReadOnlySpan<double> parameterDirection,
        Span<double> result) =>
        inner.SecondOrderInput(parameters, input, data, outputAdjoint, inputTangent, parameterDirection, result);

    public void AddSecondOrderParameters(ReadOnlySpan<double> parameters, ReadOnlySpan<double> input, ReadOnlySpan<double> data,
        ReadOnlySpan<double> outputAdjoint, ReadOnlySpan<double> inputTangent, ReadOnlySpan<double> parameterDirection,
        Span<double> result) =>
        inner.AddSecondOrderParameters(parameters, input, data, outputAdjoint, inputTangent, parameterDirection, result);

    public void AddJacobians(ReadOnlySpan<double> parameters, ReadOnlySpan<double> input, ReadOnlySpan<double> data,
        Span<double> dx, Span<double> dz)
    {
        JacobianCalls++;
        inner.AddJacobians(parameters, input, data, dx, dz);
    }

    public void AddSecondDerivatives(ReadOnlySpan<double> parameters, ReadOnlySpan<double> input, ReadOnlySpan<double> data,
        ReadOnlySpan<double> outputAdjoint, Span<double> xxx, Span<double> xzx, Span<double> xzz)
    {
        SecondDerivativeCalls++;
        inner.AddSecondDerivatives(parameters, input, data, outputAdjoint, xxx, xzx, xzz);
    }
}
