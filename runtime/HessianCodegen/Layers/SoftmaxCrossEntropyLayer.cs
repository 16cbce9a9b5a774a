using static HessianCodegen.LayerMath;

namespace HessianCodegen.Layers;

/// <summary>
/// The last layer of a classifier: logits <c>u = W z + c</c> and the softmax cross-entropy
/// <c>logsumexp(u) - u[label]</c> of one example.
/// </summary>
[HessianLayer]
public sealed partial class SoftmaxCrossEntropyLayer(int inputs, int classes)
{
    private readonly Vector z = Input(inputs);
    private readonly Matrix W = Parameter(classes, inputs);
    private readonly Vector c = Parameter(classes);
    private readonly Label label = ClassLabel(classes);

    private double Loss() =>
        LogSumExp(k => Sum(j => W[k, j] * z[j]) + c[k]) - (Sum(j => W[label, j] * z[j]) + c[label]);
}
