using System;
using System.Collections.Generic;

namespace HessianCodegen.Tests.ReferenceLayers;

/// <summary>
/// <c>loss = logsumexp(u) - u[label]</c>: gradient <c>pi - e_label</c>, curvature <c>diag(pi) - pi pi^T</c>
/// with <c>pi = softmax(u)</c>.
/// </summary>
public sealed class SoftmaxCrossEntropyReferenceLayer(int inputs, int classes) : LinearLossReferenceLayer(inputs, classes)
{
    public override int DataSize => 1;

    public override IReadOnlyList<DataField> DataLayout { get; } = [new("label", 0, DataKind.ClassLabel, classes)];

    protected override double Evaluate(ReadOnlySpan<double> u, ReadOnlySpan<double> data, Span<double> gradient, Span<double> curvature)
    {
        int label = (int)data[0];
        double max = double.NegativeInfinity;
        foreach (double value in u)
        {
            max = Math.Max(max, value);
        }

        double sum = 0;
        for (int k = 0; k < Classes; k++)
        {
            gradient[k] = Math.Exp(u[k] - max);
            sum += gradient[k];
        }

        for (int k = 0; k < Classes; k++)
        {
            gradient[k] /= sum;
        }

        for (int k = 0; k < Classes; k++)
        {
            for (int l = 0; l < Classes; l++)
            {
                curvature[(k * Classes) + l] = (k == l ? gradient[k] : 0) - (gradient[k] * gradient[l]);
            }
        }

        gradient[label] -= 1;
        return max + Math.Log(sum) - u[label];
    }
}
