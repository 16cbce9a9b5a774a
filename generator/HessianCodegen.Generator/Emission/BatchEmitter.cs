using System.Collections.Generic;
using System.Linq;
using HessianCodegen.Generator.Batching;
using HessianCodegen.Generator.Differentiation;
using HessianCodegen.Generator.Helpers;
using HessianCodegen.Generator.Model;
using HessianCodegen.Generator.Symbolic;

namespace HessianCodegen.Generator.Emission;

/// <summary>
/// Writes the batched members <c>ForwardBatch</c> and <c>BackwardBatch</c> of a layer whose input enters
/// its math only through the sums <c>W z</c> of one matrix (<see cref="InputSums"/>): the sums of every
/// example and their adjoints move through matrix products, and the rest of the math runs per example
/// in private methods built like the contract's, from the layer rewritten over the sums. Other layers
/// get no batched members: the contract's defaults loop over the per-example ones. An element-wise activation
/// of the sums also gets batched derivative blocks (<see cref="ActivationBlocksEmitter"/>).
/// </summary>
internal static class BatchEmitter
{
    private const string Span = "global::System.Span<double>";
    private const string ReadOnlySpan = "global::System.ReadOnlySpan<double>";
    private const string Kernels = "global::HessianCodegen.BatchKernels";

    private const string ForwardFromSums = "ForwardFromSums";
    /// <summary>The per-example adjoint of the sums, written here when <c>BackwardBatch</c> needs it and read by <c>SecondOrderBatch</c> too.</summary>
    internal const string BackpropSums = "BackpropInputFromSums";
    private const string AddGradientOutsideSums = "AddGradientOutsideSums";

    // The locals and parameters of the batched members, which the name of the sums must not take.
    private static readonly string[] Reserved = new[]
    {
        "count", "parameters", "inputs", "data", "outputs", "workspace", "outputAdjoints", "inputAdjoints", "parameterGradient",
        "inputSize", "sumCount", "exampleSums", "exampleData", "outputAdjoint", "n",
    }.Concat(SecondOrderBatchEmitter.Reserved).Concat(ActivationBlocksEmitter.Reserved).ToArray();

    /// <summary>The sums <c>W z</c> through which alone the layer's input enters its math; null when there are none, and then no batched members.</summary>
    public static InputSums? FindSums(LayerModel layer) => InputSums.Find(layer, Reserved);

    /// <summary>
    /// Writes the batched members of a layer over its sums (<paramref name="derivatives"/>), and for an element-wise
    /// <paramref name="activation"/> the batched derivative blocks too; returns whether the code reads a class label.
    /// </summary>
    public static bool WriteMethods(SourceWriter writer, LayerModel layer, LayerMembers members, SumDerivatives derivatives, ElementwiseActivation? activation, IReadOnlyCollection<string> zeroBlocks)
    {
        WriteForwardBatch(writer, layer, members, derivatives, activation);
        WriteBackwardBatch(writer, layer, members, derivatives);
        bool readsLabel = WritePerExampleMethods(writer, derivatives, writeForward: activation is null);
        readsLabel |= SecondOrderBatchEmitter.WriteMethods(writer, layer, members, derivatives, activation);
        if (activation is not null)
        {
            ActivationBlocksEmitter.WriteMethods(writer, layer, members, derivatives, activation, zeroBlocks);
        }

        WriteRequireBatch(writer, members);
        return readsLabel;
    }

    private static void WriteForwardBatch(SourceWriter writer, LayerModel layer, LayerMembers members, SumDerivatives d, ElementwiseActivation? activation)
    {
        string w = WeightsLocal(d.Sums);
        string s = d.Sums.Sums.Name;
        string slope = d.Sums.SlopeBuffer;
        string then = activation is null ? "then f per example from its sums" : "then f of all the sums in one vectorized pass";
        using (ContractPrinter.Open(writer, ContractMembers.ForwardBatch, $": the sums <c>{s} = {w} {layer.Input.Name}</c> of all of them in one matrix product, {then}; <c>workspace</c> keeps what <see cref=\"BackwardBatch\"/> reads"))
        {
            ContractPrinter.WriteChecks(writer, ContractMembers.ForwardBatch, layer, members);
            WriteSizes(writer, layer, members, d.Sums);
            writer.WriteLine($"{ReadOnlySpan} {w} = parameters.Slice({Offset(layer, members, d.Sums.Weights)}, sumCount * inputSize);");
            writer.WriteLine($"{Span} {s} = workspace.Buffer(\"{s}\", count * sumCount);");
            if (d.Slope is not null)
            {
                writer.WriteLine($"{Span} {slope} = workspace.Buffer(\"{slope}\", count * sumCount);");
            }

            writer.WriteLine();
            writer.WriteLine($"// {s} = inputs {w}^T: the sums of every example at once, one row per example.");
            writer.WriteLine($"{Kernels}.Multiply(false, true, count, sumCount, inputSize, 1.0, inputs, inputSize, {w}, inputSize, 0.0, {s}, sumCount);");
            writer.WriteLine();
            if (activation is not null)
            {
                string function = activation.Function.Name!.ToLowerInvariant();
                string bias = activation.Bias is null ? $"{ReadOnlySpan}.Empty" : $"parameters.Slice({Offset(layer, members, activation.Bias)}, sumCount)";
                string argument = activation.Bias is null ? s : $"{s} + {activation.Bias.Name}";
                writer.WriteLine($"// outputs = {function}({argument}) and its slope {slope}, over the whole batch in one vectorized pass.");
                writer.WriteLine($"{Kernels}.{activation.Function.BatchKernel}({s}, {bias}, outputs, {slope});");
            }
            else
            {
                writer.WriteLine(d.Slope is null ? "// f per example, from its sums." : $"// f per example, from its sums, and its slope d f[i] / d {s}[i] for the backward pass.");
                using (writer.Block("for (int n = 0; n < count; n++)"))
                {
                    string slopeArgument = d.Slope is null ? string.Empty : $", {slope}.Slice(n * sumCount, sumCount)";
                    writer.WriteLine($"{ForwardFromSums}(parameters, {s}.Slice(n * sumCount, sumCount), data.Slice(n * DataSize, DataSize), outputs.Slice(n * OutputSize, OutputSize){slopeArgument});");
                }
            }
        }

        writer.WriteLine();
    }

    private static void WriteBackwardBatch(SourceWriter writer, LayerModel layer, LayerMembers members, SumDerivatives d)
    {
        string w = WeightsLocal(d.Sums);
        string s = d.Sums.Sums.Name;
        string adjoint = d.Sums.AdjointBuffer;
        string slope = d.Sums.SlopeBuffer;
        bool perExampleAdjoint = d.Slope is null;
        bool perExampleGradient = d.OtherGradients.Count > 0;
        using (ContractPrinter.Open(writer, ContractMembers.BackwardBatch, $", from what <see cref=\"ForwardBatch\"/> kept: the adjoint of the sums <c>{s}</c>, then the products with <c>{w}</c> and the inputs for the whole batch"))
        {
            ContractPrinter.WriteChecks(writer, ContractMembers.BackwardBatch, layer, members);
            WriteSizes(writer, layer, members, d.Sums);
            string offset = Offset(layer, members, d.Sums.Weights);
            writer.WriteLine($"{ReadOnlySpan} {w} = parameters.Slice({offset}, sumCount * inputSize);");
            if (perExampleAdjoint || perExampleGradient)
            {
                writer.WriteLine($"{ReadOnlySpan} {s} = workspace.Kept(\"{s}\", count * sumCount);");
            }

            if (!perExampleAdjoint)
            {
                writer.WriteLine($"{ReadOnlySpan} {slope} = workspace.Kept(\"{slope}\", count * sumCount);");
            }

            writer.WriteLine($"{Span} {adjoint} = workspace.Buffer(\"{adjoint}\", count * sumCount);");
            writer.WriteLine();
            if (!perExampleAdjoint)
            {
                writer.WriteLine($"// {adjoint} = outputAdjoints {slope}, element by element: output i depends on sum i alone.");
                writer.WriteLine($"{Kernels}.MultiplyElementwise(outputAdjoints, {slope}, {adjoint});");
                writer.WriteLine();
            }

            if (perExampleAdjoint || perExampleGradient)
            {
                var parts = new List<string>();
                if (perExampleAdjoint)
                {
                    parts.Add($"the adjoint of its sums, b df/d{s}");
                }

                if (perExampleGradient)
                {
                    parts.Add($"the gradient of {string.Join(", ", d.OtherGradients.Select(g => g.Parameter.Name))}, which f reads outside the sums");
                }

                writer.WriteLine($"// Per example: {string.Join("; ", parts)}.");
                using (writer.Block("for (int n = 0; n < count; n++)"))
                {
                    writer.WriteLine($"{ReadOnlySpan} exampleSums = {s}.Slice(n * sumCount, sumCount);");
                    writer.WriteLine($"{ReadOnlySpan} exampleData = data.Slice(n * DataSize, DataSize);");
                    writer.WriteLine($"{ReadOnlySpan} outputAdjoint = outputAdjoints.Slice(n * OutputSize, OutputSize);");
                    if (perExampleAdjoint)
                    {
                        writer.WriteLine($"{BackpropSums}(parameters, exampleSums, exampleData, outputAdjoint, {adjoint}.Slice(n * sumCount, sumCount));");
                    }

                    if (perExampleGradient)
                    {
                        writer.WriteLine($"{AddGradientOutsideSums}(parameters, exampleSums, exampleData, outputAdjoint, parameterGradient);");
                    }
                }

                writer.WriteLine();
            }

            foreach (TensorDeclaration bias in d.Biases)
            {
                writer.WriteLine($"// The gradient of {bias.Name} += the columns of {adjoint} summed: f reads {bias.Name}[e] only where it reads {s}[e].");
                writer.WriteLine($"{Kernels}.AddColumnSums({adjoint}, parameterGradient.Slice({Offset(layer, members, bias)}, sumCount));");
                writer.WriteLine();
            }

            writer.WriteLine($"// inputAdjoints = {adjoint} {w}: the adjoints reach the inputs through the sums.");
            using (writer.Block("if (!inputAdjoints.IsEmpty)"))
            {
                writer.WriteLine($"{Kernels}.Multiply(false, false, count, inputSize, sumCount, 1.0, {adjoint}, sumCount, {w}, inputSize, 0.0, inputAdjoints, inputSize);");
            }

            writer.WriteLine();
            writer.WriteLine($"// The gradient of {w} += {adjoint}^T inputs, summed over the examples.");
            writer.WriteLine($"{Kernels}.Multiply(true, false, sumCount, inputSize, count, 1.0, {adjoint}, sumCount, inputs, inputSize, 1.0, parameterGradient.Slice({offset}, sumCount * inputSize), inputSize);");
        }

        writer.WriteLine();
    }

    /// <summary>The local viewing <c>W</c>: named after the field, unless that name is one of the members' own.</summary>
    internal static string WeightsLocal(InputSums sums) =>
        Reserved.Contains(sums.Weights.Name) ? sums.Sums.Name + "Weights" : sums.Weights.Name;

    /// <summary>
    /// The two sizes the products read, from the class's fields (as <c>this.</c>: the members' <c>inputs</c> and
    /// <c>outputs</c> may hide a size's name).
    /// </summary>
    internal static void WriteSizes(SourceWriter writer, LayerModel layer, LayerMembers members, InputSums sums)
    {
        writer.WriteLine($"int inputSize = {Field(members, layer.Input.Dimensions[0])};");
        writer.WriteLine($"int sumCount = {Field(members, sums.Sums.Dimensions[0])};");
    }

    private static void WriteRequireBatch(SourceWriter writer, LayerMembers members)
    {
        writer.WriteLine("/// <summary>Checks the spans every batched member reads: the parameters, and the inputs and data of <c>count</c> examples.</summary>");
        writer.WriteLine(LayerEmitter.GeneratedCode);
        using (writer.Block($"private void RequireBatch(int count, {ReadOnlySpan} parameters, {ReadOnlySpan} inputs, {ReadOnlySpan} data)"))
        {
            writer.WriteLine("global::System.ArgumentOutOfRangeException.ThrowIfNegative(count);");
            writer.WriteLine($"RequireLength(parameters.Length, this.{members.ParameterCount}, nameof(parameters));");
            writer.WriteLine("RequireLength(inputs.Length, count * InputSize, nameof(inputs));");
            writer.WriteLine("RequireLength(data.Length, count * DataSize, nameof(data));");
        }

        writer.WriteLine();
    }

    private static string Field(LayerMembers members, Extent extent) =>
        extent.Parameter is null ? CodeLiterals.Int(extent.Literal) : "this." + members.Sizes[extent.Parameter];

    /// <summary>
    /// The per-example methods the batched members call (<c>ForwardFromSums</c> unless a batch kernel does its
    /// work), made from the layer rewritten over its sums. They check no span: the batched members checked the whole batch and pass them exact slices.
    /// </summary>
    private static bool WritePerExampleMethods(SourceWriter writer, SumDerivatives sums, bool writeForward)
    {
        SymbolicLayerDerivatives d = sums.Derivatives;
        LayerModel layer = sums.Sums.SumLayer;
        string s = sums.Sums.Sums.Name;
        Loop? outputLoop = layer.IsLoss ? null : new Loop(LayerModel.OutputIndex, layer.OutputExtent!, layer.OutputIndexName);
        List<Loop> outputLoops = outputLoop is null ? new List<Loop>() : new List<Loop> { outputLoop };
        var sumLoop = new Loop(SymbolicLayerDerivatives.InputIndex.Name, sums.Sums.Sums.Dimensions[0]);

        var forwardParameters = new List<string> { $"{ReadOnlySpan} parameters", $"{ReadOnlySpan} input", $"{ReadOnlySpan} data", $"{Span} output" };
        if (sums.Slope is not null)
        {
            forwardParameters.Add($"{Span} slope");
        }

        string forwardSummary = sums.Slope is null
            ? $"Computes <c>output = f</c> for one example from its sums <c>{s}</c> (in <c>input</c>)."
            : $"Computes <c>output = f</c> and <c>slope[i] = d f[i] / d {s}[i]</c> for one example from its sums <c>{s}</c> (in <c>input</c>).";
        bool readsLabel = writeForward && LayerEmitter.Method(writer, "private", ForwardFromSums, forwardSummary, d, m =>
        {
            m.AddKernel($"output = f({s}; x)", LayerEmitter.OutputTarget(m, "output", layer), outputLoops, d.Output, overwrite: true);
            if (sums.Slope is not null)
            {
                m.AddKernel($"slope = d f[i] / d {s}[i]", LayerEmitter.OutputTarget(m, "slope", layer), outputLoops, sums.Slope, overwrite: true);
            }
        }, forwardParameters.ToArray());

        if (sums.Slope is null)
        {
            readsLabel |= LayerEmitter.Method(writer, "private", BackpropSums, $"Computes <c>inputAdjoint = b df/d{s}</c> for one example from its sums <c>{s}</c> (in <c>input</c>).", d, m =>
            {
                m.AddKernel($"inputAdjoint = b df/d{s}", LayerEmitter.InputTarget(m, "inputAdjoint", SymbolicLayerDerivatives.InputIndex), new List<Loop> { sumLoop }, d.InputAdjoint, overwrite: true);
            }, $"{ReadOnlySpan} parameters", $"{ReadOnlySpan} input", $"{ReadOnlySpan} data", $"{ReadOnlySpan} outputAdjoint", $"{Span} inputAdjoint");
        }

        if (sums.OtherGradients.Count == 0)
        {
            return readsLabel;
        }

        readsLabel |= LayerEmitter.Method(writer, "private", AddGradientOutsideSums, $"Computes <c>parameterGradient += b Dx</c> for one example, for the parameters f reads outside its sums <c>{s}</c> (in <c>input</c>).", d, m =>
        {
            foreach (ParameterDerivative gradient in sums.OtherGradients)
            {
                m.AddKernel($"parameterGradient += b Dx, the {gradient.Parameter.Name} part", LayerEmitter.ParameterTarget(m, "parameterGradient", gradient.Parameter, gradient.Indices, null, null), LayerEmitter.ParameterLoops(gradient.Parameter, gradient.Indices), gradient.Value, overwrite: false);
            }
        }, $"{ReadOnlySpan} parameters", $"{ReadOnlySpan} input", $"{ReadOnlySpan} data", $"{ReadOnlySpan} outputAdjoint", $"{Span} parameterGradient");

        return readsLabel;
    }

    /// <summary>Where a parameter tensor starts in the parameters: 0 for the first, else the class's field.</summary>
    internal static string Offset(LayerModel layer, LayerMembers members, TensorDeclaration parameter) =>
        layer.Parameters.First().Name == parameter.Name ? "0" : "this." + members.Offsets[parameter.Name];
}
