using System;

namespace HessianCodegen.Tests.ReferenceLayers;

/// <summary>The elementwise activations of the oracle's dense layers.</summary>
public enum Activation
{
    Tanh,
    Sigmoid,
    Softplus,
    Identity,
}

/// <summary>f, f' and f'' of each activation, derived by hand.</summary>
public static class ActivationDerivatives
{
    /// <summary>Returns f(u) and writes f'(u), f''(u).</summary>
    public static double Evaluate(Activation activation, double u, out double first, out double second)
    {
        switch (activation)
        {
            case Activation.Tanh:
            {
                double y = Math.Tanh(u);
                first = 1 - (y * y);
                second = -2 * y * first;
                return y;
            }

            case Activation.Sigmoid:
            {
                double s = Logistic(u);
                first = s * (1 - s);
                second = first * (1 - (2 * s));
                return s;
            }

            case Activation.Softplus:
            {
                double s = Logistic(u);
                first = s;
                second = s * (1 - s);
                return u > 0 ? u + Math.Log(1 + Math.Exp(-u)) : Math.Log(1 + Math.Exp(u));
            }

            default:
                first = 1;
                second = 0;
                return u;
        }
    }

    private static double Logistic(double u) => u >= 0 ? 1 / (1 + Math.Exp(-u)) : Math.Exp(u) / (1 + Math.Exp(u));
}
