using System.Collections.Generic;
using System.Linq;
using HessianCodegen.Generator.Batching;
using HessianCodegen.Generator.Helpers;
using HessianCodegen.Generator.Model;

namespace HessianCodegen.Generator.Emission;

/// <summary>
/// Writes the batched derivative blocks, <c>AddJacobiansBatch</c> and <c>AddSecondDerivativesBatch</c>, of an
/// element-wise activation <c>y = g(u)</c>, <c>u = W z + c</c> (<see cref="ElementwiseActivation"/>): the slopes
/// <c>g'(u)</c> and curvatures <c>g''(u)</c> of the whole batch in one matrix product and one vectorized pass (kept
/// by a workspace at one point for every later member, <c>H v</c>'s too), then every block from them in one runtime
/// kernel (<c>BatchKernels.AddActivationJacobians</c>, <c>AddActivationSecondDerivatives</c>), whose structure
/// (<c>Dx[i, W(i,j)] = s_i z_j</c>, <c>Xzz = W^T diag(b g'') W</c>, ...) holds for every such layer. The per-example
/// members call them with <c>count</c> 1 (<see cref="DelegatingMembers"/>).
/// </summary>
internal static class ActivationBlocksEmitter
{
    private const string Span = "global::System.Span<double>";
    private const string ReadOnlySpan = "global::System.ReadOnlySpan<double>";
    private const string Kernels = "global::HessianCodegen.BatchKernels";
    private const string Workspace = "global::HessianCodegen.LayerWorkspace";

    private const string KeepDerivatives = "KeepSlopesAndCurvatures";

    /// <summary>The parameters of the members written here, which the name of the sums must not take.</summary>
    public static readonly string[] Reserved = { "dx", "dz", "xxx", "xzx", "xzz" };

    /// <summary>Writes both members and the helper that keeps the slopes and curvatures; a block in <paramref name="zeroBlocks"/> may be passed empty.</summary>
    public static void WriteMethods(SourceWriter writer, LayerModel layer, LayerMembers members, SumDerivatives d, ElementwiseActivation activation, IReadOnlyCollection<string> zeroBlocks)
    {
        WriteAddJacobiansBatch(writer, layer, members, d, activation);
        WriteAddSecondDerivativesBatch(writer, layer, members, d, activation, zeroBlocks);
        WriteKeepDerivatives(writer, layer, members, d, activation);
    }

    /// <summary>The call of the helper that makes the workspace hold the slopes and curvatures, with its comment.</summary>
    public static void WriteKeepDerivativesCall(SourceWriter writer, SumDerivatives d, ElementwiseActivation activation)
    {
        writer.WriteLine($"// {d.Sums.SlopeBuffer} = {Function(activation)}'({Argument(d, activation)}) and {d.Sums.CurvatureBuffer} = {Function(activation)}''({Argument(d, activation)}) of every example, unless the workspace at one point holds them already.");
        writer.WriteLine($"{KeepDerivatives}(count, parameters, inputs, workspace);");
    }

    private static void WriteAddJacobiansBatch(SourceWriter writer, LayerModel layer, LayerMembers members, SumDerivatives d, ElementwiseActivation activation)
    {
        string w = BatchEmitter.WeightsLocal(d.Sums);
        string slope = d.Sums.SlopeBuffer;
        using (ContractPrinter.Open(writer, ContractMembers.AddJacobiansBatch, $", from the slopes <c>{slope}</c> of all of them"))
        {
            ContractPrinter.WriteChecks(writer, ContractMembers.AddJacobiansBatch, layer, members);
            BatchEmitter.WriteSizes(writer, layer, members, d.Sums);
            writer.WriteLine($"{ReadOnlySpan} {w} = parameters.Slice({BatchEmitter.Offset(layer, members, d.Sums.Weights)}, sumCount * inputSize);");
            writer.WriteLine();
            WriteKeepDerivativesCall(writer, d, activation);
            writer.WriteLine();
            string biasRow = activation.Bias is null ? string.Empty : $", Dx[i, {activation.Bias.Name}(i)] = {slope}[i]";
            writer.WriteLine($"// Every example's rows: Dx[i, {w}(i, j)] = {slope}[i] z[j]{biasRow}, Dz[i, j] = {slope}[i] {w}[i, j].");
            writer.WriteLine($"{Kernels}.AddActivationJacobians(count, {Layout(layer, members, d, activation)}, inputs, {w}, workspace.Kept(\"{slope}\", count * sumCount), dx, dz);");
        }

        writer.WriteLine();
    }

    private static void WriteAddSecondDerivativesBatch(SourceWriter writer, LayerModel layer, LayerMembers members, SumDerivatives d, ElementwiseActivation activation, IReadOnlyCollection<string> zeroBlocks)
    {
        string w = BatchEmitter.WeightsLocal(d.Sums);
        string slope = d.Sums.SlopeBuffer;
        string curvature = d.Sums.CurvatureBuffer;
        using (ContractPrinter.Open(writer, ContractMembers.AddSecondDerivativesBatch, $", from the slopes <c>{slope}</c> and curvatures <c>{curvature}</c> of all of them"))
        {
            ContractPrinter.WriteChecks(writer, ContractMembers.AddSecondDerivativesBatch, layer, members, zeroBlocks);
            BatchEmitter.WriteSizes(writer, layer, members, d.Sums);
            writer.WriteLine($"{ReadOnlySpan} {w} = parameters.Slice({BatchEmitter.Offset(layer, members, d.Sums.Weights)}, sumCount * inputSize);");
            writer.WriteLine();
            WriteKeepDerivativesCall(writer, d, activation);
            writer.WriteLine();
            writer.WriteLine($"// With r = b {curvature}: Xxx[{w}(i, j), {w}(i, k)] = sum_n r[i] z[j] z[k], Xzx[{w}(i, j), k] = r[i] z[j] {w}[i, k] + b[i] {slope}[i] [j == k], Xzz = {w}^T diag(r) {w}.");
            // A block the layer declares zero goes to the kernel empty: no products that add zeros, and the caller's entries stay untouched.
            string Block(string name) => zeroBlocks.Contains(name) ? $"{Span}.Empty" : name;
            writer.WriteLine($"{Kernels}.AddActivationSecondDerivatives(count, {Layout(layer, members, d, activation)}, inputs, {w}, outputAdjoints, workspace.Kept(\"{slope}\", count * sumCount), workspace.Kept(\"{curvature}\", count * sumCount), {Block("xxx")}, {Block("xzx")}, {Block("xzz")});");
        }

        writer.WriteLine();
    }

    /// <summary>
    /// The helper both members and <c>TangentBatch</c> call: the sums of every example in one matrix product, then
    /// <c>g'</c> and <c>g''</c> in one vectorized pass, skipped when a workspace at one point already holds them.
    /// </summary>
    private static void WriteKeepDerivatives(SourceWriter writer, LayerModel layer, LayerMembers members, SumDerivatives d, ElementwiseActivation activation)
    {
        string w = BatchEmitter.WeightsLocal(d.Sums);
        string s = d.Sums.Sums.Name;
        string slope = d.Sums.SlopeBuffer;
        string curvature = d.Sums.CurvatureBuffer;
        writer.WriteLine($"/// <summary>Keeps in <c>workspace</c> the slopes <c>{slope}</c> and curvatures <c>{curvature}</c> of {Function(activation)} at <c>{Argument(d, activation)}</c> for <c>count</c> examples, <c>{s} = {w} z</c>: they depend on neither t, v nor b, so a workspace at one point computes them at its first call only.</summary>");
        writer.WriteLine(LayerEmitter.GeneratedCode);
        using (writer.Block($"private void {KeepDerivatives}(int count, {ReadOnlySpan} parameters, {ReadOnlySpan} inputs, {Workspace} workspace)"))
        {
            BatchEmitter.WriteSizes(writer, layer, members, d.Sums);
            using (writer.Block($"if (workspace.Holds(\"{curvature}\", count * sumCount))"))
            {
                writer.WriteLine("return;");
            }

            writer.WriteLine();
            writer.WriteLine($"// {s} = inputs {w}^T, one row per example; then both derivatives of {Function(activation)} over the whole batch in one vectorized pass.");
            writer.WriteLine($"{Span} {s} = workspace.Buffer(\"{s}\", count * sumCount);");
            writer.WriteLine($"{Kernels}.Multiply(false, true, count, sumCount, inputSize, 1.0, inputs, inputSize, parameters.Slice({BatchEmitter.Offset(layer, members, d.Sums.Weights)}, sumCount * inputSize), inputSize, 0.0, {s}, sumCount);");
            writer.WriteLine($"{Kernels}.{activation.DerivativesKernel}({s}, {SecondOrderBatchEmitter.BiasSlice(layer, members, activation, "parameters")}, workspace.Buffer(\"{slope}\", count * sumCount), workspace.Buffer(\"{curvature}\", count * sumCount));");
        }

        writer.WriteLine();
    }

    /// <summary>The layout arguments of the kernels: the parameter count, where <c>W</c> starts, where <c>c</c> starts (-1: none).</summary>
    private static string Layout(LayerModel layer, LayerMembers members, SumDerivatives d, ElementwiseActivation activation) =>
        $"this.{members.ParameterCount}, {BatchEmitter.Offset(layer, members, d.Sums.Weights)}, {(activation.Bias is null ? "-1" : BatchEmitter.Offset(layer, members, activation.Bias))}";

    private static string Function(ElementwiseActivation activation) => activation.Function.Name!.ToLowerInvariant();

    private static string Argument(SumDerivatives d, ElementwiseActivation activation) =>
        activation.Bias is null ? d.Sums.Sums.Name : $"{d.Sums.Sums.Name} + {activation.Bias.Name}";
}
