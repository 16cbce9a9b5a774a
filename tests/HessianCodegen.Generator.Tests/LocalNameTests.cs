using System.Linq;
using HessianCodegen.Generator.Emission;
using HessianCodegen.Generator.Symbolic;
using HessianCodegen.Generator.Tests.Infrastructure;
using Xunit;

namespace HessianCodegen.Generator.Tests;

/// <summary>The emitted locals are named by what they hold, where the generator can tell.</summary>
public sealed class LocalNameTests
{
    [Fact]
    public void ActivationDerivativesAndTheirProductsWithTheAdjointAreNamedSo()
    {
        // The standard activation layers' members are all batched now; the residual layer keeps per-example code.
        string emitted = GeneratorHarness.EmitResidual("Tanh");

        Assert.Contains("double tanhDerivative = 1.0 - tanh * tanh;", emitted);
        Assert.Contains("double adjointTimesDerivative = outputAdjoint[i] * (1.0 - tanh * tanh);", emitted);
        Assert.Contains("double adjointTimesSecondDerivative = -2.0 * outputAdjoint[i] * tanh * (1.0 - tanh * tanh);", emitted);
    }

    [Fact]
    public void SigmoidsDerivativeIsNamedSo()
    {
        string emitted = GeneratorHarness.EmitResidual("Sigmoid");

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

    [Fact]
    public void ProductsAreNamedAfterTheirParts()
    {
        string emitted = GeneratorHarness.EmitResidual("Tanh");

        // b f''(u) is the curvature, b f'(u) the slope; a product is named after what it multiplies.
        Assert.Contains("double curvatureTimesInput = adjointTimesSecondDerivative * input[j];", emitted);
        Assert.Contains("double weightTimesCurvature = W[i * width + j] * adjointTimesSecondDerivative;", emitted);
        Assert.Contains("double curvatureTimesInputTimesInput = curvatureTimesInput * input[k];", emitted);

        string secondDerivatives = emitted.Substring(emitted.IndexOf("public void AddSecondDerivatives(", System.StringComparison.Ordinal));
        secondDerivatives = secondDerivatives.Substring(0, secondDerivatives.IndexOf("\n        }", System.StringComparison.Ordinal));
        Assert.DoesNotContain("double factor", secondDerivatives);
        Assert.DoesNotContain("double term", secondDerivatives);
    }

    [Fact]
    public void ThePreActivationsTangentIsNamedSo()
    {
        // A residual layer reads its input outside the sums, so its per-example members keep their own code.
        // du = vc[i] + Sum(j => W[i, j] t[j] + vW[i, j] z[j]), the last sum a temporary of its own.
        Assert.Contains("double preActivationTangent = vc[i] + sum1;", GeneratorHarness.EmitResidual("Sigmoid"));

        // 2 tanh (1 - tanh^2) du is -tanh'' du: the sign stays in the name.
        Assert.Contains("double minusTanhSecondDerivativeTimesPreActivationTangent = 2.0 * tanh * tanhDerivative * (vc[i] + sum1);", GeneratorHarness.EmitResidual("Tanh"));
    }

    [Fact]
    public void ANameDoesNotHideASign()
    {
        string emitted = Emit("SoftmaxCrossEntropyLoss.cs");

        Assert.Contains("double minusAdjointTimesDerivative = -b * exp[k];", emitted);
    }

    [Fact]
    public void SumsAreNamedAfterTheirTermsWhatIsAddedFirst()
    {
        Assert.Contains("double oneMinusSigmoid = 1.0 - sigmoid;", GeneratorHarness.EmitResidual("Sigmoid"));

        // The IR orders -target[k] first; the name says what the code computes.
        Assert.Contains("double inputMinusTarget = input[k] - target[k];", Emit("SquaredErrorLoss.cs"));
    }

    [Fact]
    public void LocalsAreNamedInOnePassAfterTheMethodIsBuilt()
    {
        var locals = new LocalNames();
        var scope = new NameScope(new[] { "input" });
        string sum = locals.Request(new LocalPurpose("sum"));
        string product = locals.Request(new LocalPurpose("factor", Expr.Constant(2.0)));
        string unnamed = locals.Request(new LocalPurpose("factor", Expr.Constant(3.0)));
        string terms = locals.Request(new LocalPurpose("Terms", SuffixOf: sum));

        // Until the naming pass a local is a placeholder no C# identifier equals: nothing is named while building.
        Assert.All(new[] { sum, product, unnamed, terms }, placeholder => Assert.False(Microsoft.CodeAnalysis.CSharp.SyntaxFacts.IsValidIdentifier(placeholder)));
        Assert.Null(locals.HintOf(sum));

        locals.NameAll(scope, value => value is Constant { Value: 2.0 } ? "twice" : null);

        Assert.Equal("double sum = 0; double twice = sum; double factor = twice; double sumTerms = factor;",
            locals.Apply($"double {sum} = 0; double {product} = {sum}; double {unnamed} = {product}; double {terms} = {unnamed};"));

        // A value named by its purpose is a word for longer names; one that kept the printer's hint is not.
        Assert.Equal("twice", locals.HintOf(product));
        Assert.Null(locals.HintOf(unnamed));
    }

    private static string Emit(string layerFile)
    {
        var source = GeneratorHarness.StandardLayerSources().Single(layer => layer.Path.EndsWith(layerFile));
        return GeneratorHarness.Run(GeneratorHarness.Compile([source])).Result.GeneratedTrees.Single().ToString();
    }
}
