using static HessianCodegen.LayerMath;

namespace HessianCodegen.Layers;

/// <summary>A dense layer with the rectifier max(u, 0) (derivative a step, second derivative zero): <c>y = Relu(W z + c)</c>.</summary>
[HessianLayer]
public sealed partial class ReluLayer(int inputs, int outputs)
{
    private readonly Vector z = Input(inputs);
    private readonly Matrix W = Parameter(outputs, inputs);
    private readonly Vector c = Parameter(outputs);

    private double Output(int i) => Relu(Sum(j => W[i, j] * z[j]) + c[i]);
}
