using static HessianCodegen.LayerMath;

namespace HessianCodegen.Layers;

/// <summary>
/// The last layer of a regression: predictions <c>u = W z + c</c> and the squared error
/// <c>0.5 * sum_k (u[k] - target[k])^2</c> of one example.
/// </summary>
[HessianLayer]
public sealed partial class MeanSquaredErrorLayer(int inputs, int outputs)
{
    private readonly Vector z = Input(inputs);
    private readonly Matrix W = Parameter(outputs, inputs);
    private readonly Vector c = Parameter(outputs);
    private readonly Vector target = Target(outputs);

    private double Loss() => 0.5 * Sum(k => Square(Sum(j => W[k, j] * z[j]) + c[k] - target[k]));
}
