using System;
using System.Linq;

namespace HessianCodegen.Generator.Tests.Numerics;

/// <summary>
/// One seeded random point at which a layer is differentiated: parameters <c>x</c>, input <c>z</c>,
/// per-example data, output adjoint <c>b</c>, input tangent <c>t</c> and parameter direction <c>v</c>.
/// </summary>
internal sealed record LayerPoint(
    double[] Parameters, double[] Input, double[] Data, double[] OutputAdjoint, double[] InputTangent, double[] ParameterDirection)
{
    /// <summary>Smallest |pre-activation| allowed when the layer has a kink at zero (Relu).</summary>
    public const double KinkMargin = 0.25;

    /// <summary>
    /// A point for <paramref name="layer"/>; entries uniform in [-1, 1], labels uniform over the classes.
    /// With <paramref name="keepAwayFromKink"/>, every pre-activation <c>W z + c</c> ends at least
    /// <see cref="KinkMargin"/> from zero, so that finite differences never straddle a kink.
    /// </summary>
    public static LayerPoint Create(IHessianLayer layer, int seed, bool keepAwayFromKink)
    {
        var random = new Random(seed);
        double[] Uniform(int length) => Enumerable.Range(0, length).Select(_ => 2.0 * random.NextDouble() - 1.0).ToArray();

        var parameters = Uniform(layer.ParameterCount);
        var input = Uniform(layer.InputSize);
        var data = new double[layer.DataSize];
        foreach (var field in layer.DataLayout)
        {
            for (int k = 0; k < field.Width; k++)
            {
                data[field.Offset + k] = field.Kind == DataKind.ClassLabel ? random.Next(field.Size) : 2.0 * random.NextDouble() - 1.0;
            }
        }

        if (keepAwayFromKink)
        {
            MovePreActivationsAwayFromZero(layer, parameters, input);
        }

        return new LayerPoint(parameters, input, data, Uniform(layer.OutputSize), Uniform(layer.InputSize), Uniform(layer.ParameterCount));
    }

    /// <summary>This point with other parameters.</summary>
    public LayerPoint WithParameters(double[] parameters) => this with { Parameters = parameters };

    /// <summary>This point with another input.</summary>
    public LayerPoint WithInput(double[] input) => this with { Input = input };

    // Every standard layer computes u = W z + c from its matrix and vector parameter: shift c where |u| is small.
    private static void MovePreActivationsAwayFromZero(IHessianLayer layer, double[] parameters, double[] input)
    {
        var weights = layer.ParameterLayout.Single(block => block.IsMatrix);
        var bias = layer.ParameterLayout.Single(block => !block.IsMatrix);
        for (int i = 0; i < weights.Rows; i++)
        {
            double u = parameters[bias.Offset + i];
            for (int j = 0; j < weights.Columns; j++)
            {
                u += parameters[weights.Offset + i * weights.Columns + j] * input[j];
            }

            if (Math.Abs(u) < KinkMargin)
            {
                parameters[bias.Offset + i] += u >= 0 ? 2 * KinkMargin : -2 * KinkMargin;
            }
        }
    }
}
