using HessianCodegen;
using static HessianCodegen.LayerMath;

namespace Consumer;

/// <summary>
/// A layer the package does not ship: a dense layer with the Gaussian bump exp(-u^2). The
/// generator inside the package must differentiate it in this project's build.
/// </summary>
[HessianLayer]
public sealed partial class GaussianLayer(int inputs, int outputs)
{
    private readonly Vector z = Input(inputs);
    private readonly Matrix W = Parameter(outputs, inputs);
    private readonly Vector c = Parameter(outputs);

    private double Output(int i) => Exp(-Square(Sum(j => W[i, j] * z[j]) + c[i]));
}
