using static HessianCodegen.LayerMath;

namespace HessianCodegen.Layers;

/// <summary>A dense layer with the hyperbolic tangent: <c>y = Tanh(W z + c)</c>.</summary>
[HessianLayer]
public sealed partial class TanhLayer(int inputs, int outputs)
{
    private readonly Vector z = Input(inputs);
    private readonly Matrix W = Parameter(outputs, inputs);
    private readonly Vector c = Parameter(outputs);

    private double Output(int i) => Tanh(Sum(j => W[i, j] * z[j]) + c[i]);
}
