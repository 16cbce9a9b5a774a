using static HessianCodegen.LayerMath;

namespace HessianCodegen.Layers;

/// <summary>
/// The squared error <c>0.5 * sum_k (z[k] - target[k])^2</c> of predictions computed by the layer
/// before it, for one example, without parameters of its own: the loss layer that Gauss-Newton needs
/// (<see cref="Curvature.GaussNewton"/>). <c>LinearLayer(inputs, outputs)</c> followed by this layer
/// computes what <see cref="MeanSquaredErrorLayer"/> computes, with the same parameters.
/// </summary>
[HessianLayer]
public sealed partial class SquaredErrorLoss(int outputs)
{
    private readonly Vector z = Input(outputs);
    private readonly Vector target = Target(outputs);

    private double Loss() => 0.5 * Sum(k => Square(z[k] - target[k]));
}
