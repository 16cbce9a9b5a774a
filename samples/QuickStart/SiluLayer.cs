using HessianCodegen;
using static HessianCodegen.LayerMath;

namespace QuickStart;

/// <summary>
/// A user-defined layer: a dense layer with the SiLU activation <c>u * Sigmoid(u)</c>,
/// <c>u = W z + c</c>. Written once here; the HessianCodegen generator emits its first and
/// second derivatives (the <see cref="IHessianLayer"/> members) at build time.
/// </summary>
[HessianLayer]
public sealed partial class SiluLayer(int inputs, int outputs)
{
    private readonly Vector z = Input(inputs);
    private readonly Matrix W = Parameter(outputs, inputs);
    private readonly Vector c = Parameter(outputs);

    private double Output(int i) => (Sum(j => W[i, j] * z[j]) + c[i]) * Sigmoid(Sum(j => W[i, j] * z[j]) + c[i]);
}
