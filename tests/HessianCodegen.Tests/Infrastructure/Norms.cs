using System;
using System.Collections.Generic;

namespace HessianCodegen.Tests.Infrastructure;

/// <summary>Relative errors in the 2-norm, as the oracle's tolerances are stated.</summary>
public static class Norms
{
    public static double Norm(IReadOnlyList<double> x)
    {
        double sum = 0;
        foreach (double value in x)
        {
            sum += value * value;
        }

        return Math.Sqrt(sum);
    }

    /// <summary><c>||actual - expected|| / ||expected||</c> (absolute when <paramref name="expected"/> is zero).</summary>
    public static double RelativeError(IReadOnlyList<double> actual, IReadOnlyList<double> expected)
    {
        if (actual.Count != expected.Count)
        {
            throw new ArgumentException($"actual has {actual.Count} values; expected {expected.Count}.");
        }

        double difference = 0;
        for (int i = 0; i < actual.Count; i++)
        {
            difference += (actual[i] - expected[i]) * (actual[i] - expected[i]);
        }

        double scale = Norm(expected);
        return Math.Sqrt(difference) / (scale > 0 ? scale : 1);
    }

    public static double RelativeError(double[,] actual, double[,] expected) =>
        RelativeError(Flatten(actual), Flatten(expected));

    public static double[] Flatten(double[,] matrix)
    {
        var flat = new double[matrix.Length];
        int i = 0;
        foreach (double value in matrix)
        {
            flat[i++] = value;
        }

        return flat;
    }
}
