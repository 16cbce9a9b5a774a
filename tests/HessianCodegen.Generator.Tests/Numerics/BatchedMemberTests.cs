using System;
using System.Linq;
using Xunit;
using static HessianCodegen.LayerMath;

namespace HessianCodegen.Generator.Tests.Numerics;

/// <summary>
/// <c>ForwardBatch</c> and <c>BackwardBatch</c> against the per-example members they replace, over
/// random batches of several sizes (labels and targets included), and their checks of span lengths.
/// The generated batched members compute <c>W z</c> as a matrix product, so they agree to round-off.
/// </summary>
public sealed class BatchedMemberTests
{
    private static readonly int[] Counts = [1, 3, 64, 257];

    public static TheoryData<string> Cases => LayerCases.Ids;

    [Theory]
    [MemberData(nameof(Cases))]
    public void BatchedMembersEqualThePerExampleMembers(string id) => AssertBatchedEqualsPerExample(LayerCases.All[id].Create());

    [Fact]
    public void AParameterOutsideTheSumsGetsItsGradientPerExample()
    {
        // The gain g is neither W nor a bias, so BackwardBatch computes its gradient example by example.
        var layer = new GainedTanhLayer(4, 6);
        Assert.NotNull(layer.GetType().GetMethod(nameof(IHessianLayer.BackwardBatch)));
        AssertBatchedEqualsPerExample(layer);
    }

    [Fact]
    public void AnInputReadOutsideTheSumsKeepsThePerExampleDefaults()
    {
        // z[i] added to the output: no product Z W^T carries all of the input, so no batched members are generated.
        var layer = new ResidualTanhLayer(5);
        Assert.Null(layer.GetType().GetMethod(nameof(IHessianLayer.ForwardBatch)));
        AssertBatchedEqualsPerExample(layer);
    }

    [Fact]
    public void FieldsNamedLikeTheBatchedMembersLocalsStillCompileAndAgree()
    {
        // A matrix named count, an input named inputs and a bias named data: the generated members rename their own locals.
        var layer = new ClashingNamesLayer(3, 4);
        Assert.NotNull(layer.GetType().GetMethod(nameof(IHessianLayer.ForwardBatch)));
        AssertBatchedEqualsPerExample(layer);
    }

    private static void AssertBatchedEqualsPerExample(IHessianLayer layer)
    {
        foreach (int count in Counts)
        {
            RandomBatch batch = RandomBatch.Create(layer, count, seed: count);
            int a = layer.OutputSize;
            int aIn = layer.InputSize;
            int d = layer.DataSize;

            var expectedOutputs = new double[count * a];
            var expectedInputAdjoints = new double[count * aIn];
            double[] expectedGradient = Enumerable.Repeat(0.5, layer.ParameterCount).ToArray();
            for (int n = 0; n < count; n++)
            {
                ReadOnlySpan<double> input = batch.Inputs.AsSpan(n * aIn, aIn);
                ReadOnlySpan<double> data = batch.Data.AsSpan(n * d, d);
                ReadOnlySpan<double> adjoint = batch.OutputAdjoints.AsSpan(n * a, a);
                layer.Forward(batch.Parameters, input, data, expectedOutputs.AsSpan(n * a, a));
                layer.BackpropInput(batch.Parameters, input, data, adjoint, expectedInputAdjoints.AsSpan(n * aIn, aIn));
                layer.AddParameterGradient(batch.Parameters, input, data, adjoint, expectedGradient);
            }

            var workspace = new LayerWorkspace();
            var outputs = new double[count * a];
            var inputAdjoints = new double[count * aIn];
            double[] gradient = Enumerable.Repeat(0.5, layer.ParameterCount).ToArray();
            layer.ForwardBatch(count, batch.Parameters, batch.Inputs, batch.Data, outputs, workspace);
            layer.BackwardBatch(count, batch.Parameters, batch.Inputs, batch.Data, batch.OutputAdjoints, inputAdjoints, gradient, workspace);

            DenseAlgebra.AssertRowsClose($"ForwardBatch, count {count}", outputs, expectedOutputs, a, 1e-13);
            DenseAlgebra.AssertRowsClose($"BackwardBatch input adjoints, count {count}", inputAdjoints, expectedInputAdjoints, aIn, 1e-13);
            DenseAlgebra.AssertClose($"BackwardBatch parameter gradient (accumulated), count {count}", gradient, expectedGradient, 1e-13);

            // The first layer of a network wants no input adjoints: the gradient is the same without them.
            double[] gradientAlone = Enumerable.Repeat(0.5, layer.ParameterCount).ToArray();
            layer.BackwardBatch(count, batch.Parameters, batch.Inputs, batch.Data, batch.OutputAdjoints, default, gradientAlone, workspace);
            DenseAlgebra.AssertClose($"BackwardBatch without input adjoints, count {count}", gradientAlone, gradient, 1e-15);
        }
    }

    [Theory]
    [InlineData("TanhLayer(3,5)")]
    [InlineData("SoftmaxCrossEntropyLayer(3,5)")]
    [InlineData("MeanSquaredErrorLayer(3,5)")]
    [InlineData("MeanCenteredTanhLayer(3,5)")]
    public void LayersWhoseInputEntersThroughSumsGetGeneratedBatchedMembers(string id)
    {
        // The batched path is not the interface's per-example default: the class implements it.
        Type type = LayerCases.All[id].Create().GetType();
        Assert.NotNull(type.GetMethod(nameof(IHessianLayer.ForwardBatch)));
        Assert.NotNull(type.GetMethod(nameof(IHessianLayer.BackwardBatch)));
    }

    [Theory]
    [InlineData("TanhLayer(3,5)")]
    [InlineData("SoftmaxCrossEntropyLayer(3,5)")]
    [InlineData("SquaredErrorLoss(5)")]
    [InlineData("HandWrittenTanhLayer(3,5)")]
    public void EverySpanOfTheWrongLengthIsRejected(string id)
    {
        IHessianLayer layer = LayerCases.All[id].Create();
        const int count = 3;
        RandomBatch batch = RandomBatch.Create(layer, count, seed: 1);
        var outputs = new double[count * layer.OutputSize];
        var inputAdjoints = new double[count * layer.InputSize];
        var gradient = new double[layer.ParameterCount];

        void Forward(double[] parameters, double[] inputs, double[] data, double[] forwardOutputs) =>
            layer.ForwardBatch(count, parameters, inputs, data, forwardOutputs, new LayerWorkspace());

        void Backward(double[] parameters, double[] inputs, double[] data, double[] adjoints, double[] adjointsIn, double[] sum)
        {
            var workspace = new LayerWorkspace();
            layer.ForwardBatch(count, batch.Parameters, batch.Inputs, batch.Data, outputs, workspace);
            layer.BackwardBatch(count, parameters, inputs, data, adjoints, adjointsIn, sum, workspace);
        }

        AssertRejected("parameters", () => Forward(Longer(batch.Parameters), batch.Inputs, batch.Data, outputs));
        AssertRejected("inputs", () => Forward(batch.Parameters, Longer(batch.Inputs), batch.Data, outputs));
        AssertRejected("outputs", () => Forward(batch.Parameters, batch.Inputs, batch.Data, Longer(outputs)));
        AssertRejected("inputs", () => Backward(batch.Parameters, Longer(batch.Inputs), batch.Data, batch.OutputAdjoints, inputAdjoints, gradient));
        AssertRejected("outputAdjoints", () => Backward(batch.Parameters, batch.Inputs, batch.Data, Longer(batch.OutputAdjoints), inputAdjoints, gradient));
        AssertRejected("inputAdjoints", () => Backward(batch.Parameters, batch.Inputs, batch.Data, batch.OutputAdjoints, Longer(inputAdjoints), gradient));
        AssertRejected("parameterGradient", () => Backward(batch.Parameters, batch.Inputs, batch.Data, batch.OutputAdjoints, inputAdjoints, Longer(gradient)));
        if (layer.DataSize > 0)
        {
            AssertRejected("data", () => Forward(batch.Parameters, batch.Inputs, Longer(batch.Data), outputs));
        }
    }

    [Fact]
    public void BackwardBatchWithoutItsForwardBatchSaysSo()
    {
        IHessianLayer layer = LayerCases.All["TanhLayer(3,5)"].Create();
        RandomBatch batch = RandomBatch.Create(layer, 2, seed: 1);
        var error = Assert.Throws<InvalidOperationException>(() => layer.BackwardBatch(2, batch.Parameters, batch.Inputs, batch.Data,
            batch.OutputAdjoints, default, new double[layer.ParameterCount], new LayerWorkspace()));
        Assert.Contains("ForwardBatch", error.Message, StringComparison.Ordinal);
    }

    private static double[] Longer(double[] values) => [.. values, 0.0];

    private static void AssertRejected(string span, Action call)
    {
        var error = Assert.Throws<ArgumentException>(call);
        Assert.Equal(span, error.ParamName);
        Assert.Contains($"'{span}'", error.Message, StringComparison.Ordinal);
    }

    /// <summary>A seeded random batch for a layer: parameters, input rows, data rows (labels in range) and output adjoints.</summary>
    internal sealed record RandomBatch(double[] Parameters, double[] Inputs, double[] Data, double[] OutputAdjoints)
    {
        public static RandomBatch Create(IHessianLayer layer, int count, int seed)
        {
            var random = new Random(seed);
            double[] Uniform(int length) => Enumerable.Range(0, length).Select(_ => 2.0 * random.NextDouble() - 1.0).ToArray();
            var data = new double[count * layer.DataSize];
            for (int n = 0; n < count; n++)
            {
                foreach (DataField field in layer.DataLayout)
                {
                    for (int k = 0; k < field.Width; k++)
                    {
                        data[n * layer.DataSize + field.Offset + k] =
                            field.Kind == DataKind.ClassLabel ? random.Next(field.Size) : 2.0 * random.NextDouble() - 1.0;
                    }
                }
            }

            return new RandomBatch(Uniform(layer.ParameterCount), Uniform(count * layer.InputSize), data, Uniform(count * layer.OutputSize));
        }
    }
}

/// <summary>A tanh layer with a gain per output, <c>y = g[i] Tanh(W z + c)</c>: g is a parameter outside the sums <c>W z</c>.</summary>
[HessianLayer]
public sealed partial class GainedTanhLayer(int inputs, int outputs)
{
    private readonly Vector z = Input(inputs);
    private readonly Matrix W = Parameter(outputs, inputs);
    private readonly Vector c = Parameter(outputs);
    private readonly Vector g = Parameter(outputs);

    private double Output(int i) => g[i] * Tanh(Sum(j => W[i, j] * z[j]) + c[i]);
}

/// <summary>A sigmoid layer without a bias, <c>y = Sigmoid(W z)</c>: an element-wise activation of the sums alone.</summary>
[HessianLayer]
public sealed partial class UnbiasedSigmoidLayer(int inputs, int outputs)
{
    private readonly Vector z = Input(inputs);
    private readonly Matrix W = Parameter(outputs, inputs);

    private double Output(int i) => Sigmoid(Sum(j => W[i, j] * z[j]));
}

/// <summary>A residual tanh layer, <c>y = z + Tanh(W z + c)</c>: the input is also read outside the sums.</summary>
[HessianLayer]
public sealed partial class ResidualTanhLayer(int width)
{
    private readonly Vector z = Input(width);
    private readonly Matrix W = Parameter(width, width);
    private readonly Vector c = Parameter(width);

    private double Output(int i) => z[i] + Tanh(Sum(j => W[i, j] * z[j]) + c[i]);
}

/// <summary>A tanh layer whose fields take the names of the batched members' parameters and locals.</summary>
[HessianLayer]
public sealed partial class ClashingNamesLayer(int sumCount, int n)
{
    private readonly Vector inputs = Input(sumCount);
    private readonly Matrix count = Parameter(n, sumCount);
    private readonly Vector data = Parameter(n);

    private double Output(int i) => Tanh(Sum(j => count[i, j] * inputs[j]) + data[i]);
}
