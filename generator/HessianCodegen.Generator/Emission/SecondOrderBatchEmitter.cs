using System.Collections.Generic;
using HessianCodegen.Generator.Batching;
using HessianCodegen.Generator.Differentiation;
using HessianCodegen.Generator.Helpers;
using HessianCodegen.Generator.Model;

namespace HessianCodegen.Generator.Emission;

/// <summary>
/// Writes the batched members of <c>H v</c>, <c>TangentBatch</c> and <c>SecondOrderBatch</c>, of a layer whose
/// input enters only through the sums <c>u = W z</c> (<see cref="InputSums"/>). With <c>f(u, q)</c> the layer over
/// its sums and <c>(vW, vq)</c> the direction, the sums' tangent <c>udot = W t + vW z</c>, the sums' adjoint
/// <c>ubar = b f_u</c> and adjoint-tangent <c>ubar' = s f_u + b (f_uu udot + f_uq vq)</c> carry every product with
/// <c>W</c>; those are matrix products over the batch, and the rest runs per example in private methods built
/// from the sum layer's own contract members (docs/algorithm.md section 4).
/// </summary>
internal static class SecondOrderBatchEmitter
{
    private const string Span = "global::System.Span<double>";
    private const string ReadOnlySpan = "global::System.ReadOnlySpan<double>";
    private const string Kernels = "global::HessianCodegen.BatchKernels";

    private const string SumsTangent = "TangentFromSums";
    private const string SumsAdjoint = "BackpropInputFromSums";
    private const string SumsGradient = "AddParameterGradientFromSums";
    private const string SumsSecondOrderInput = "SecondOrderInputFromSums";
    private const string SumsSecondOrderParameters = "AddSecondOrderParametersFromSums";

    /// <summary>The locals and parameters of the members written here, which the name of the sums must not take.</summary>
    public static readonly string[] Reserved =
    {
        "inputTangents", "parameterDirection", "outputTangents", "outputAdjointTangents", "inputAdjointTangents", "result",
        "exampleTangents", "exampleAdjointTangent", "outputAdjointTangent",
    };

    /// <summary>Writes both members and their per-example methods; returns whether the code reads a class label.</summary>
    public static bool WriteMethods(SourceWriter writer, LayerModel layer, LayerMembers members, SumDerivatives d)
    {
        WriteTangentBatch(writer, layer, members, d);
        WriteSecondOrderBatch(writer, layer, members, d);
        return WritePerExampleMethods(writer, d);
    }

    private static void WriteTangentBatch(SourceWriter writer, LayerModel layer, LayerMembers members, SumDerivatives d)
    {
        string w = BatchEmitter.WeightsLocal(d.Sums);
        string vw = w + "Direction";
        string s = d.Sums.Sums.Name;
        string tangent = s + "Tangent";
        using (ContractPrinter.Open(writer, ContractMembers.TangentBatch, $": the sums <c>{s} = {w} z</c> and their tangents <c>{w} t + v{w} z</c> of all of them in matrix products, then the rest per example; <c>workspace</c> keeps both for <see cref=\"SecondOrderBatch\"/>"))
        {
            ContractPrinter.WriteChecks(writer, ContractMembers.TangentBatch, layer, members);
            BatchEmitter.WriteSizes(writer, layer, members, d.Sums);
            WriteWeights(writer, layer, members, d, w, vw);
            writer.WriteLine($"{Span} {s} = workspace.Buffer(\"{s}\", count * sumCount);");
            writer.WriteLine($"{Span} {tangent} = workspace.Buffer(\"{tangent}\", count * sumCount);");
            writer.WriteLine();
            writer.WriteLine($"// {s} = inputs {w}^T and {tangent} = inputTangents {w}^T + inputs {vw}^T, one row per example.");
            writer.WriteLine($"{Kernels}.Multiply(false, true, count, sumCount, inputSize, 1.0, inputs, inputSize, {w}, inputSize, 0.0, {s}, sumCount);");
            writer.WriteLine($"{Kernels}.Multiply(false, true, count, sumCount, inputSize, 1.0, inputTangents, inputSize, {w}, inputSize, 0.0, {tangent}, sumCount);");
            writer.WriteLine($"{Kernels}.Multiply(false, true, count, sumCount, inputSize, 1.0, inputs, inputSize, {vw}, inputSize, 1.0, {tangent}, sumCount);");
            writer.WriteLine();
            writer.WriteLine($"// Per example: the layer over its sums, with the sums' tangent as its input tangent.");
            using (writer.Block("for (int n = 0; n < count; n++)"))
            {
                writer.WriteLine($"{SumsTangent}(parameters, {s}.Slice(n * sumCount, sumCount), data.Slice(n * DataSize, DataSize), {tangent}.Slice(n * sumCount, sumCount), parameterDirection, outputTangents.Slice(n * OutputSize, OutputSize));");
            }
        }

        writer.WriteLine();
    }

    private static void WriteSecondOrderBatch(SourceWriter writer, LayerModel layer, LayerMembers members, SumDerivatives d)
    {
        string w = BatchEmitter.WeightsLocal(d.Sums);
        string vw = w + "Direction";
        string s = d.Sums.Sums.Name;
        string tangent = s + "Tangent";
        string adjoint = s + "Adjoint";
        string adjointTangent = s + "AdjointTangent";
        string scratch = s + "Scratch";
        using (ContractPrinter.Open(writer, ContractMembers.SecondOrderBatch, $", after <see cref=\"TangentBatch\"/> on the same examples and direction: the adjoint <c>{adjoint}</c> and adjoint-tangent <c>{adjointTangent}</c> of the sums per example, then the products with <c>{w}</c>, <c>v{w}</c>, the inputs and their tangents for the whole batch"))
        {
            ContractPrinter.WriteChecks(writer, ContractMembers.SecondOrderBatch, layer, members);
            BatchEmitter.WriteSizes(writer, layer, members, d.Sums);
            WriteWeights(writer, layer, members, d, w, vw);
            writer.WriteLine($"{ReadOnlySpan} {s} = workspace.Kept(\"{s}\", count * sumCount);");
            writer.WriteLine($"{ReadOnlySpan} {tangent} = workspace.Kept(\"{tangent}\", count * sumCount);");
            writer.WriteLine($"{Span} {adjoint} = workspace.Buffer(\"{adjoint}\", count * sumCount);");
            writer.WriteLine($"{Span} {adjointTangent} = workspace.Buffer(\"{adjointTangent}\", count * sumCount);");
            writer.WriteLine($"{Span} {scratch} = workspace.Buffer(\"{scratch}\", sumCount);");
            writer.WriteLine();
            writer.WriteLine($"// Per example: {adjoint} = b f_u, {adjointTangent} = b (f_uu udot + f_uq vq) + s f_u, and the parts of result f reads outside the sums.");
            using (writer.Block("for (int n = 0; n < count; n++)"))
            {
                writer.WriteLine($"{ReadOnlySpan} exampleSums = {s}.Slice(n * sumCount, sumCount);");
                writer.WriteLine($"{ReadOnlySpan} exampleTangents = {tangent}.Slice(n * sumCount, sumCount);");
                writer.WriteLine($"{ReadOnlySpan} exampleData = data.Slice(n * DataSize, DataSize);");
                writer.WriteLine($"{ReadOnlySpan} outputAdjoint = outputAdjoints.Slice(n * OutputSize, OutputSize);");
                writer.WriteLine($"{Span} exampleAdjointTangent = {adjointTangent}.Slice(n * sumCount, sumCount);");
                writer.WriteLine($"{SumsAdjoint}(parameters, exampleSums, exampleData, outputAdjoint, {adjoint}.Slice(n * sumCount, sumCount));");
                writer.WriteLine($"{SumsSecondOrderInput}(parameters, exampleSums, exampleData, outputAdjoint, exampleTangents, parameterDirection, exampleAdjointTangent);");
                writer.WriteLine($"{SumsSecondOrderParameters}(parameters, exampleSums, exampleData, outputAdjoint, exampleTangents, parameterDirection, result);");
                using (writer.Block("if (!outputAdjointTangents.IsEmpty)"))
                {
                    writer.WriteLine($"{ReadOnlySpan} outputAdjointTangent = outputAdjointTangents.Slice(n * OutputSize, OutputSize);");
                    writer.WriteLine($"{SumsAdjoint}(parameters, exampleSums, exampleData, outputAdjointTangent, {scratch});");
                    writer.WriteLine($"{Kernels}.Add({scratch}, exampleAdjointTangent);");
                    writer.WriteLine($"{SumsGradient}(parameters, exampleSums, exampleData, outputAdjointTangent, result);");
                }
            }

            writer.WriteLine();
            writer.WriteLine($"// inputAdjointTangents = {adjointTangent} {w} + {adjoint} {vw}: both reach the inputs through the sums.");
            using (writer.Block("if (!inputAdjointTangents.IsEmpty)"))
            {
                writer.WriteLine($"{Kernels}.Multiply(false, false, count, inputSize, sumCount, 1.0, {adjointTangent}, sumCount, {w}, inputSize, 0.0, inputAdjointTangents, inputSize);");
                writer.WriteLine($"{Kernels}.Multiply(false, false, count, inputSize, sumCount, 1.0, {adjoint}, sumCount, {vw}, inputSize, 1.0, inputAdjointTangents, inputSize);");
            }

            writer.WriteLine();
            string offset = BatchEmitter.Offset(layer, members, d.Sums.Weights);
            writer.WriteLine($"// The {w} part of result += {adjointTangent}^T inputs + {adjoint}^T inputTangents, summed over the examples.");
            writer.WriteLine($"{Span} {w}Result = result.Slice({offset}, sumCount * inputSize);");
            writer.WriteLine($"{Kernels}.Multiply(true, false, sumCount, inputSize, count, 1.0, {adjointTangent}, sumCount, inputs, inputSize, 1.0, {w}Result, inputSize);");
            writer.WriteLine($"{Kernels}.Multiply(true, false, sumCount, inputSize, count, 1.0, {adjoint}, sumCount, inputTangents, inputSize, 1.0, {w}Result, inputSize);");
        }

        writer.WriteLine();
    }

    /// <summary>The views of <c>W</c> and of its part of the direction, <c>vW</c>.</summary>
    private static void WriteWeights(SourceWriter writer, LayerModel layer, LayerMembers members, SumDerivatives d, string w, string vw)
    {
        string offset = BatchEmitter.Offset(layer, members, d.Sums.Weights);
        writer.WriteLine($"{ReadOnlySpan} {w} = parameters.Slice({offset}, sumCount * inputSize);");
        writer.WriteLine($"{ReadOnlySpan} {vw} = parameterDirection.Slice({offset}, sumCount * inputSize);");
    }

    /// <summary>
    /// The sum layer's contract members <c>Tangent</c>, <c>BackpropInput</c>, <c>AddParameterGradient</c>,
    /// <c>SecondOrderInput</c> and <c>AddSecondOrderParameters</c> as private methods over one example's sums
    /// (in <c>input</c>). <c>W</c> is absent from the sum layer, so they touch only the other parameters. They
    /// check no span: the batched members checked the whole batch.
    /// </summary>
    private static bool WritePerExampleMethods(SourceWriter writer, SumDerivatives sums)
    {
        SymbolicLayerDerivatives d = sums.Derivatives;
        LayerModel layer = sums.Sums.SumLayer;
        string s = sums.Sums.Sums.Name;
        var outputLoops = layer.IsLoss ? new List<Loop>() : new List<Loop> { new(LayerModel.OutputIndex, layer.OutputExtent!, layer.OutputIndexName) };
        var sumLoops = new List<Loop> { new(SymbolicLayerDerivatives.InputIndex.Name, sums.Sums.Sums.Dimensions[0]) };
        string sumsAre = $"for one example from its sums <c>{s}</c> (in <c>input</c>)";
        string tangentsToo = $"for one example from its sums <c>{s}</c> (in <c>input</c>) and their tangent (in <c>inputTangent</c>)";

        bool readsLabel = LayerEmitter.Method(writer, "private", SumsTangent, $"Computes <c>outputTangent = Df/d{s} t + Dx v</c> {tangentsToo}.", d, m =>
        {
            m.AddKernel($"outputTangent = Df/d{s} t + Dx v", LayerEmitter.OutputTarget(m, "outputTangent", layer), outputLoops, d.Tangent, overwrite: true);
        }, $"{ReadOnlySpan} parameters", $"{ReadOnlySpan} input", $"{ReadOnlySpan} data", $"{ReadOnlySpan} inputTangent", $"{ReadOnlySpan} parameterDirection", $"{Span} outputTangent");

        readsLabel |= LayerEmitter.Method(writer, "private", SumsAdjoint, $"Computes <c>inputAdjoint = b df/d{s}</c> {sumsAre}.", d, m =>
        {
            m.AddKernel($"inputAdjoint = b df/d{s}", LayerEmitter.InputTarget(m, "inputAdjoint", SymbolicLayerDerivatives.InputIndex), sumLoops, d.InputAdjoint, overwrite: true);
        }, $"{ReadOnlySpan} parameters", $"{ReadOnlySpan} input", $"{ReadOnlySpan} data", $"{ReadOnlySpan} outputAdjoint", $"{Span} inputAdjoint");

        readsLabel |= LayerEmitter.Method(writer, "private", SumsGradient, $"Computes <c>parameterGradient += b Dx</c> {sumsAre}.", d, m =>
        {
            foreach (ParameterDerivative gradient in d.ParameterGradient)
            {
                if (LayerEmitter.IsNonZero(gradient))
                {
                    m.AddKernel($"parameterGradient += b Dx, the {gradient.Parameter.Name} part", LayerEmitter.ParameterTarget(m, "parameterGradient", gradient.Parameter, gradient.Indices, null, null), LayerEmitter.ParameterLoops(gradient.Parameter, gradient.Indices), gradient.Value, overwrite: false);
                }
            }
        }, $"{ReadOnlySpan} parameters", $"{ReadOnlySpan} input", $"{ReadOnlySpan} data", $"{ReadOnlySpan} outputAdjoint", $"{Span} parameterGradient");

        readsLabel |= LayerEmitter.Method(writer, "private", SumsSecondOrderInput, $"Computes <c>result = Xzz t + Xzx^T v</c> of f over its sums, contracted with <c>b</c>, {tangentsToo}.", d, m =>
        {
            m.AddKernel($"result = Xzz t + Xzx^T v over {s}", LayerEmitter.InputTarget(m, "result", SymbolicLayerDerivatives.InputIndex), sumLoops, d.SecondOrderInput, overwrite: true);
        }, $"{ReadOnlySpan} parameters", $"{ReadOnlySpan} input", $"{ReadOnlySpan} data", $"{ReadOnlySpan} outputAdjoint", $"{ReadOnlySpan} inputTangent", $"{ReadOnlySpan} parameterDirection", $"{Span} result");

        readsLabel |= LayerEmitter.Method(writer, "private", SumsSecondOrderParameters, $"Computes <c>result += Xxx v + Xzx t</c> of f over its sums, contracted with <c>b</c>, {tangentsToo}.", d, m =>
        {
            foreach (ParameterDerivative product in d.SecondOrderParameters)
            {
                if (LayerEmitter.IsNonZero(product))
                {
                    m.AddKernel($"result += Xxx v + Xzx t, the {product.Parameter.Name} part", LayerEmitter.ParameterTarget(m, "result", product.Parameter, product.Indices, null, null), LayerEmitter.ParameterLoops(product.Parameter, product.Indices), product.Value, overwrite: false);
                }
            }
        }, $"{ReadOnlySpan} parameters", $"{ReadOnlySpan} input", $"{ReadOnlySpan} data", $"{ReadOnlySpan} outputAdjoint", $"{ReadOnlySpan} inputTangent", $"{ReadOnlySpan} parameterDirection", $"{Span} result");

        return readsLabel;
    }
}
