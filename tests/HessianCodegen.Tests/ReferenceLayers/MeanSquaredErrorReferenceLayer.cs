using System;
using System.Collections.Generic;

namespace HessianCodegen.Tests.ReferenceLayers;

/// <summary><c>loss = 0.5 sum_k (u_k - target_k)^2</c>: gradient <c>u - target</c>, curvature <c>I</c>.</summary>
public sealed class MeanSquaredErrorReferenceLayer(int inputs, int outputs) : LinearLossReferenceLayer(inputs, outputs)
{
    public override int DataSize => Classes;

    public override IReadOnlyList<DataField> DataLayout { get; } = [new("target", 0, DataKind.Target, outputs)];

    protected override double Evaluate(ReadOnlySpan<double> u, ReadOnlySpan<double> data, Span<double> gradient, Span<double> curvature)
    {
        double loss = 0;
        curvature.Clear();
        for (int k = 0; k < Classes; k++)
        {
            gradient[k] = u[k] - data[k];
            loss += 0.5 * gradient[k] * gradient[k];
            curvature[(k * Classes) + k] = 1;
        }

        return loss;
    }
}
