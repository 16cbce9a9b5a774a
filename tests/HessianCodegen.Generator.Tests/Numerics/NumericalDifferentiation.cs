using System;

namespace HessianCodegen.Generator.Tests.Numerics;

/// <summary>
/// Central finite differences: the independent answer the generated derivatives are checked against.
/// </summary>
internal static class NumericalDifferentiation
{
    /// <summary>
    /// Relative step. Central differences err by about <c>h^2 |f'''| / 6</c> from truncation and
    /// <c>1e-16 |f| / h</c> from round-off; 1e-5 keeps both near 1e-10 for the O(1) functions here.
    /// </summary>
    public const double RelativeStep = 1e-5;

    /// <summary>
    /// The Jacobian of <paramref name="f"/> at <paramref name="x"/>, row-major
    /// (<c>f(x).Length x x.Length</c>): <c>J[i, k] = (f(x + h e_k)[i] - f(x - h e_k)[i]) / 2h</c>.
    /// </summary>
    public static double[] Jacobian(Func<double[], double[]> f, double[] x)
    {
        int rows = f(x).Length;
        int columns = x.Length;
        var jacobian = new double[rows * columns];
        var probe = (double[])x.Clone();
        for (int k = 0; k < columns; k++)
        {
            double h = RelativeStep * Math.Max(1.0, Math.Abs(x[k]));
            probe[k] = x[k] + h;
            double up = probe[k];
            double[] plus = f(probe);
            probe[k] = x[k] - h;
            double down = probe[k];
            double[] minus = f(probe);
            probe[k] = x[k];

            // Divide by the step actually taken: x +- h is rounded to a double.
            double width = up - down;
            for (int i = 0; i < rows; i++)
            {
                jacobian[i * columns + k] = (plus[i] - minus[i]) / width;
            }
        }

        return jacobian;
    }
}
