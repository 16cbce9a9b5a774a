using System.Linq;
using HessianCodegen.Generator.Tests.Infrastructure;
using Xunit;

namespace HessianCodegen.Generator.Tests;

/// <summary>The emitted locals are named by what they hold, where the generator can tell.</summary>
public sealed class LocalNameTests
{
    [Fact]
    public void ActivationDerivativesAndTheirProductsWithTheAdjointAreNamedSo()
    {
        string emitted = Emit("TanhLayer.cs");

        Assert.Contains("double tanhDerivative = 1.0 - tanh * tanh;", emitted);
        // The per-example H v members call the batched ones now; the product is named so in AddSecondDerivatives.
        Assert.Contains("double adjointTimesDerivative = outputAdjoint[i] * (1.0 - tanh * tanh);", emitted);
        Assert.Contains("double adjointTimesSecondDerivative = -2.0 * outputAdjoint[i] * tanh * (1.0 - tanh * tanh);", emitted);
    }

    [Fact]
    public void SigmoidsDerivativeIsNamedSo()
    {
        string emitted = Emit("SigmoidLayer.cs");

        Assert.Contains("double sigmoidDerivative = sigmoid * (1.0 - sigmoid);", emitted);
        Assert.Contains("double adjointTimesDerivative = outputAdjoint[i] * sigmoid * (1.0 - sigmoid);", emitted);
    }

    [Fact]
    public void AnActivationsArgumentIsThePreActivation()
    {
        const string silu = """
            using HessianCodegen;
            using static HessianCodegen.LayerMath;

            namespace Samples;

            [HessianLayer]
            public sealed partial class Silu(int inputs, int outputs)
            {
                private readonly Vector z = Input(inputs);
                private readonly Matrix W = Parameter(outputs, inputs);
                private readonly Vector c = Parameter(outputs);

                private double Output(int i) => (Sum(j => W[i, j] * z[j]) + c[i]) * Sigmoid(Sum(j => W[i, j] * z[j]) + c[i]);
            }
            """;
        string emitted = GeneratorHarness.Run(GeneratorHarness.Compile("Silu.cs", silu)).Result.GeneratedTrees.Single().ToString();

        // The per-example members call the batched ones now; the layer over its sums (in input) names it so.
        Assert.Contains("double preActivation = input[i] + c[i];", emitted);
        Assert.Contains("double sigmoid = global::HessianCodegen.LayerMath.Sigmoid(preActivation);", emitted);
    }

    private static string Emit(string layerFile)
    {
        var source = GeneratorHarness.StandardLayerSources().Single(layer => layer.Path.EndsWith(layerFile));
        return GeneratorHarness.Run(GeneratorHarness.Compile([source])).Result.GeneratedTrees.Single().ToString();
    }
}
