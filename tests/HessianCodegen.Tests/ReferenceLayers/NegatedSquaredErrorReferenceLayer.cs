using System;
using System.Collections.Generic;

namespace HessianCodegen.Tests.ReferenceLayers;

/// <summary>
/// <c>loss = -0.5 sum_k (u_k - target_k)^2</c>: gradient <c>target - u</c>, curvature <c>-I</c>. Its parameter
/// block <c>Xxx</c> is negative semi-definite, so <c>Xxx + eps I</c> can be made exactly singular.
/// </summary>
public sealed class NegatedSquaredErrorReferenceLayer(int inputs, int outputs) : LinearLossReferenceLayer(inputs, outputs)
{
    public override int DataSize => Classes;

    public override IReadOnlyList<DataField> DataLayout { get; } = [new("target", 0, DataKind.Target, outputs)];

    protected override double Evaluate(ReadOnlySpan<double> u, ReadOnlySpan<double> data, Span<double> gradient, Span<double> curvature)
    {
        double loss = 0;
        curvature.Clear();
        for (int k = 0; k < Classes; k++)
        {
            gradient[k] = data[k] - u[k];
            loss -= 0.5 * gradient[k] * gradient[k];
            curvature[(k * Classes) + k] = -1;
        }

        return loss;
    }
}
