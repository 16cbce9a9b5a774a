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
/// <c>W</c>; those are matrix products over the batch. For an element-wise activation <c>g(W z + c)</c>
/// (<see cref="ElementwiseActivation"/>) the rest is vectorized passes over the batch too, from <c>g'</c> and
/// <c>g''</c>; otherwise it runs per example in private methods built from the sum layer's own contract
/// members (docs/algorithm.md section 4).
/// </summary>
internal static class SecondOrderBatchEmitter
{
    private const string Span = "global::System.Span<double>";
    private const string ReadOnlySpan = "global::System.ReadOnlySpan<double>";
    private const string Kernels = "global::HessianCodegen.BatchKernels";

    private const string SumsTangent = "TangentFromSums";
    private const string SumsAdjoint = BatchEmitter.BackpropSums;
    private const string SumsGradient = "AddParameterGradientFromSums";
    private const string SumsSecondOrderInput = "SecondOrderInputFromSums";
    private const string SumsSecondOrderParameters = "AddSecondOrderParametersFromSums";

    /// <summary>The locals and parameters of the members written here, which the name of the sums must not take.</summary>
    public static readonly string[] Reserved =
    {
        "inputTangents", "parameterDirection", "outputTangents", "outputAdjointTangents", "inputAdjointTangents", "result",
        "exampleTangents", "exampleAdjointTangent", "outputAdjointTangent",
    };

    /// <summary>
    /// Writes both members, over the whole batch for an element-wise <paramref name="activation"/>, else with
    /// their per-example methods; returns whether the code reads a class label.
    /// </summary>
    public static bool WriteMethods(SourceWriter writer, LayerModel layer, LayerMembers members, SumDerivatives d, ElementwiseActivation? activation)
    {
        if (activation is not null)
        {
            WriteActivationTangentBatch(writer, layer, members, d, activation);
            WriteActivationSecondOrderBatch(writer, layer, members, d, activation);
            return false;
        }

        WriteTangentBatch(writer, layer, members, d);
        WriteSecondOrderBatch(writer, layer, members, d);
        return WritePerExampleMethods(writer, d);
    }

    /// <summary>
    /// <c>TangentBatch</c> of <c>y = g(u)</c>, <c>u = Wz + c</c>: the sums and their tangents in matrix products,
    /// <c>g'(u)</c> and <c>g''(u)</c> in one vectorized pass, then <c>udot = Wz' + vc</c> and <c>y' = g'(u) udot</c>
    /// in another. The workspace keeps <c>g'</c>, <c>g''</c> and <c>udot</c>: all <c>SecondOrderBatch</c> needs. The
    /// sums and <c>g'</c>, <c>g''</c> depend only on the point, so a workspace at one point
    /// (<c>LayerWorkspace.AtOnePoint</c>, as <c>NetworkPoint</c>'s for <c>H v</c>) computes them at its first call only.
    /// </summary>
    private static void WriteActivationTangentBatch(SourceWriter writer, LayerModel layer, LayerMembers members, SumDerivatives d, ElementwiseActivation activation)
    {
        string w = BatchEmitter.WeightsLocal(d.Sums);
        string vw = w + "Direction";
        string s = d.Sums.Sums.Name;
        string tangent = d.Sums.TangentBuffer;
        string slope = d.Sums.SlopeBuffer;
        string function = activation.Function.Name!.ToLowerInvariant();
        string argument = activation.Bias is null ? s : $"{s} + {activation.Bias.Name}";
        using (ContractPrinter.Open(writer, ContractMembers.TangentBatch, $", all at once: the sums <c>{s} = {w} z</c> and their tangents <c>{w} t + v{w} z</c> in matrix products, then {function}'s slope and curvature at <c>{argument}</c> (once, when <c>workspace</c> is at one point) and the tangents in vectorized passes; <c>workspace</c> keeps the tangents, slopes and curvatures for <see cref=\"SecondOrderBatch\"/>"))
        {
            ContractPrinter.WriteChecks(writer, ContractMembers.TangentBatch, layer, members);
            BatchEmitter.WriteSizes(writer, layer, members, d.Sums);
            WriteWeights(writer, layer, members, d, w, vw);
            writer.WriteLine($"{Span} {tangent} = workspace.Buffer(\"{tangent}\", count * sumCount);");
            writer.WriteLine();
            ActivationBlocksEmitter.WriteKeepDerivativesCall(writer, d, activation);
            writer.WriteLine();
            writer.WriteLine($"// {tangent} = inputTangents {w}^T + inputs {vw}^T, one row per example.");
            writer.WriteLine($"{Kernels}.Multiply(false, true, count, sumCount, inputSize, 1.0, inputTangents, inputSize, {w}, inputSize, 0.0, {tangent}, sumCount);");
            writer.WriteLine($"{Kernels}.Multiply(false, true, count, sumCount, inputSize, 1.0, inputs, inputSize, {vw}, inputSize, 1.0, {tangent}, sumCount);");
            writer.WriteLine();
            writer.WriteLine(activation.Bias is null
                ? $"// outputTangents = {slope} {tangent}, element by element."
                : $"// {tangent} += v{activation.Bias.Name}, the tangent of {argument}; outputTangents = {slope} {tangent}, element by element.");
            writer.WriteLine($"{Kernels}.ActivationTangents(workspace.Kept(\"{slope}\", count * sumCount), {BiasSlice(layer, members, activation, "parameterDirection")}, {tangent}, outputTangents);");
        }

        writer.WriteLine();
    }

    /// <summary>
    /// <c>SecondOrderBatch</c> of <c>y = g(u)</c>, <c>u = Wz + c</c>, from what <c>TangentBatch</c> kept: the adjoint
    /// <c>ubar = b g'</c> and adjoint-tangent <c>ubar' = b g'' udot + s g'</c> in one vectorized pass, <c>c</c>'s part
    /// of the result their column sums, and the products with <c>W</c> and the inputs as in the general case.
    /// </summary>
    private static void WriteActivationSecondOrderBatch(SourceWriter writer, LayerModel layer, LayerMembers members, SumDerivatives d, ElementwiseActivation activation)
    {
        string w = BatchEmitter.WeightsLocal(d.Sums);
        string vw = w + "Direction";
        string s = d.Sums.Sums.Name;
        string tangent = d.Sums.TangentBuffer;
        string slope = d.Sums.SlopeBuffer;
        string curvature = d.Sums.CurvatureBuffer;
        string adjoint = d.Sums.AdjointBuffer;
        string adjointTangent = d.Sums.AdjointTangentBuffer;
        using (ContractPrinter.Open(writer, ContractMembers.SecondOrderBatch, $", after <see cref=\"TangentBatch\"/> on the same examples and direction: the adjoint <c>{adjoint}</c> and adjoint-tangent <c>{adjointTangent}</c> of the sums in one vectorized pass from the slopes, curvatures and tangents it kept, then the products with <c>{w}</c>, <c>v{w}</c>, the inputs and their tangents for the whole batch"))
        {
            WriteSecondOrderChecks(writer, layer, members, d);
            WriteWeights(writer, layer, members, d, w, vw);
            writer.WriteLine($"{ReadOnlySpan} {slope} = workspace.Kept(\"{slope}\", count * sumCount);");
            writer.WriteLine($"{ReadOnlySpan} {curvature} = workspace.Kept(\"{curvature}\", count * sumCount);");
            writer.WriteLine($"{ReadOnlySpan} {tangent} = workspace.Kept(\"{tangent}\", count * sumCount);");
            writer.WriteLine($"{Span} {adjoint} = workspace.Buffer(\"{adjoint}\", count * sumCount);");
            writer.WriteLine($"{Span} {adjointTangent} = workspace.Buffer(\"{adjointTangent}\", count * sumCount);");
            writer.WriteLine();
            writer.WriteLine($"// {adjoint} = b {slope} and {adjointTangent} = b {curvature} {tangent} + s {slope} (b the output adjoints, s the adjoint-tangents), element by element.");
            writer.WriteLine($"{Kernels}.ActivationAdjointTangents(outputAdjoints, outputAdjointTangents, {slope}, {curvature}, {tangent}, {adjoint}, {adjointTangent});");
            writer.WriteLine();
            if (activation.Bias is not null)
            {
                writer.WriteLine($"// The {activation.Bias.Name} part of result += the columns of {adjointTangent} summed: f reads {activation.Bias.Name}[e] only where it reads {s}[e].");
                writer.WriteLine($"{Kernels}.AddColumnSums({adjointTangent}, result.Slice({BatchEmitter.Offset(layer, members, activation.Bias)}, sumCount));");
                writer.WriteLine();
            }

            WriteProductsThroughWeights(writer, layer, members, d, w, vw, adjoint, adjointTangent);
        }

        writer.WriteLine();
    }

    /// <summary>The bias's part of <paramref name="vector"/> (the parameters or the direction), or an empty span without a bias.</summary>
    internal static string BiasSlice(LayerModel layer, LayerMembers members, ElementwiseActivation activation, string vector) =>
        activation.Bias is null ? $"{ReadOnlySpan}.Empty" : $"{vector}.Slice({BatchEmitter.Offset(layer, members, activation.Bias)}, sumCount)";

    private static void WriteTangentBatch(SourceWriter writer, LayerModel layer, LayerMembers members, SumDerivatives d)
    {
        string w = BatchEmitter.WeightsLocal(d.Sums);
        string vw = w + "Direction";
        string s = d.Sums.Sums.Name;
        string tangent = d.Sums.TangentBuffer;
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
        string tangent = d.Sums.TangentBuffer;
        string adjoint = d.Sums.AdjointBuffer;
        string adjointTangent = d.Sums.AdjointTangentBuffer;
        string scratch = d.Sums.ScratchBuffer;
        using (ContractPrinter.Open(writer, ContractMembers.SecondOrderBatch, $", after <see cref=\"TangentBatch\"/> on the same examples and direction: the adjoint <c>{adjoint}</c> and adjoint-tangent <c>{adjointTangent}</c> of the sums per example, then the products with <c>{w}</c>, <c>v{w}</c>, the inputs and their tangents for the whole batch"))
        {
            WriteSecondOrderChecks(writer, layer, members, d);
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
            WriteProductsThroughWeights(writer, layer, members, d, w, vw, adjoint, adjointTangent);
        }

        writer.WriteLine();
    }

    /// <summary>The checks of <c>SecondOrderBatch</c>'s spans and the sizes it reads.</summary>
    private static void WriteSecondOrderChecks(SourceWriter writer, LayerModel layer, LayerMembers members, SumDerivatives d)
    {
        ContractPrinter.WriteChecks(writer, ContractMembers.SecondOrderBatch, layer, members);
        BatchEmitter.WriteSizes(writer, layer, members, d.Sums);
    }

    /// <summary>
    /// The end of <c>SecondOrderBatch</c>: the sums' adjoint and adjoint-tangent reach the inputs through
    /// <c>W</c> and <c>vW</c>, and <c>W</c>'s part of the result through the inputs and their tangents.
    /// </summary>
    private static void WriteProductsThroughWeights(SourceWriter writer, LayerModel layer, LayerMembers members, SumDerivatives d, string w, string vw, string adjoint, string adjointTangent)
    {
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

        // Without an element-wise slope, BackwardBatch's emitter has already written the adjoint of the sums.
        if (sums.Slope is not null)
        {
            readsLabel |= LayerEmitter.Method(writer, "private", SumsAdjoint, $"Computes <c>inputAdjoint = b df/d{s}</c> {sumsAre}.", d, m =>
            {
                m.AddKernel($"inputAdjoint = b df/d{s}", LayerEmitter.InputTarget(m, "inputAdjoint", SymbolicLayerDerivatives.InputIndex), sumLoops, d.InputAdjoint, overwrite: true);
            }, $"{ReadOnlySpan} parameters", $"{ReadOnlySpan} input", $"{ReadOnlySpan} data", $"{ReadOnlySpan} outputAdjoint", $"{Span} inputAdjoint");
        }

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
