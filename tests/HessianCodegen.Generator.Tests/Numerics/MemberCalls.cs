using System;
using System.Collections.Generic;

namespace HessianCodegen.Generator.Tests.Numerics;

/// <summary>
/// One <see cref="IHessianLayer"/> member as a table row: its span arguments by name, their correct
/// lengths for a layer, and a call that passes arrays in that order. Lets a test vary one span at a time.
/// </summary>
internal sealed record MemberCall(string Member, string[] SpanNames, Func<IHessianLayer, int[]> Lengths, Action<IHessianLayer, double[][]> Invoke)
{
    /// <summary>Arrays of the correct lengths, filled with small values; <paramref name="data"/> for the data span.</summary>
    public double[][] Arguments(IHessianLayer layer, double[] data)
    {
        int[] lengths = Lengths(layer);
        var arguments = new double[lengths.Length][];
        for (int k = 0; k < lengths.Length; k++)
        {
            arguments[k] = SpanNames[k] == "data" ? (double[])data.Clone() : Filled(lengths[k], 0.25);
        }

        return arguments;
    }

    /// <summary>Every member of the interface.</summary>
    public static IReadOnlyList<MemberCall> All { get; } =
    [
        new(nameof(IHessianLayer.Forward), ["parameters", "input", "data", "output"],
            l => [l.ParameterCount, l.InputSize, l.DataSize, l.OutputSize],
            (l, a) => l.Forward(a[0], a[1], a[2], a[3])),
        new(nameof(IHessianLayer.BackpropInput), ["parameters", "input", "data", "outputAdjoint", "inputAdjoint"],
            l => [l.ParameterCount, l.InputSize, l.DataSize, l.OutputSize, l.InputSize],
            (l, a) => l.BackpropInput(a[0], a[1], a[2], a[3], a[4])),
        new(nameof(IHessianLayer.AddParameterGradient), ["parameters", "input", "data", "outputAdjoint", "parameterGradient"],
            l => [l.ParameterCount, l.InputSize, l.DataSize, l.OutputSize, l.ParameterCount],
            (l, a) => l.AddParameterGradient(a[0], a[1], a[2], a[3], a[4])),
        new(nameof(IHessianLayer.Tangent), ["parameters", "input", "data", "inputTangent", "parameterDirection", "outputTangent"],
            l => [l.ParameterCount, l.InputSize, l.DataSize, l.InputSize, l.ParameterCount, l.OutputSize],
            (l, a) => l.Tangent(a[0], a[1], a[2], a[3], a[4], a[5])),
        new(nameof(IHessianLayer.SecondOrderInput), ["parameters", "input", "data", "outputAdjoint", "inputTangent", "parameterDirection", "result"],
            l => [l.ParameterCount, l.InputSize, l.DataSize, l.OutputSize, l.InputSize, l.ParameterCount, l.InputSize],
            (l, a) => l.SecondOrderInput(a[0], a[1], a[2], a[3], a[4], a[5], a[6])),
        new(nameof(IHessianLayer.AddSecondOrderParameters), ["parameters", "input", "data", "outputAdjoint", "inputTangent", "parameterDirection", "result"],
            l => [l.ParameterCount, l.InputSize, l.DataSize, l.OutputSize, l.InputSize, l.ParameterCount, l.ParameterCount],
            (l, a) => l.AddSecondOrderParameters(a[0], a[1], a[2], a[3], a[4], a[5], a[6])),
        new(nameof(IHessianLayer.AddJacobians), ["parameters", "input", "data", "dx", "dz"],
            l => [l.ParameterCount, l.InputSize, l.DataSize, l.OutputSize * l.ParameterCount, l.OutputSize * l.InputSize],
            (l, a) => l.AddJacobians(a[0], a[1], a[2], a[3], a[4])),
        new(nameof(IHessianLayer.AddSecondDerivatives), ["parameters", "input", "data", "outputAdjoint", "xxx", "xzx", "xzz"],
            l => [l.ParameterCount, l.InputSize, l.DataSize, l.OutputSize, l.ParameterCount * l.ParameterCount,
                l.ParameterCount * l.InputSize, l.InputSize * l.InputSize],
            (l, a) => l.AddSecondDerivatives(a[0], a[1], a[2], a[3], a[4], a[5], a[6])),
    ];

    private static double[] Filled(int length, double value)
    {
        var values = new double[length];
        Array.Fill(values, value);
        return values;
    }
}
