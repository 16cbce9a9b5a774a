using System;
using System.Linq;
using Xunit;
using static HessianCodegen.Generator.Tests.Numerics.BatchedMemberTests;

namespace HessianCodegen.Generator.Tests.Numerics;

/// <summary>
/// <c>TangentBatch</c> and <c>SecondOrderBatch</c>, the batched sweeps of <c>H v</c>, against the per-example
/// members they replace (<c>Tangent</c>; <c>AddParameterGradient</c>, <c>AddSecondOrderParameters</c>,
/// <c>SecondOrderInput</c>, <c>BackpropInput</c>), over random batches of several sizes (labels and targets
/// included), with and without output adjoint-tangents and input adjoint-tangents.
/// </summary>
public sealed class SecondOrderBatchTests
{
    private static readonly int[] Counts = [1, 3, 64, 257];

    public static TheoryData<string> Cases => LayerCases.Ids;

    [Theory]
    [MemberData(nameof(Cases))]
    public void BatchedSweepsEqualThePerExampleMembers(string id) => AssertBatchedEqualsPerExample(LayerCases.All[id].Create());

    [Fact]
    public void AParameterOutsideTheSumsGetsItsPartPerExample() => AssertBatchedEqualsPerExample(new GainedTanhLayer(4, 6));

    [Fact]
    public void AnActivationWithoutABiasIsBatchedWithoutPerExampleCode()
    {
        var layer = new UnbiasedSigmoidLayer(5, 3);
        Assert.NotNull(layer.GetType().GetMethod(nameof(IHessianLayer.SecondOrderBatch)));
        Assert.Null(layer.GetType().GetMethod("TangentFromSums", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance));
        AssertBatchedEqualsPerExample(layer);
    }

    [Fact]
    public void AnInputReadOutsideTheSumsKeepsThePerExampleDefaults()
    {
        var layer = new ResidualTanhLayer(5);
        Assert.Null(layer.GetType().GetMethod(nameof(IHessianLayer.TangentBatch)));
        AssertBatchedEqualsPerExample(layer);
    }

    [Fact]
    public void FieldsNamedLikeTheBatchedMembersLocalsStillCompileAndAgree()
    {
        var layer = new ClashingNamesLayer(3, 4);
        Assert.NotNull(layer.GetType().GetMethod(nameof(IHessianLayer.SecondOrderBatch)));
        AssertBatchedEqualsPerExample(layer);
    }

    [Theory]
    [InlineData("TanhLayer(3,5)")]
    [InlineData("SoftmaxCrossEntropyLayer(3,5)")]
    [InlineData("MeanSquaredErrorLayer(3,5)")]
    [InlineData("MeanCenteredTanhLayer(3,5)")]
    public void LayersWhoseInputEntersThroughSumsGetGeneratedSweeps(string id)
    {
        Type type = LayerCases.All[id].Create().GetType();
        Assert.NotNull(type.GetMethod(nameof(IHessianLayer.TangentBatch)));
        Assert.NotNull(type.GetMethod(nameof(IHessianLayer.SecondOrderBatch)));
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
        var tangents = new double[count * layer.InputSize];
        var outputTangents = new double[count * layer.OutputSize];
        var result = new double[layer.ParameterCount];

        void Tangent(double[] inputs, double[] inputTangents, double[] direction, double[] outputs) =>
            layer.TangentBatch(count, batch.Parameters, inputs, batch.Data, inputTangents, direction, outputs, new LayerWorkspace());

        void SecondOrder(double[] adjoints, double[] inputTangents, double[] direction, double[] s, double[] sIn, double[] sum)
        {
            var workspace = new LayerWorkspace();
            layer.TangentBatch(count, batch.Parameters, batch.Inputs, batch.Data, tangents, batch.Parameters, outputTangents, workspace);
            layer.SecondOrderBatch(count, batch.Parameters, batch.Inputs, batch.Data, adjoints, inputTangents, direction, s, sIn, sum, workspace);
        }

        AssertRejected("inputs", () => Tangent(Longer(batch.Inputs), tangents, batch.Parameters, outputTangents));
        AssertRejected("inputTangents", () => Tangent(batch.Inputs, Longer(tangents), batch.Parameters, outputTangents));
        AssertRejected("parameterDirection", () => Tangent(batch.Inputs, tangents, Longer(batch.Parameters), outputTangents));
        AssertRejected("outputTangents", () => Tangent(batch.Inputs, tangents, batch.Parameters, Longer(outputTangents)));
        AssertRejected("outputAdjoints", () => SecondOrder(Longer(batch.OutputAdjoints), tangents, batch.Parameters, outputTangents, tangents, result));
        AssertRejected("inputTangents", () => SecondOrder(batch.OutputAdjoints, Longer(tangents), batch.Parameters, outputTangents, tangents, result));
        AssertRejected("parameterDirection", () => SecondOrder(batch.OutputAdjoints, tangents, Longer(batch.Parameters), outputTangents, tangents, result));
        AssertRejected("outputAdjointTangents", () => SecondOrder(batch.OutputAdjoints, tangents, batch.Parameters, Longer(outputTangents), tangents, result));
        AssertRejected("inputAdjointTangents", () => SecondOrder(batch.OutputAdjoints, tangents, batch.Parameters, outputTangents, Longer(tangents), result));
        AssertRejected("result", () => SecondOrder(batch.OutputAdjoints, tangents, batch.Parameters, outputTangents, tangents, Longer(result)));
    }

    [Fact]
    public void SecondOrderBatchWithoutItsTangentBatchSaysSo()
    {
        IHessianLayer layer = LayerCases.All["TanhLayer(3,5)"].Create();
        RandomBatch batch = RandomBatch.Create(layer, 2, seed: 1);
        var error = Assert.Throws<InvalidOperationException>(() => layer.SecondOrderBatch(2, batch.Parameters, batch.Inputs, batch.Data,
            batch.OutputAdjoints, batch.Inputs, batch.Parameters, default, default, new double[layer.ParameterCount], new LayerWorkspace()));
        Assert.Contains("TangentBatch", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AWorkspaceAtOnePointComputesTheSlopesOnceAndServesEveryDirection()
    {
        IHessianLayer layer = LayerCases.All["TanhLayer(3,5)"].Create();
        const int count = 7;
        RandomBatch batch = RandomBatch.Create(layer, count, seed: 2);
        var random = new Random(7);
        double[] Uniform(int length) => Enumerable.Range(0, length).Select(_ => 2.0 * random.NextDouble() - 1.0).ToArray();
        var atOnePoint = LayerWorkspace.AtOnePoint();
        for (int call = 0; call < 3; call++)
        {
            double[] tangents = Uniform(count * layer.InputSize), direction = Uniform(layer.ParameterCount), adjointTangents = Uniform(count * layer.OutputSize);
            (double[] expectedTangents, double[] expectedInput, double[] expected) = Sweeps(layer, batch, batch.Inputs, tangents, direction, adjointTangents, new LayerWorkspace());
            (double[] outputTangents, double[] input, double[] result) = Sweeps(layer, batch, batch.Inputs, tangents, direction, adjointTangents, atOnePoint);
            DenseAlgebra.AssertRowsClose($"TangentBatch at one point, call {call}", outputTangents, expectedTangents, layer.OutputSize, 1e-13);
            DenseAlgebra.AssertRowsClose($"SecondOrderBatch input adjoint-tangents at one point, call {call}", input, expectedInput, layer.InputSize, 1e-13);
            DenseAlgebra.AssertClose($"SecondOrderBatch result at one point, call {call}", result, expected, 1e-13);
        }

        // Kept, not computed again: given other inputs (which a caller at one point never does) and v = 0, so
        // that the tangents are f'(u) W t, the workspace still answers with the first inputs' slopes.
        double[] t = Uniform(count * layer.InputSize), zero = new double[layer.ParameterCount], s = Uniform(count * layer.OutputSize);
        double[] otherInputs = batch.Inputs.Select(x => x + 0.5).ToArray();
        (double[] firstPoint, _, _) = Sweeps(layer, batch, batch.Inputs, t, zero, s, new LayerWorkspace());
        (double[] kept, _, _) = Sweeps(layer, batch, otherInputs, t, zero, s, atOnePoint);
        DenseAlgebra.AssertRowsClose("TangentBatch at one point, other inputs", kept, firstPoint, layer.OutputSize, 1e-13);
    }

    /// <summary>TangentBatch then SecondOrderBatch on the batch's parameters, data and adjoints, at <paramref name="inputs"/>.</summary>
    private static (double[] OutputTangents, double[] InputAdjointTangents, double[] Result) Sweeps(IHessianLayer layer, RandomBatch batch, double[] inputs,
        double[] tangents, double[] direction, double[] adjointTangents, LayerWorkspace workspace)
    {
        int count = inputs.Length / layer.InputSize;
        var outputTangents = new double[count * layer.OutputSize];
        var inputAdjointTangents = new double[count * layer.InputSize];
        var result = new double[layer.ParameterCount];
        layer.TangentBatch(count, batch.Parameters, inputs, batch.Data, tangents, direction, outputTangents, workspace);
        layer.SecondOrderBatch(count, batch.Parameters, inputs, batch.Data, batch.OutputAdjoints, tangents, direction,
            adjointTangents, inputAdjointTangents, result, workspace);
        return (outputTangents, inputAdjointTangents, result);
    }

    private static void AssertBatchedEqualsPerExample(IHessianLayer layer)
    {
        foreach (int count in Counts)
        {
            RandomBatch batch = RandomBatch.Create(layer, count, seed: count);
            int a = layer.OutputSize;
            int aIn = layer.InputSize;
            int d = layer.DataSize;
            var random = new Random(1000 + count);
            double[] Uniform(int length) => Enumerable.Range(0, length).Select(_ => 2.0 * random.NextDouble() - 1.0).ToArray();
            double[] tangents = Uniform(count * aIn);
            double[] direction = Uniform(layer.ParameterCount);
            double[] adjointTangents = Uniform(count * a);

            var expectedTangents = new double[count * a];
            var expectedInput = new double[count * aIn];
            var expectedInputWithoutS = new double[count * aIn];
            double[] expected = Enumerable.Repeat(0.5, layer.ParameterCount).ToArray();
            double[] expectedWithoutS = Enumerable.Repeat(0.5, layer.ParameterCount).ToArray();
            var backprop = new double[aIn];
            for (int n = 0; n < count; n++)
            {
                ReadOnlySpan<double> input = batch.Inputs.AsSpan(n * aIn, aIn);
                ReadOnlySpan<double> data = batch.Data.AsSpan(n * d, d);
                ReadOnlySpan<double> b = batch.OutputAdjoints.AsSpan(n * a, a);
                ReadOnlySpan<double> t = tangents.AsSpan(n * aIn, aIn);
                ReadOnlySpan<double> s = adjointTangents.AsSpan(n * a, a);
                layer.Tangent(batch.Parameters, input, data, t, direction, expectedTangents.AsSpan(n * a, a));
                layer.AddSecondOrderParameters(batch.Parameters, input, data, b, t, direction, expectedWithoutS);
                layer.SecondOrderInput(batch.Parameters, input, data, b, t, direction, expectedInputWithoutS.AsSpan(n * aIn, aIn));
                layer.AddParameterGradient(batch.Parameters, input, data, s, expected);
                layer.AddSecondOrderParameters(batch.Parameters, input, data, b, t, direction, expected);
                layer.BackpropInput(batch.Parameters, input, data, s, backprop);
                layer.SecondOrderInput(batch.Parameters, input, data, b, t, direction, expectedInput.AsSpan(n * aIn, aIn));
                for (int j = 0; j < aIn; j++)
                {
                    expectedInput[n * aIn + j] += backprop[j];
                }
            }

            var workspace = new LayerWorkspace();
            var outputTangents = new double[count * a];
            layer.TangentBatch(count, batch.Parameters, batch.Inputs, batch.Data, tangents, direction, outputTangents, workspace);
            DenseAlgebra.AssertRowsClose($"TangentBatch, count {count}", outputTangents, expectedTangents, a, 1e-13);

            var inputAdjointTangents = new double[count * aIn];
            double[] result = Enumerable.Repeat(0.5, layer.ParameterCount).ToArray();
            layer.SecondOrderBatch(count, batch.Parameters, batch.Inputs, batch.Data, batch.OutputAdjoints, tangents, direction,
                adjointTangents, inputAdjointTangents, result, workspace);
            DenseAlgebra.AssertRowsClose($"SecondOrderBatch input adjoint-tangents, count {count}", inputAdjointTangents, expectedInput, aIn, 1e-13);
            DenseAlgebra.AssertClose($"SecondOrderBatch result (accumulated), count {count}", result, expected, 1e-13);

            // The loss layer has no adjoint-tangent (s = 0); the first layer wants no input adjoint-tangents.
            var withoutS = new double[count * aIn];
            double[] resultWithoutS = Enumerable.Repeat(0.5, layer.ParameterCount).ToArray();
            layer.SecondOrderBatch(count, batch.Parameters, batch.Inputs, batch.Data, batch.OutputAdjoints, tangents, direction,
                default, withoutS, resultWithoutS, workspace);
            DenseAlgebra.AssertRowsClose($"SecondOrderBatch with s = 0, count {count}", withoutS, expectedInputWithoutS, aIn, 1e-13);
            DenseAlgebra.AssertClose($"SecondOrderBatch result with s = 0, count {count}", resultWithoutS, expectedWithoutS, 1e-13);

            double[] resultAlone = Enumerable.Repeat(0.5, layer.ParameterCount).ToArray();
            layer.SecondOrderBatch(count, batch.Parameters, batch.Inputs, batch.Data, batch.OutputAdjoints, tangents, direction,
                adjointTangents, default, resultAlone, workspace);
            DenseAlgebra.AssertClose($"SecondOrderBatch without input adjoint-tangents, count {count}", resultAlone, result, 1e-15);
        }
    }

    private static double[] Longer(double[] values) => [.. values, 0.0];

    private static void AssertRejected(string span, Action call)
    {
        var error = Assert.Throws<ArgumentException>(call);
        Assert.Equal(span, error.ParamName);
        Assert.Contains($"'{span}'", error.Message, StringComparison.Ordinal);
    }
}
