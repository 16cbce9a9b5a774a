using static HessianCodegen.LayerMath;

namespace HessianCodegen.Layers;

/// <summary>A dense layer with the softplus log(1 + e^u): <c>y = Softplus(W z + c)</c>.</summary>
[HessianLayer]
public sealed partial class SoftplusLayer(int inputs, int outputs)
{
    private readonly Vector z = Input(inputs);
    private readonly Matrix W = Parameter(outputs, inputs);
    private readonly Vector c = Parameter(outputs);

    private double Output(int i) => Softplus(Sum(j => W[i, j] * z[j]) + c[i]);
}
