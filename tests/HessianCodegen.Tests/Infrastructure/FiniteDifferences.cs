using System;

namespace HessianCodegen.Tests.Infrastructure;

/// <summary>Central differences of a network's loss and gradient, one parameter at a time.</summary>
public static class FiniteDifferences
{
    /// <summary>Relative step: truncation (h^2) and round-off (u / h) errors both near 1e-10 for O(1) functions.</summary>
    public const double RelativeStep = 1e-5;

    /// <summary><c>d loss / d x_j</c> for every j, by central differences of the loss.</summary>
    public static double[] GradientOfLoss(NetworkPoint point)
    {
        int n = point.Network.ParameterCount;
        var gradient = new double[n];
        for (int j = 0; j < n; j++)
        {
            (NetworkPoint plus, NetworkPoint minus, double width) = Shifted(point, j);
            gradient[j] = (plus.Loss - minus.Loss) / width;
        }

        return gradient;
    }

    /// <summary>Column j is <c>(g(x + h e_j) - g(x - h e_j)) / 2h</c>, symmetrized (H is symmetric; so is the error bound).</summary>
    public static double[,] HessianOfLoss(NetworkPoint point)
    {
        int n = point.Network.ParameterCount;
        var hessian = new double[n, n];
        for (int j = 0; j < n; j++)
        {
            (NetworkPoint plus, NetworkPoint minus, double width) = Shifted(point, j);
            double[] up = plus.Gradient();
            double[] down = minus.Gradient();
            for (int i = 0; i < n; i++)
            {
                hessian[i, j] = (up[i] - down[i]) / width;
            }
        }

        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < i; j++)
            {
                double mean = 0.5 * (hessian[i, j] + hessian[j, i]);
                hessian[i, j] = mean;
                hessian[j, i] = mean;
            }
        }

        return hessian;
    }

    // The point moved by +-h along parameter j, and the width of the step actually taken (x +- h is rounded).
    private static (NetworkPoint Plus, NetworkPoint Minus, double Width) Shifted(NetworkPoint point, int j)
    {
        double[] parameters = point.Parameters.ToArray();
        double x = parameters[j];
        double h = RelativeStep * Math.Max(1, Math.Abs(x));
        parameters[j] = x + h;
        double up = parameters[j];
        NetworkPoint plus = point.Network.At(parameters, point.Batch);
        parameters[j] = x - h;
        double down = parameters[j];
        NetworkPoint minus = point.Network.At(parameters, point.Batch);
        return (plus, minus, up - down);
    }
}
