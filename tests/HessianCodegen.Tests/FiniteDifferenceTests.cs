using System;
using HessianCodegen.Tests.Infrastructure;
using Xunit;

namespace HessianCodegen.Tests;

/// <summary>
/// Gradient and H v against central differences of the loss and of the gradient: an answer that
/// needs neither the oracle nor any derivative code, on networks the oracle does not cover.
/// </summary>
public sealed class FiniteDifferenceTests
{
    [Theory]
    [InlineData(21, 4, 3, false)]
    [InlineData(22, 6, 2, true)]
    [InlineData(23, 3, 5, false)]
    public void GradientMatchesCentralDifferencesOfTheLoss(int seed, int depth, int batchSize, bool regression)
    {
        NetworkPoint point = RandomNetworks.Point(seed, depth, batchSize, regression);
        double[] direction = RandomNetworks.Vector(seed, point.Network.ParameterCount);
        const double step = 1e-5;
        double difference = (Shifted(point, direction, step).Loss - Shifted(point, direction, -step).Loss) / (2 * step);
        double directional = Dot(point.Gradient(), direction);
        Assert.InRange(Math.Abs(difference - directional), 0, 1e-8 * Math.Max(1, Math.Abs(directional)));
    }

    [Theory]
    [InlineData(24, 3, 2, false)]
    [InlineData(25, 4, 3, true)]
    public void GradientMatchesCentralDifferencesEntryByEntry(int seed, int depth, int batchSize, bool regression)
    {
        // A random direction sees only one combination of the entries; here every entry is checked.
        NetworkPoint point = RandomNetworks.Point(seed, depth, batchSize, regression);
        double[] gradient = point.Gradient();
        double[] differences = FiniteDifferences.GradientOfLoss(point);
        double scale = Math.Max(1e-3, Norms.Norm(gradient));
        for (int j = 0; j < gradient.Length; j++)
        {
            Assert.True(Math.Abs(gradient[j] - differences[j]) <= 1e-8 * scale,
                $"gradient[{j}] = {gradient[j]:R}; central differences give {differences[j]:R}");
        }
    }

    [Theory]
    [InlineData(31, 4, 3, false)]
    [InlineData(32, 6, 2, true)]
    [InlineData(33, 3, 5, false)]
    public void HessianVectorMatchesCentralDifferencesOfTheGradient(int seed, int depth, int batchSize, bool regression)
    {
        NetworkPoint point = RandomNetworks.Point(seed, depth, batchSize, regression);
        double[] direction = RandomNetworks.Vector(seed, point.Network.ParameterCount);
        const double step = 1e-5;
        double[] forward = Shifted(point, direction, step).Gradient();
        double[] backward = Shifted(point, direction, -step).Gradient();
        var difference = new double[forward.Length];
        for (int i = 0; i < forward.Length; i++)
        {
            difference[i] = (forward[i] - backward[i]) / (2 * step);
        }

        Assert.InRange(Norms.RelativeError(point.HessianVector(direction), difference), 0, 1e-7);
    }

    private static NetworkPoint Shifted(NetworkPoint point, double[] direction, double step)
    {
        double[] parameters = point.Parameters.ToArray();
        for (int i = 0; i < parameters.Length; i++)
        {
            parameters[i] += step * direction[i];
        }

        return point.Network.At(parameters, point.Batch);
    }

    private static double Dot(double[] a, double[] b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++)
        {
            sum += a[i] * b[i];
        }

        return sum;
    }
}
