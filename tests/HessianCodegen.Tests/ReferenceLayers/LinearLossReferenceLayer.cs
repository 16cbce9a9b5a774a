using System;
using System.Collections.Generic;

namespace HessianCodegen.Tests.ReferenceLayers;

/// <summary>
/// A hand-written loss layer <c>loss(u, data)</c> of logits <c>u = W z + c</c>. A subclass supplies the
/// loss with its gradient <c>g = d loss / du</c> and curvature <c>S = d2 loss / du2</c>; the chain rule
/// through the bilinear map gives every block, with <c>b</c> the (scalar) output adjoint:
/// <c>(Xzz t + Xzx^T v)_j = b (sum_k W_kj (S du)_k + g_k V_kj)</c>,
/// <c>(Xxx v + Xzx t)_(W_kj) = b ((S du)_k z_j + g_k t_j)</c>, <c>(..)_(c_k) = b (S du)_k</c>.
/// </summary>
public abstract class LinearLossReferenceLayer(int inputs, int classes) : IHessianLayer
{
    public int InputSize => inputs;

    public int OutputSize => 1;

    public int ParameterCount => classes * (inputs + 1);

    public bool IsLoss => true;

    public abstract int DataSize { get; }

    public IReadOnlyList<ParameterBlock> ParameterLayout { get; } =
        [new("W", 0, classes, inputs, true), new("c", classes * inputs, classes, 1, false)];

    public abstract IReadOnlyList<DataField> DataLayout { get; }

    protected int Classes => classes;

    public void Forward(ReadOnlySpan<double> parameters, ReadOnlySpan<double> input, ReadOnlySpan<double> data, Span<double> output)
    {
        Span<double> u = stackalloc double[classes];
        Logits(parameters, input, u);
        output[0] = Evaluate(u, data, stackalloc double[classes], stackalloc double[classes * classes]);
    }

    public void BackpropInput(ReadOnlySpan<double> parameters, ReadOnlySpan<double> input, ReadOnlySpan<double> data,
        ReadOnlySpan<double> outputAdjoint, Span<double> inputAdjoint)
    {
        Span<double> g = stackalloc double[classes];
        Derivatives(parameters, input, data, g, stackalloc double[classes * classes]);
        inputAdjoint.Clear();
        for (int k = 0; k < classes; k++)
        {
            for (int j = 0; j < inputs; j++)
            {
                inputAdjoint[j] += outputAdjoint[0] * g[k] * parameters[(k * inputs) + j];
            }
        }
    }

    public void AddParameterGradient(ReadOnlySpan<double> parameters, ReadOnlySpan<double> input, ReadOnlySpan<double> data,
        ReadOnlySpan<double> outputAdjoint, Span<double> parameterGradient)
    {
        Span<double> g = stackalloc double[classes];
        Derivatives(parameters, input, data, g, stackalloc double[classes * classes]);
        for (int k = 0; k < classes; k++)
        {
            for (int j = 0; j < inputs; j++)
            {
                parameterGradient[(k * inputs) + j] += outputAdjoint[0] * g[k] * input[j];
            }

            parameterGradient[(classes * inputs) + k] += outputAdjoint[0] * g[k];
        }
    }

    public void Tangent(ReadOnlySpan<double> parameters, ReadOnlySpan<double> input, ReadOnlySpan<double> data,
        ReadOnlySpan<double> inputTangent, ReadOnlySpan<double> parameterDirection, Span<double> outputTangent)
    {
        Span<double> g = stackalloc double[classes];
        Derivatives(parameters, input, data, g, stackalloc double[classes * classes]);
        double sum = 0;
        for (int k = 0; k < classes; k++)
        {
            sum += g[k] * LogitTangent(parameters, input, inputTangent, parameterDirection, k);
        }

        outputTangent[0] = sum;
    }

    public void SecondOrderInput(ReadOnlySpan<double> parameters, ReadOnlySpan<double> input, ReadOnlySpan<double> data,
        ReadOnlySpan<double> outputAdjoint, ReadOnlySpan<double> inputTangent, ReadOnlySpan<double> parameterDirection,
        Span<double> result)
    {
        Span<double> g = stackalloc double[classes];
        Span<double> curvedTangent = stackalloc double[classes];
        CurvedTangent(parameters, input, data, inputTangent, parameterDirection, g, curvedTangent);
        double b = outputAdjoint[0];
        result.Clear();
        for (int k = 0; k < classes; k++)
        {
            for (int j = 0; j < inputs; j++)
            {
                result[j] += b * ((parameters[(k * inputs) + j] * curvedTangent[k]) + (g[k] * parameterDirection[(k * inputs) + j]));
            }
        }
    }

    public void AddSecondOrderParameters(ReadOnlySpan<double> parameters, ReadOnlySpan<double> input, ReadOnlySpan<double> data,
        ReadOnlySpan<double> outputAdjoint, ReadOnlySpan<double> inputTangent, ReadOnlySpan<double> parameterDirection,
        Span<double> result)
    {
        Span<double> g = stackalloc double[classes];
        Span<double> curvedTangent = stackalloc double[classes];
        CurvedTangent(parameters, input, data, inputTangent, parameterDirection, g, curvedTangent);
        double b = outputAdjoint[0];
        for (int k = 0; k < classes; k++)
        {
            for (int j = 0; j < inputs; j++)
            {
                result[(k * inputs) + j] += b * ((curvedTangent[k] * input[j]) + (g[k] * inputTangent[j]));
            }

            result[(classes * inputs) + k] += b * curvedTangent[k];
        }
    }

    public void AddJacobians(ReadOnlySpan<double> parameters, ReadOnlySpan<double> input, ReadOnlySpan<double> data,
        Span<double> dx, Span<double> dz)
    {
        Span<double> g = stackalloc double[classes];
        Derivatives(parameters, input, data, g, stackalloc double[classes * classes]);
        for (int k = 0; k < classes; k++)
        {
            for (int j = 0; j < inputs; j++)
            {
                dx[(k * inputs) + j] += g[k] * input[j];
                dz[j] += g[k] * parameters[(k * inputs) + j];
            }

            dx[(classes * inputs) + k] += g[k];
        }
    }

    public void AddSecondDerivatives(ReadOnlySpan<double> parameters, ReadOnlySpan<double> input, ReadOnlySpan<double> data,
        ReadOnlySpan<double> outputAdjoint, Span<double> xxx, Span<double> xzx, Span<double> xzz)
    {
        Span<double> g = stackalloc double[classes];
        Span<double> s = stackalloc double[classes * classes];
        Derivatives(parameters, input, data, g, s);
        double b = outputAdjoint[0];
        int p = ParameterCount;

        // Row (k, j) of the parameters: W_kj for j < inputs, c_k for j = inputs (d u_k / d c_k = 1).
        for (int k = 0; k < classes; k++)
        {
            for (int j = 0; j <= inputs; j++)
            {
                int row = j < inputs ? (k * inputs) + j : (classes * inputs) + k;
                double zj = j < inputs ? input[j] : 1;
                for (int l = 0; l < classes; l++)
                {
                    for (int m = 0; m <= inputs; m++)
                    {
                        int column = m < inputs ? (l * inputs) + m : (classes * inputs) + l;
                        double zm = m < inputs ? input[m] : 1;
                        xxx[(row * p) + column] += b * s[(k * classes) + l] * zj * zm;
                    }
                }

                for (int m = 0; m < inputs; m++)
                {
                    double sw = 0;
                    for (int l = 0; l < classes; l++)
                    {
                        sw += s[(k * classes) + l] * parameters[(l * inputs) + m];
                    }

                    xzx[(row * inputs) + m] += b * ((sw * zj) + (j == m ? g[k] : 0));
                }
            }
        }

        for (int j = 0; j < inputs; j++)
        {
            for (int m = 0; m < inputs; m++)
            {
                double sum = 0;
                for (int k = 0; k < classes; k++)
                {
                    for (int l = 0; l < classes; l++)
                    {
                        sum += parameters[(k * inputs) + j] * s[(k * classes) + l] * parameters[(l * inputs) + m];
                    }
                }

                xzz[(j * inputs) + m] += b * sum;
            }
        }
    }

    /// <summary>Returns the loss at logits <paramref name="u"/> and writes its gradient and curvature (row-major).</summary>
    protected abstract double Evaluate(ReadOnlySpan<double> u, ReadOnlySpan<double> data, Span<double> gradient, Span<double> curvature);

    private void Derivatives(ReadOnlySpan<double> parameters, ReadOnlySpan<double> input, ReadOnlySpan<double> data,
        Span<double> gradient, Span<double> curvature)
    {
        Span<double> u = stackalloc double[classes];
        Logits(parameters, input, u);
        Evaluate(u, data, gradient, curvature);
    }

    /// <summary>Writes g and <c>S du</c> for the full logit tangent <c>du = W t + V z + vc</c>.</summary>
    private void CurvedTangent(ReadOnlySpan<double> parameters, ReadOnlySpan<double> input, ReadOnlySpan<double> data,
        ReadOnlySpan<double> inputTangent, ReadOnlySpan<double> direction, Span<double> g, Span<double> curvedTangent)
    {
        Span<double> s = stackalloc double[classes * classes];
        Derivatives(parameters, input, data, g, s);
        Span<double> du = stackalloc double[classes];
        for (int k = 0; k < classes; k++)
        {
            du[k] = LogitTangent(parameters, input, inputTangent, direction, k);
        }

        for (int k = 0; k < classes; k++)
        {
            double sum = 0;
            for (int l = 0; l < classes; l++)
            {
                sum += s[(k * classes) + l] * du[l];
            }

            curvedTangent[k] = sum;
        }
    }

    private void Logits(ReadOnlySpan<double> parameters, ReadOnlySpan<double> input, Span<double> u)
    {
        for (int k = 0; k < classes; k++)
        {
            double sum = parameters[(classes * inputs) + k];
            for (int j = 0; j < inputs; j++)
            {
                sum += parameters[(k * inputs) + j] * input[j];
            }

            u[k] = sum;
        }
    }

    private double LogitTangent(ReadOnlySpan<double> parameters, ReadOnlySpan<double> input,
        ReadOnlySpan<double> inputTangent, ReadOnlySpan<double> direction, int k)
    {
        double du = direction[(classes * inputs) + k];
        for (int j = 0; j < inputs; j++)
        {
            du += (parameters[(k * inputs) + j] * inputTangent[j]) + (direction[(k * inputs) + j] * input[j]);
        }

        return du;
    }
}
