using static HessianCodegen.LayerMath;

namespace HessianCodegen.Layers;

/// <summary>
/// Softmax cross-entropy of logits computed by the layer before it, <c>logsumexp(z) - z[label]</c>
/// for one example, without parameters of its own: the loss layer that Gauss-Newton needs
/// (<see cref="Curvature.GaussNewton"/>). <c>LinearLayer(inputs, classes)</c> followed by this layer
/// computes what <see cref="SoftmaxCrossEntropyLayer"/> computes, with the same parameters.
/// </summary>
[HessianLayer]
public sealed partial class SoftmaxCrossEntropyLoss(int classes)
{
    private readonly Vector z = Input(classes);
    private readonly Label label = ClassLabel(classes);

    private double Loss() => LogSumExp(k => z[k]) - z[label];
}
