using System;
using System.Linq;

namespace HessianCodegen.Generator.Tests.Numerics;

/// <summary>
/// Every block of a standard layer written out by hand from <c>u = W z + c</c> and overflow-free
/// formulas (a sigmoid that never exponentiates a positive number, a max-shifted LogSumExp), for
/// checking the generated code where a naive <c>exp</c> overflows. With <c>s = b . y</c> as a function
/// of <c>u</c> (gradient <c>gamma</c>, Hessian <c>Gamma</c>), <c>J</c> the Jacobian of <c>y</c> in <c>u</c>, and
/// <c>G = du/dx</c>: <c>Dx = J G</c>, <c>Dz = J W</c>, <c>Xxx = G^T Gamma G</c>, <c>Xzz = W^T Gamma W</c>,
/// <c>Xzx = G^T Gamma W</c> plus <c>gamma_i</c> at the entry (W[i, j], j) from <c>d^2 u_i / dW[i, j] dz_j = 1</c>.
/// A parameterless layer (<see cref="LayerCase.Affine"/> false) has <c>u = z</c>: <c>W = I</c> and <c>G</c> has no columns.
/// </summary>
internal static class ClosedForms
{
    /// <summary>The blocks of a layer at a point: forward output and the five derivative blocks, row-major.</summary>
    public sealed record Blocks(double[] Forward, double[] Dx, double[] Dz, double[] Xxx, double[] Xzx, double[] Xzz);

    /// <summary>Whether <see cref="Of"/> knows the layer.</summary>
    public static bool Knows(string name) =>
        Activation(name) is not null
        || name is "SoftmaxCrossEntropyLayer" or "MeanSquaredErrorLayer" or "MeanCenteredTanhLayer" or "MeanSquaredErrorOverSizeLayer"
            or "SoftmaxCrossEntropyLoss" or "SquaredErrorLoss";

    public static Blocks Of(LayerCase layerCase, IHessianLayer layer, LayerPoint at)
    {
        string name = layerCase.Name;
        int aIn = layer.InputSize;
        int a = layerCase.Affine ? layer.ParameterCount / (aIn + 1) : aIn;
        int p = layer.ParameterCount;
        double[] u = layerCase.PreActivation(layer, at);

        double[] forward;
        double[,] jacobian;
        double[] gamma;
        double[,] hessian = new double[a, a];
        if (Activation(name) is var (f, d1, d2))
        {
            forward = u.Select(f).ToArray();
            jacobian = new double[a, a];
            gamma = new double[a];
            for (int i = 0; i < a; i++)
            {
                jacobian[i, i] = d1(u[i]);
                gamma[i] = at.OutputAdjoint[i] * d1(u[i]);
                hessian[i, i] = at.OutputAdjoint[i] * d2(u[i]);
            }
        }
        else if (name is "SoftmaxCrossEntropyLayer" or "SoftmaxCrossEntropyLoss")
        {
            int label = (int)at.Data[0];
            double max = u.Max();
            double logSumExp = max + Math.Log(u.Sum(value => Math.Exp(value - max)));
            double[] probabilities = u.Select(value => Math.Exp(value - logSumExp)).ToArray();
            forward = [logSumExp - u[label]];
            double[] derivative = probabilities.Select((value, k) => value - (k == label ? 1.0 : 0.0)).ToArray();
            jacobian = Row(derivative);
            gamma = derivative.Select(value => at.OutputAdjoint[0] * value).ToArray();
            for (int k = 0; k < a; k++)
            {
                for (int l = 0; l < a; l++)
                {
                    hessian[k, l] = at.OutputAdjoint[0] * (((k == l) ? probabilities[k] : 0.0) - (probabilities[k] * probabilities[l]));
                }
            }
        }
        else if (name == "MeanCenteredTanhLayer")
        {
            // y = Gain tanh(C u), C = I - 1 1^T / a the centring matrix: J = diag(Gain tanh'(v)) C,
            // gamma = C^T (b .* Gain tanh'(v)), Gamma = C^T diag(b .* Gain tanh''(v)) C, v = C u.
            const double gain = 1.5;
            double mean = u.Average();
            double[] v = u.Select(value => value - mean).ToArray();
            var centring = new double[a, a];
            for (int i = 0; i < a; i++)
            {
                for (int k = 0; k < a; k++)
                {
                    centring[i, k] = (i == k ? 1.0 : 0.0) - (1.0 / a);
                }
            }

            forward = v.Select(value => gain * Math.Tanh(value)).ToArray();
            var slope = new double[a, a];
            var curvature = new double[a, a];
            var weightedSlope = new double[1, a];
            for (int i = 0; i < a; i++)
            {
                double t = Math.Tanh(v[i]);
                slope[i, i] = gain * (1 - t * t);
                curvature[i, i] = at.OutputAdjoint[i] * gain * (-2 * t * (1 - t * t));
                weightedSlope[0, i] = at.OutputAdjoint[i] * slope[i, i];
            }

            jacobian = Product(slope, centring);
            gamma = Flat(Product(weightedSlope, centring));
            hessian = Product(Product(Transpose(centring), curvature), centring);
        }
        else
        {
            // Squared error (MeanSquaredErrorLayer, SquaredErrorLoss), for MeanSquaredErrorOverSizeLayer scaled by its Weight / outputs.
            double scale = name == "MeanSquaredErrorOverSizeLayer" ? 0.75 / a : 1.0;
            double[] residual = u.Select((value, k) => value - at.Data[k]).ToArray();
            forward = [scale * 0.5 * residual.Sum(value => value * value)];
            jacobian = Row(residual.Select(value => scale * value).ToArray());
            gamma = residual.Select(value => at.OutputAdjoint[0] * scale * value).ToArray();
            for (int k = 0; k < a; k++)
            {
                hessian[k, k] = at.OutputAdjoint[0] * scale;
            }
        }

        // G = du/dx: u_i depends on W[i, j] through z_j and on c_i with weight 1 (no columns without parameters).
        var g = new double[a, p];
        var weights = new double[a, aIn];
        for (int i = 0; i < a; i++)
        {
            if (!layerCase.Affine)
            {
                weights[i, i] = 1.0;
                continue;
            }

            for (int j = 0; j < aIn; j++)
            {
                g[i, i * aIn + j] = at.Input[j];
                weights[i, j] = at.Parameters[i * aIn + j];
            }

            g[i, a * aIn + i] = 1.0;
        }

        double[,] xzx = Product(Product(Transpose(g), hessian), weights);
        for (int i = 0; layerCase.Affine && i < a; i++)
        {
            for (int j = 0; j < aIn; j++)
            {
                xzx[i * aIn + j, j] += gamma[i];
            }
        }

        return new Blocks(
            forward,
            Flat(Product(jacobian, g)),
            Flat(Product(jacobian, weights)),
            Flat(Product(Product(Transpose(g), hessian), g)),
            Flat(xzx),
            Flat(Product(Product(Transpose(weights), hessian), weights)));
    }

    // (f, f', f'') of the hidden layers' activations, each finite for every finite argument.
    private static (Func<double, double>, Func<double, double>, Func<double, double>)? Activation(string name) => name switch
    {
        "TanhLayer" or "HandWrittenTanhLayer" => (Math.Tanh, u => 1 - Math.Tanh(u) * Math.Tanh(u), u => -2 * Math.Tanh(u) * (1 - Math.Tanh(u) * Math.Tanh(u))),
        "SigmoidLayer" => (Sigmoid, u => Sigmoid(u) * Sigmoid(-u), u => Sigmoid(u) * Sigmoid(-u) * (1 - 2 * Sigmoid(u))),
        "SoftplusLayer" => (u => Math.Max(u, 0) + Math.Log(1 + Math.Exp(-Math.Abs(u))), Sigmoid, u => Sigmoid(u) * Sigmoid(-u)),
        "LinearLayer" => (u => u, _ => 1.0, _ => 0.0),
        "ReluLayer" => (u => Math.Max(u, 0), u => u > 0 ? 1.0 : 0.0, _ => 0.0),
        "SiluLayer" => (u => u * Sigmoid(u), u => Sigmoid(u) + u * Sigmoid(u) * Sigmoid(-u), u => Sigmoid(u) * Sigmoid(-u) * (2 + u * (1 - 2 * Sigmoid(u)))),
        _ => null,
    };

    // 1 / (1 + e^-u) without ever exponentiating a positive number.
    private static double Sigmoid(double u) => u >= 0 ? 1 / (1 + Math.Exp(-u)) : Math.Exp(u) / (1 + Math.Exp(u));

    private static double[,] Row(double[] values)
    {
        var row = new double[1, values.Length];
        for (int k = 0; k < values.Length; k++)
        {
            row[0, k] = values[k];
        }

        return row;
    }

    private static double[,] Transpose(double[,] m)
    {
        var t = new double[m.GetLength(1), m.GetLength(0)];
        for (int i = 0; i < m.GetLength(0); i++)
        {
            for (int j = 0; j < m.GetLength(1); j++)
            {
                t[j, i] = m[i, j];
            }
        }

        return t;
    }

    private static double[,] Product(double[,] x, double[,] y)
    {
        int rows = x.GetLength(0);
        int inner = x.GetLength(1);
        int columns = y.GetLength(1);
        var result = new double[rows, columns];
        for (int i = 0; i < rows; i++)
        {
            for (int k = 0; k < inner; k++)
            {
                double value = x[i, k];
                if (value == 0)
                {
                    continue;
                }

                for (int j = 0; j < columns; j++)
                {
                    result[i, j] += value * y[k, j];
                }
            }
        }

        return result;
    }

    private static double[] Flat(double[,] m) => m.Cast<double>().ToArray();
}
