using System;
using System.Collections.Generic;

namespace HessianCodegen.Tests.ReferenceLayers;

/// <summary>
/// A hand-written dense layer <c>y_i = f(u_i)</c>, <c>u = W z + c</c>, implementing the contract the
/// generator implements, to test the runtime independently of the generator. Parameters: W
/// (outputs x inputs, row-major) then c. With <c>g_i = b_i f'(u_i)</c>, <c>h_i = b_i f''(u_i)</c> and
/// the full tangent <c>du = W t + V z + vc</c>:
/// <c>(Xzz t + Xzx^T v)_j = sum_i h_i du_i W_ij + g_i V_ij</c>,
/// <c>(Xxx v + Xzx t)_(W_ij) = h_i du_i z_j + g_i t_j</c> and <c>(..)_(c_i) = h_i du_i</c>.
/// </summary>
public sealed class DenseReferenceLayer(Activation activation, int inputs, int outputs) : IHessianLayer
{
    public int InputSize => inputs;

    public int OutputSize => outputs;

    public int ParameterCount => outputs * (inputs + 1);

    public bool IsLoss => false;

    public int DataSize => 0;

    public IReadOnlyList<ParameterBlock> ParameterLayout { get; } =
        [new("W", 0, outputs, inputs, true), new("c", outputs * inputs, outputs, 1, false)];

    public IReadOnlyList<DataField> DataLayout { get; } = [];

    public void Forward(ReadOnlySpan<double> parameters, ReadOnlySpan<double> input, ReadOnlySpan<double> data, Span<double> output)
    {
        for (int i = 0; i < outputs; i++)
        {
            output[i] = ActivationDerivatives.Evaluate(activation, Preactivation(parameters, input, i), out _, out _);
        }
    }

    public void BackpropInput(ReadOnlySpan<double> parameters, ReadOnlySpan<double> input, ReadOnlySpan<double> data,
        ReadOnlySpan<double> outputAdjoint, Span<double> inputAdjoint)
    {
        inputAdjoint.Clear();
        for (int i = 0; i < outputs; i++)
        {
            double g = outputAdjoint[i] * First(parameters, input, i);
            for (int j = 0; j < inputs; j++)
            {
                inputAdjoint[j] += g * parameters[(i * inputs) + j];
            }
        }
    }

    public void AddParameterGradient(ReadOnlySpan<double> parameters, ReadOnlySpan<double> input, ReadOnlySpan<double> data,
        ReadOnlySpan<double> outputAdjoint, Span<double> parameterGradient)
    {
        for (int i = 0; i < outputs; i++)
        {
            double g = outputAdjoint[i] * First(parameters, input, i);
            for (int j = 0; j < inputs; j++)
            {
                parameterGradient[(i * inputs) + j] += g * input[j];
            }

            parameterGradient[(outputs * inputs) + i] += g;
        }
    }

    public void Tangent(ReadOnlySpan<double> parameters, ReadOnlySpan<double> input, ReadOnlySpan<double> data,
        ReadOnlySpan<double> inputTangent, ReadOnlySpan<double> parameterDirection, Span<double> outputTangent)
    {
        for (int i = 0; i < outputs; i++)
        {
            outputTangent[i] = First(parameters, input, i) * PreactivationTangent(parameters, input, inputTangent, parameterDirection, i);
        }
    }

    public void SecondOrderInput(ReadOnlySpan<double> parameters, ReadOnlySpan<double> input, ReadOnlySpan<double> data,
        ReadOnlySpan<double> outputAdjoint, ReadOnlySpan<double> inputTangent, ReadOnlySpan<double> parameterDirection,
        Span<double> result)
    {
        result.Clear();
        for (int i = 0; i < outputs; i++)
        {
            ActivationDerivatives.Evaluate(activation, Preactivation(parameters, input, i), out double first, out double second);
            double h = outputAdjoint[i] * second * PreactivationTangent(parameters, input, inputTangent, parameterDirection, i);
            double g = outputAdjoint[i] * first;
            for (int j = 0; j < inputs; j++)
            {
                result[j] += (h * parameters[(i * inputs) + j]) + (g * parameterDirection[(i * inputs) + j]);
            }
        }
    }

    public void AddSecondOrderParameters(ReadOnlySpan<double> parameters, ReadOnlySpan<double> input, ReadOnlySpan<double> data,
        ReadOnlySpan<double> outputAdjoint, ReadOnlySpan<double> inputTangent, ReadOnlySpan<double> parameterDirection,
        Span<double> result)
    {
        for (int i = 0; i < outputs; i++)
        {
            ActivationDerivatives.Evaluate(activation, Preactivation(parameters, input, i), out double first, out double second);
            double h = outputAdjoint[i] * second * PreactivationTangent(parameters, input, inputTangent, parameterDirection, i);
            double g = outputAdjoint[i] * first;
            for (int j = 0; j < inputs; j++)
            {
                result[(i * inputs) + j] += (h * input[j]) + (g * inputTangent[j]);
            }

            result[(outputs * inputs) + i] += h;
        }
    }

    public void AddJacobians(ReadOnlySpan<double> parameters, ReadOnlySpan<double> input, ReadOnlySpan<double> data,
        Span<double> dx, Span<double> dz)
    {
        int p = ParameterCount;
        for (int i = 0; i < outputs; i++)
        {
            double first = First(parameters, input, i);
            for (int j = 0; j < inputs; j++)
            {
                dx[(i * p) + (i * inputs) + j] += first * input[j];
                dz[(i * inputs) + j] += first * parameters[(i * inputs) + j];
            }

            dx[(i * p) + (outputs * inputs) + i] += first;
        }
    }

    public void AddSecondDerivatives(ReadOnlySpan<double> parameters, ReadOnlySpan<double> input, ReadOnlySpan<double> data,
        ReadOnlySpan<double> outputAdjoint, Span<double> xxx, Span<double> xzx, Span<double> xzz)
    {
        int p = ParameterCount;
        int bias = outputs * inputs;
        for (int i = 0; i < outputs; i++)
        {
            ActivationDerivatives.Evaluate(activation, Preactivation(parameters, input, i), out double first, out double second);
            double h = outputAdjoint[i] * second;
            double g = outputAdjoint[i] * first;

            // d u_i / d(W_i., c_i) = (z, 1): Xxx gets h times its outer product.
            for (int j = 0; j <= inputs; j++)
            {
                double zj = j < inputs ? input[j] : 1;
                int row = j < inputs ? (i * inputs) + j : bias + i;
                for (int k = 0; k <= inputs; k++)
                {
                    double zk = k < inputs ? input[k] : 1;
                    int column = k < inputs ? (i * inputs) + k : bias + i;
                    xxx[(row * p) + column] += h * zj * zk;
                }

                // Xzx[(W_ij or c_i), k] = h z_j W_ik + g delta_jk (no delta term for c).
                for (int k = 0; k < inputs; k++)
                {
                    xzx[(row * inputs) + k] += (h * zj * parameters[(i * inputs) + k]) + (j == k ? g : 0);
                }
            }

            for (int j = 0; j < inputs; j++)
            {
                for (int k = 0; k < inputs; k++)
                {
                    xzz[(j * inputs) + k] += h * parameters[(i * inputs) + j] * parameters[(i * inputs) + k];
                }
            }
        }
    }

    private double Preactivation(ReadOnlySpan<double> parameters, ReadOnlySpan<double> input, int i)
    {
        double u = parameters[(outputs * inputs) + i];
        for (int j = 0; j < inputs; j++)
        {
            u += parameters[(i * inputs) + j] * input[j];
        }

        return u;
    }

    private double PreactivationTangent(ReadOnlySpan<double> parameters, ReadOnlySpan<double> input,
        ReadOnlySpan<double> inputTangent, ReadOnlySpan<double> direction, int i)
    {
        double du = direction[(outputs * inputs) + i];
        for (int j = 0; j < inputs; j++)
        {
            du += (parameters[(i * inputs) + j] * inputTangent[j]) + (direction[(i * inputs) + j] * input[j]);
        }

        return du;
    }

    private double First(ReadOnlySpan<double> parameters, ReadOnlySpan<double> input, int i)
    {
        ActivationDerivatives.Evaluate(activation, Preactivation(parameters, input, i), out double first, out _);
        return first;
    }
}
