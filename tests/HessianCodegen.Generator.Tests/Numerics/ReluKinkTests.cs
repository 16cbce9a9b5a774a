using System.Linq;
using HessianCodegen.Layers;
using Xunit;

namespace HessianCodegen.Generator.Tests.Numerics;

/// <summary>
/// The documented Relu convention, exactly at the kink: at <c>u = 0</c> the derivative is the step's
/// value 0 and the second derivative is 0; just above it the derivative is 1. Finite differences
/// cannot check this (they straddle the kink), so the expected values are the convention itself.
/// </summary>
public sealed class ReluKinkTests
{
    // W = 0, so u = c: row 0 sits exactly on the kink, row 1 just above it, row 2 just below.
    private static readonly double[] Bias = [0.0, 1e-300, -1e-300];

    private const int Inputs = 2;

    [Fact]
    public void FirstDerivativesAreTheStepWithZeroAtTheKink()
    {
        IHessianLayer layer = new ReluLayer(Inputs, Bias.Length);
        LayerPoint at = PointWithBias(layer);

        var (dx, dz) = LayerProbe.Jacobians(layer, at);
        int p = layer.ParameterCount;
        int biasOffset = Bias.Length * Inputs;

        // d relu(u_i) / d c_i is the step at u_i: 0 at the kink, 1 above, 0 below.
        Assert.Equal([0.0, 1.0, 0.0], Enumerable.Range(0, Bias.Length).Select(i => dx[i * p + biasOffset + i]));
        // d relu(u_i) / d W[i, j] = step(u_i) z_j; d relu(u_i) / d z_j = step(u_i) W[i, j] = 0 (W = 0).
        for (int j = 0; j < Inputs; j++)
        {
            Assert.Equal(0.0, dx[0 * p + 0 * Inputs + j]);
            Assert.Equal(at.Input[j], dx[1 * p + 1 * Inputs + j]);
            Assert.Equal(0.0, dx[2 * p + 2 * Inputs + j]);
        }

        Assert.All(dz, value => Assert.Equal(0.0, value));
        Assert.Equal([0.0, 1e-300, 0.0], LayerProbe.Forward(layer, at));
    }

    [Fact]
    public void SecondDerivativesAreZeroAtTheKinkToo()
    {
        IHessianLayer layer = new ReluLayer(Inputs, Bias.Length);
        LayerPoint at = PointWithBias(layer) with { OutputAdjoint = [1.0, 1.0, 1.0] };

        var (xxx, xzx, xzz) = LayerProbe.SecondDerivatives(layer, at);

        // Xzx holds b_i step(u_i) d W[i, j] / d W[i, j] = 1 where the step is 1 (row 1); the rest,
        // the kink row included, is 0: relu'' = 0 everywhere.
        Assert.All(xxx, value => Assert.Equal(0.0, value));
        Assert.All(xzz, value => Assert.Equal(0.0, value));
        var expected = new double[xzx.Length];
        for (int j = 0; j < Inputs; j++)
        {
            expected[((1 * Inputs) + j) * Inputs + j] = 1.0;
        }

        Assert.Equal(expected, xzx);
    }

    private static LayerPoint PointWithBias(IHessianLayer layer)
    {
        var parameters = new double[layer.ParameterCount];
        Bias.CopyTo(parameters, Bias.Length * Inputs);
        return new LayerPoint(parameters, [0.5, -0.75], [], [1.0, 1.0, 1.0], [0.3, -0.2], Enumerable.Repeat(0.1, layer.ParameterCount).ToArray());
    }
}
