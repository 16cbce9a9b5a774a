using System;
using System.Collections.Generic;

namespace HessianCodegen.Generator.Tests.Numerics;

/// <summary>
/// <c>y = tanh(W z + c)</c> with every derivative written by hand (docs/algorithm.md section 2).
/// It validates the numerical harness itself, independently of the generator: if these tests
/// fail here, the harness is wrong, not the generated code.
/// </summary>
/// <remarks>
/// With <c>s = 1 - y^2</c> and <c>g = b * (-2 y s)</c> (b times the second derivative of tanh):
/// <c>Xxx[(k,l),(k,n)] = g_k z_l z_n</c>, <c>Xzx[(k,l),n] = g_k W[k,n] z_l + b_k s_k delta(l,n)</c>,
/// <c>Xzz[l,n] = sum_i g_i W[i,l] W[i,n]</c>; rows of <c>c</c> drop the <c>z_l</c> factor.
/// </remarks>
internal sealed class HandWrittenTanhLayer(int inputs, int outputs) : IHessianLayer
{
    public int InputSize => inputs;

    public int OutputSize => outputs;

    public int ParameterCount => outputs * inputs + outputs;

    public bool IsLoss => false;

    public int DataSize => 0;

    public IReadOnlyList<ParameterBlock> ParameterLayout { get; } =
        [new("W", 0, outputs, inputs, IsMatrix: true), new("c", outputs * inputs, outputs, 1, IsMatrix: false)];

    public IReadOnlyList<DataField> DataLayout { get; } = [];

    private int BiasOffset => outputs * inputs;

    public void Forward(ReadOnlySpan<double> parameters, ReadOnlySpan<double> input, ReadOnlySpan<double> data,
        Span<double> output)
    {
        for (int i = 0; i < outputs; i++)
        {
            output[i] = Math.Tanh(PreActivation(parameters, input, i, includeBias: true));
        }
    }

    public void BackpropInput(ReadOnlySpan<double> parameters, ReadOnlySpan<double> input, ReadOnlySpan<double> data,
        ReadOnlySpan<double> outputAdjoint, Span<double> inputAdjoint)
    {
        inputAdjoint.Clear();
        for (int i = 0; i < outputs; i++)
        {
            double bs = outputAdjoint[i] * Slope(parameters, input, i);
            for (int l = 0; l < inputs; l++)
            {
                inputAdjoint[l] += bs * parameters[i * inputs + l];
            }
        }
    }

    public void AddParameterGradient(ReadOnlySpan<double> parameters, ReadOnlySpan<double> input,
        ReadOnlySpan<double> data, ReadOnlySpan<double> outputAdjoint, Span<double> parameterGradient)
    {
        for (int k = 0; k < outputs; k++)
        {
            double bs = outputAdjoint[k] * Slope(parameters, input, k);
            for (int l = 0; l < inputs; l++)
            {
                parameterGradient[k * inputs + l] += bs * input[l];
            }

            parameterGradient[BiasOffset + k] += bs;
        }
    }

    public void Tangent(ReadOnlySpan<double> parameters, ReadOnlySpan<double> input, ReadOnlySpan<double> data,
        ReadOnlySpan<double> inputTangent, ReadOnlySpan<double> parameterDirection, Span<double> outputTangent)
    {
        for (int i = 0; i < outputs; i++)
        {
            outputTangent[i] = Slope(parameters, input, i) * DirectionalPreActivation(parameters, input, inputTangent, parameterDirection, i);
        }
    }

    public void SecondOrderInput(ReadOnlySpan<double> parameters, ReadOnlySpan<double> input, ReadOnlySpan<double> data,
        ReadOnlySpan<double> outputAdjoint, ReadOnlySpan<double> inputTangent, ReadOnlySpan<double> parameterDirection,
        Span<double> result)
    {
        // result[n] = sum_k W[k,n] g_k du_k + b_k s_k V[k,n], du = W t + V z + v_c.
        result.Clear();
        for (int k = 0; k < outputs; k++)
        {
            double gdu = Curvature(parameters, input, outputAdjoint, k) * DirectionalPreActivation(parameters, input, inputTangent, parameterDirection, k);
            double bs = outputAdjoint[k] * Slope(parameters, input, k);
            for (int n = 0; n < inputs; n++)
            {
                result[n] += parameters[k * inputs + n] * gdu + bs * parameterDirection[k * inputs + n];
            }
        }
    }

    public void AddSecondOrderParameters(ReadOnlySpan<double> parameters, ReadOnlySpan<double> input,
        ReadOnlySpan<double> data, ReadOnlySpan<double> outputAdjoint, ReadOnlySpan<double> inputTangent,
        ReadOnlySpan<double> parameterDirection, Span<double> result)
    {
        // result[W_kl] += g_k z_l du_k + b_k s_k t_l; result[c_k] += g_k du_k.
        for (int k = 0; k < outputs; k++)
        {
            double gdu = Curvature(parameters, input, outputAdjoint, k) * DirectionalPreActivation(parameters, input, inputTangent, parameterDirection, k);
            double bs = outputAdjoint[k] * Slope(parameters, input, k);
            for (int l = 0; l < inputs; l++)
            {
                result[k * inputs + l] += gdu * input[l] + bs * inputTangent[l];
            }

            result[BiasOffset + k] += gdu;
        }
    }

    public void AddJacobians(ReadOnlySpan<double> parameters, ReadOnlySpan<double> input, ReadOnlySpan<double> data,
        Span<double> dx, Span<double> dz)
    {
        int p = ParameterCount;
        for (int i = 0; i < outputs; i++)
        {
            double s = Slope(parameters, input, i);
            for (int l = 0; l < inputs; l++)
            {
                dx[i * p + i * inputs + l] += s * input[l];
                dz[i * inputs + l] += s * parameters[i * inputs + l];
            }

            dx[i * p + BiasOffset + i] += s;
        }
    }

    public void AddSecondDerivatives(ReadOnlySpan<double> parameters, ReadOnlySpan<double> input,
        ReadOnlySpan<double> data, ReadOnlySpan<double> outputAdjoint, Span<double> xxx, Span<double> xzx, Span<double> xzz)
    {
        int p = ParameterCount;
        for (int k = 0; k < outputs; k++)
        {
            double g = Curvature(parameters, input, outputAdjoint, k);
            double bs = outputAdjoint[k] * Slope(parameters, input, k);
            int bias = BiasOffset + k;
            for (int l = 0; l < inputs; l++)
            {
                int weight = k * inputs + l;
                for (int n = 0; n < inputs; n++)
                {
                    xxx[weight * p + k * inputs + n] += g * input[l] * input[n];
                    xzx[weight * inputs + n] += g * parameters[k * inputs + n] * input[l] + (l == n ? bs : 0.0);
                    xzz[l * inputs + n] += g * parameters[k * inputs + l] * parameters[k * inputs + n];
                }

                xxx[weight * p + bias] += g * input[l];
                xxx[bias * p + weight] += g * input[l];
                xzx[bias * inputs + l] += g * parameters[k * inputs + l];
            }

            xxx[bias * p + bias] += g;
        }
    }

    // u_i = sum_j A[i,j] x[j] (+ a_i), (A, a) read from `tensors`, so that the same code gives W z + c and V z + v_c.
    private double PreActivation(ReadOnlySpan<double> tensors, ReadOnlySpan<double> x, int i, bool includeBias)
    {
        double u = includeBias ? tensors[BiasOffset + i] : 0.0;
        for (int j = 0; j < inputs; j++)
        {
            u += tensors[i * inputs + j] * x[j];
        }

        return u;
    }

    // du_i = (W t)_i + (V z)_i + v_c[i]: the pre-activation's directional derivative.
    private double DirectionalPreActivation(ReadOnlySpan<double> parameters, ReadOnlySpan<double> input,
        ReadOnlySpan<double> inputTangent, ReadOnlySpan<double> direction, int i) =>
        PreActivation(parameters, inputTangent, i, includeBias: false)
        + PreActivation(direction, input, i, includeBias: true);

    // s_i = 1 - y_i^2, the derivative of tanh at u_i.
    private double Slope(ReadOnlySpan<double> parameters, ReadOnlySpan<double> input, int i)
    {
        double y = Math.Tanh(PreActivation(parameters, input, i, includeBias: true));
        return 1.0 - y * y;
    }

    // g_i = b_i * (-2 y_i s_i), b times the second derivative of tanh at u_i.
    private double Curvature(ReadOnlySpan<double> parameters, ReadOnlySpan<double> input,
        ReadOnlySpan<double> outputAdjoint, int i)
    {
        double y = Math.Tanh(PreActivation(parameters, input, i, includeBias: true));
        return outputAdjoint[i] * -2.0 * y * (1.0 - y * y);
    }
}
