using System;
using System.Collections.Generic;
using HessianCodegen.LinearAlgebra;

namespace HessianCodegen;

/// <summary>
/// One layer <c>z_out = f(z_in; x)</c> of a chain, for one example or, in the <c>Batch</c> members,
/// for a batch of examples at once. The generator implements every member for a <c>[HessianLayer]</c>
/// class; the runtime stitches layers into a network.
/// Notation (docs/algorithm.md): <c>b</c> is the output adjoint d loss / d z_out, <c>t</c> an
/// input tangent, <c>v</c> a parameter direction; all matrices are dense row-major.
/// </summary>
/// <remarks>
/// Members whose names start with <c>Add</c> accumulate into their result (the runtime sums
/// them over a batch); the others overwrite it. Every span argument has exactly the length
/// its name implies: <see cref="ParameterCount"/>, <see cref="InputSize"/>,
/// <see cref="OutputSize"/> or <see cref="DataSize"/>; a batched member's spans of examples hold
/// <c>count</c> such rows, one after the other.
/// <para>
/// The batch is the unit of work. For a layer whose input enters through sums <c>W z</c>, the generator writes the
/// batched members, and the per-example members <see cref="Forward"/>, <see cref="BackpropInput"/>,
/// <see cref="AddParameterGradient"/>, <see cref="Tangent"/>, <see cref="SecondOrderInput"/> and
/// <see cref="AddSecondOrderParameters"/> call them with <c>count</c> 1 on <see cref="LayerWorkspace.ForThisThread"/>:
/// <see cref="ForwardBatch"/> or <see cref="TangentBatch"/> first, then <see cref="BackwardBatch"/> or
/// <see cref="SecondOrderBatch"/>. A result the per-example member does not return goes to a discarded scratch
/// of that workspace (<see cref="LayerWorkspace.Discarded"/>): <see cref="BackpropInput"/> also computes the parameter
/// gradient, <see cref="SecondOrderInput"/> the parameter part, at the cost of one more product with the inputs,
/// so the batched members keep one meaning for every span (only input-side results and <c>s</c> may be empty).
/// </para>
/// <para>
/// The derivative blocks have batched twins too, <see cref="AddJacobiansBatch"/> and <see cref="AddSecondDerivativesBatch"/>,
/// which the runtime calls once per layer for the whole batch. For an element-wise activation of the sums,
/// <c>g(W z + c)</c>, the generator writes them from the slopes and curvatures of the whole batch, and
/// <see cref="AddJacobians"/> and <see cref="AddSecondDerivatives"/> call them with <c>count</c> 1; every other layer
/// keeps its per-example derivative blocks, and the twins' defaults call them per example.
/// </para>
/// </remarks>
public interface IHessianLayer
{
    /// <summary>Activations per example entering the layer (<c>a_in</c>).</summary>
    int InputSize { get; }

    /// <summary>Activations per example leaving the layer (<c>a</c>); 1 for a loss layer.</summary>
    int OutputSize { get; }

    /// <summary>Number of parameters (<c>p</c>).</summary>
    int ParameterCount { get; }

    /// <summary>Whether the layer returns one loss per example (declared with <c>Loss()</c>).</summary>
    bool IsLoss { get; }

    /// <summary>Per-example data values (labels, targets) the layer reads; 0 for a hidden layer.</summary>
    int DataSize { get; }

    /// <summary>The parameter tensors in the order they occupy the flat parameter vector.</summary>
    IReadOnlyList<ParameterBlock> ParameterLayout { get; }

    /// <summary>The per-example data fields in the order they occupy the data span.</summary>
    IReadOnlyList<DataField> DataLayout { get; }

    /// <summary><c>output = f(input; parameters)</c>.</summary>
    void Forward(ReadOnlySpan<double> parameters, ReadOnlySpan<double> input, ReadOnlySpan<double> data,
        Span<double> output);

    /// <summary><c>inputAdjoint = b Dz</c>.</summary>
    void BackpropInput(ReadOnlySpan<double> parameters, ReadOnlySpan<double> input, ReadOnlySpan<double> data,
        ReadOnlySpan<double> outputAdjoint, Span<double> inputAdjoint);

    /// <summary><c>parameterGradient += b Dx</c>.</summary>
    void AddParameterGradient(ReadOnlySpan<double> parameters, ReadOnlySpan<double> input, ReadOnlySpan<double> data,
        ReadOnlySpan<double> outputAdjoint, Span<double> parameterGradient);

    /// <summary><c>outputTangent = Dz t + Dx v</c>.</summary>
    void Tangent(ReadOnlySpan<double> parameters, ReadOnlySpan<double> input, ReadOnlySpan<double> data,
        ReadOnlySpan<double> inputTangent, ReadOnlySpan<double> parameterDirection, Span<double> outputTangent);

    /// <summary><c>result = Xzz t + Xzx^T v</c>, the second derivatives contracted with <c>b</c>.</summary>
    void SecondOrderInput(ReadOnlySpan<double> parameters, ReadOnlySpan<double> input, ReadOnlySpan<double> data,
        ReadOnlySpan<double> outputAdjoint, ReadOnlySpan<double> inputTangent,
        ReadOnlySpan<double> parameterDirection, Span<double> result);

    /// <summary><c>result += Xxx v + Xzx t</c>, the second derivatives contracted with <c>b</c>.</summary>
    void AddSecondOrderParameters(ReadOnlySpan<double> parameters, ReadOnlySpan<double> input,
        ReadOnlySpan<double> data, ReadOnlySpan<double> outputAdjoint, ReadOnlySpan<double> inputTangent,
        ReadOnlySpan<double> parameterDirection, Span<double> result);

    /// <summary>
    /// Adds the first derivatives into <paramref name="dx"/> (<c>a x p</c>) and <paramref name="dz"/>
    /// (<c>a x a_in</c>), touching only the entries that can be non-zero.
    /// </summary>
    void AddJacobians(ReadOnlySpan<double> parameters, ReadOnlySpan<double> input, ReadOnlySpan<double> data,
        Span<double> dx, Span<double> dz);

    /// <summary>
    /// The second-derivative blocks that can be non-zero; a block left out is zero at every point, so the
    /// runtime stores none of it. This default says all three (a hand-written layer is taken at its word);
    /// the generator leaves out a block whose every entry simplifies to the constant 0 (a ReLU layer's
    /// <c>Xxx</c> and <c>Xzz</c>).
    /// </summary>
    SecondDerivativeBlocks NonZeroSecondDerivatives => SecondDerivativeBlocks.All;

    /// <summary>
    /// Adds the second derivatives contracted with <c>b</c> into <paramref name="xxx"/> (<c>p x p</c>),
    /// <paramref name="xzx"/> (<c>p x a_in</c>) and <paramref name="xzz"/> (<c>a_in x a_in</c>),
    /// touching only the entries that can be non-zero. A block left out of
    /// <see cref="NonZeroSecondDerivatives"/> may be passed empty.
    /// </summary>
    void AddSecondDerivatives(ReadOnlySpan<double> parameters, ReadOnlySpan<double> input, ReadOnlySpan<double> data,
        ReadOnlySpan<double> outputAdjoint, Span<double> xxx, Span<double> xzx, Span<double> xzz);

    /// <summary>
    /// <c>dx += Dx</c> and <c>dz += Dz</c> for <paramref name="count"/> examples: <paramref name="dx"/> holds their
    /// <c>a x p</c> blocks one after the other, <paramref name="dz"/> their <c>a x a_in</c> blocks (example n's at
    /// n times a block's length), touching only the entries that can be non-zero.
    /// </summary>
    /// <remarks>
    /// This default calls <see cref="AddJacobians"/> per example; the generator overrides it for an element-wise
    /// activation <c>g(W z + c)</c>, whose blocks it fills from the slopes <c>g'</c> of the whole batch (computed once
    /// when <paramref name="workspace"/> is at one point and holds them already), and writes <see cref="AddJacobians"/>
    /// as a call of this member with <c>count</c> 1.
    /// </remarks>
    void AddJacobiansBatch(int count, ReadOnlySpan<double> parameters, ReadOnlySpan<double> inputs, ReadOnlySpan<double> data,
        Span<double> dx, Span<double> dz, LayerWorkspace workspace)
    {
        BatchSpans.Require(this, count, parameters, inputs, data);
        BatchSpans.Require(dx, count, OutputSize * ParameterCount, nameof(dx));
        BatchSpans.Require(dz, count, OutputSize * InputSize, nameof(dz));
        int dxLength = OutputSize * ParameterCount;
        int dzLength = OutputSize * InputSize;
        for (int n = 0; n < count; n++)
        {
            AddJacobians(parameters, inputs.Slice(n * InputSize, InputSize), data.Slice(n * DataSize, DataSize),
                dx.Slice(n * dxLength, dxLength), dz.Slice(n * dzLength, dzLength));
        }
    }

    /// <summary>
    /// <c>xxx += sum_n Xxx</c> (<c>p x p</c>), and per example <c>xzx += Xzx</c> and <c>xzz += Xzz</c> for
    /// <paramref name="count"/> examples (their <c>p x a_in</c> and <c>a_in x a_in</c> blocks one after the other), the
    /// second derivatives contracted with the output adjoints <c>b</c>, touching only the entries that can be non-zero.
    /// <paramref name="xzx"/> and <paramref name="xzz"/> may be empty, and are then not written (the first layer's
    /// input is data: no equation reads them; the generated activation layers then skip them, this default computes
    /// them into a discarded scratch); <paramref name="xxx"/> may be empty when
    /// <see cref="NonZeroSecondDerivatives"/> leaves it out.
    /// </summary>
    /// <remarks>
    /// This default calls <see cref="AddSecondDerivatives"/> per example, passing a block not wanted as a discarded
    /// scratch rented for the call; the generator overrides it for an element-wise activation
    /// <c>g(W z + c)</c>, whose blocks it computes from the slopes and curvatures of the whole batch, and writes
    /// <see cref="AddSecondDerivatives"/> as a call of this member with <c>count</c> 1.
    /// </remarks>
    void AddSecondDerivativesBatch(int count, ReadOnlySpan<double> parameters, ReadOnlySpan<double> inputs, ReadOnlySpan<double> data,
        ReadOnlySpan<double> outputAdjoints, Span<double> xxx, Span<double> xzx, Span<double> xzz, LayerWorkspace workspace)
    {
        BatchSpans.Require(this, count, parameters, inputs, data);
        BatchSpans.Require(outputAdjoints, count, OutputSize, nameof(outputAdjoints));
        SecondDerivativeBlocks nonZero = NonZeroSecondDerivatives;
        if ((nonZero & SecondDerivativeBlocks.Xxx) != 0)
        {
            BatchSpans.Require(xxx, 1, ParameterCount * ParameterCount, nameof(xxx));
        }
        else
        {
            BatchSpans.RequireOptional(xxx, 1, ParameterCount * ParameterCount, nameof(xxx));
        }

        BatchSpans.RequireOptional(xzx, count, ParameterCount * InputSize, nameof(xzx));
        BatchSpans.RequireOptional(xzz, count, InputSize * InputSize, nameof(xzz));
        int xzxLength = ParameterCount * InputSize;
        int xzzLength = InputSize * InputSize;

        // The per-example member takes every block it can make non-zero: one it is not asked for goes to a scratch,
        // rented for this call only (never read, so not cleared): kept in the workspace it would live as long as the point.
        int xzxScratchLength = xzx.IsEmpty && (nonZero & SecondDerivativeBlocks.Xzx) != 0 ? xzxLength : 0;
        int xzzScratchLength = xzz.IsEmpty && (nonZero & SecondDerivativeBlocks.Xzz) != 0 ? xzzLength : 0;
        double[]? rented = xzxScratchLength + xzzScratchLength > 0
            ? System.Buffers.ArrayPool<double>.Shared.Rent(xzxScratchLength + xzzScratchLength)
            : null;
        try
        {
            Span<double> xzxScratch = rented.AsSpan(0, xzxScratchLength);
            Span<double> xzzScratch = rented.AsSpan(xzxScratchLength, xzzScratchLength);
            for (int n = 0; n < count; n++)
            {
                AddSecondDerivatives(parameters, inputs.Slice(n * InputSize, InputSize), data.Slice(n * DataSize, DataSize),
                    outputAdjoints.Slice(n * OutputSize, OutputSize), xxx,
                    xzx.IsEmpty ? xzxScratch : xzx.Slice(n * xzxLength, xzxLength),
                    xzz.IsEmpty ? xzzScratch : xzz.Slice(n * xzzLength, xzzLength));
            }
        }
        finally
        {
            if (rented is not null)
            {
                System.Buffers.ArrayPool<double>.Shared.Return(rented);
            }
        }
    }

    /// <summary>
    /// <c>outputs = f(inputs; parameters)</c> for <paramref name="count"/> examples (rows of
    /// <paramref name="inputs"/>, <paramref name="data"/> and <paramref name="outputs"/>), keeping in
    /// <paramref name="workspace"/> what <see cref="BackwardBatch"/> reads back.
    /// </summary>
    /// <remarks>
    /// This default calls <see cref="Forward"/> per example; the generator overrides it when the layer's
    /// input enters its math through sums <c>Sum(j =&gt; W[e, j] * z[j])</c>, which it then computes for
    /// the whole batch as one matrix product, and then writes <see cref="Forward"/> as a call of this member
    /// with <c>count</c> 1. A hand-written layer that does the same must override this default too: the two
    /// defaults calling each other would never return.
    /// </remarks>
    void ForwardBatch(int count, ReadOnlySpan<double> parameters, ReadOnlySpan<double> inputs, ReadOnlySpan<double> data,
        Span<double> outputs, LayerWorkspace workspace)
    {
        BatchSpans.Require(this, count, parameters, inputs, data);
        BatchSpans.Require(outputs, count, OutputSize, nameof(outputs));
        for (int n = 0; n < count; n++)
        {
            Forward(parameters, inputs.Slice(n * InputSize, InputSize), data.Slice(n * DataSize, DataSize),
                outputs.Slice(n * OutputSize, OutputSize));
        }
    }

    /// <summary>
    /// <c>inputAdjoints = b Dz</c> per example and <c>parameterGradient += sum_n b Dx</c> for
    /// <paramref name="count"/> examples, after <see cref="ForwardBatch"/> on the same examples with the
    /// same <paramref name="workspace"/>. <paramref name="inputAdjoints"/> may be empty (the first layer
    /// of a network needs no input adjoints), and is then not computed.
    /// </summary>
    /// <remarks>
    /// <paramref name="parameterGradient"/> is never empty: a caller that wants only the input adjoints (a generated
    /// <see cref="BackpropInput"/>) passes a discarded scratch. This default calls <see cref="BackpropInput"/> and
    /// <see cref="AddParameterGradient"/> per example; a generated layer with batched members overrides it, and its
    /// per-example members call it with <c>count</c> 1.
    /// </remarks>
    void BackwardBatch(int count, ReadOnlySpan<double> parameters, ReadOnlySpan<double> inputs, ReadOnlySpan<double> data,
        ReadOnlySpan<double> outputAdjoints, Span<double> inputAdjoints, Span<double> parameterGradient, LayerWorkspace workspace)
    {
        BatchSpans.Require(this, count, parameters, inputs, data);
        BatchSpans.Require(outputAdjoints, count, OutputSize, nameof(outputAdjoints));
        BatchSpans.RequireOptional(inputAdjoints, count, InputSize, nameof(inputAdjoints));
        BatchSpans.Require(parameterGradient, 1, ParameterCount, nameof(parameterGradient));
        for (int n = 0; n < count; n++)
        {
            ReadOnlySpan<double> input = inputs.Slice(n * InputSize, InputSize);
            ReadOnlySpan<double> example = data.Slice(n * DataSize, DataSize);
            ReadOnlySpan<double> outputAdjoint = outputAdjoints.Slice(n * OutputSize, OutputSize);
            if (!inputAdjoints.IsEmpty)
            {
                BackpropInput(parameters, input, example, outputAdjoint, inputAdjoints.Slice(n * InputSize, InputSize));
            }

            AddParameterGradient(parameters, input, example, outputAdjoint, parameterGradient);
        }
    }

    /// <summary>
    /// <c>outputTangents = Dz t + Dx v</c> for <paramref name="count"/> examples (rows of
    /// <paramref name="inputs"/>, <paramref name="inputTangents"/> and <paramref name="outputTangents"/>), one
    /// direction <paramref name="parameterDirection"/> for all, keeping in <paramref name="workspace"/> what
    /// <see cref="SecondOrderBatch"/> reads back: the forward sweep of <c>H v</c>.
    /// </summary>
    /// <remarks>
    /// This default calls <see cref="Tangent"/> per example; the generator overrides it for a layer with
    /// sums <c>W z</c>, whose tangents <c>W t + vW z</c> it computes for the whole batch as matrix products,
    /// and writes <see cref="Tangent"/> as a call of this member with <c>count</c> 1.
    /// </remarks>
    void TangentBatch(int count, ReadOnlySpan<double> parameters, ReadOnlySpan<double> inputs, ReadOnlySpan<double> data,
        ReadOnlySpan<double> inputTangents, ReadOnlySpan<double> parameterDirection, Span<double> outputTangents,
        LayerWorkspace workspace)
    {
        BatchSpans.Require(this, count, parameters, inputs, data);
        BatchSpans.Require(inputTangents, count, InputSize, nameof(inputTangents));
        BatchSpans.Require(parameterDirection, 1, ParameterCount, nameof(parameterDirection));
        BatchSpans.Require(outputTangents, count, OutputSize, nameof(outputTangents));
        for (int n = 0; n < count; n++)
        {
            Tangent(parameters, inputs.Slice(n * InputSize, InputSize), data.Slice(n * DataSize, DataSize),
                inputTangents.Slice(n * InputSize, InputSize), parameterDirection, outputTangents.Slice(n * OutputSize, OutputSize));
        }
    }

    /// <summary>
    /// The backward sweep of <c>H v</c> for <paramref name="count"/> examples, after <see cref="TangentBatch"/>
    /// on the same examples, direction and <paramref name="workspace"/>: per example
    /// <c>inputAdjointTangents = Dz^T s + Xzz t + Xzx^T v</c>, and <c>result += sum_n Dx^T s + Xxx v + Xzx t</c>,
    /// with <c>b</c> the output adjoints and <c>s</c> the output adjoint-tangents.
    /// <paramref name="outputAdjointTangents"/> may be empty, meaning <c>s = 0</c> (the loss layer);
    /// <paramref name="inputAdjointTangents"/> may be empty (the first layer), and is then not computed.
    /// </summary>
    /// <remarks>
    /// <paramref name="result"/> is never empty: a caller that wants only the input part (a generated
    /// <see cref="SecondOrderInput"/>) passes a discarded scratch. This default calls <see cref="AddParameterGradient"/>,
    /// <see cref="AddSecondOrderParameters"/>, <see cref="SecondOrderInput"/> and <see cref="BackpropInput"/> per example;
    /// a generated layer with batched members overrides it, and its <see cref="SecondOrderInput"/> and
    /// <see cref="AddSecondOrderParameters"/> call <see cref="TangentBatch"/> and then this member with <c>count</c> 1.
    /// </remarks>
    void SecondOrderBatch(int count, ReadOnlySpan<double> parameters, ReadOnlySpan<double> inputs, ReadOnlySpan<double> data,
        ReadOnlySpan<double> outputAdjoints, ReadOnlySpan<double> inputTangents, ReadOnlySpan<double> parameterDirection,
        ReadOnlySpan<double> outputAdjointTangents, Span<double> inputAdjointTangents, Span<double> result,
        LayerWorkspace workspace)
    {
        BatchSpans.Require(this, count, parameters, inputs, data);
        BatchSpans.Require(outputAdjoints, count, OutputSize, nameof(outputAdjoints));
        BatchSpans.Require(inputTangents, count, InputSize, nameof(inputTangents));
        BatchSpans.Require(parameterDirection, 1, ParameterCount, nameof(parameterDirection));
        BatchSpans.RequireOptional(outputAdjointTangents, count, OutputSize, nameof(outputAdjointTangents));
        BatchSpans.RequireOptional(inputAdjointTangents, count, InputSize, nameof(inputAdjointTangents));
        BatchSpans.Require(result, 1, ParameterCount, nameof(result));
        Span<double> backprop = workspace.Buffer("SecondOrderBackprop", InputSize);
        for (int n = 0; n < count; n++)
        {
            ReadOnlySpan<double> input = inputs.Slice(n * InputSize, InputSize);
            ReadOnlySpan<double> example = data.Slice(n * DataSize, DataSize);
            ReadOnlySpan<double> b = outputAdjoints.Slice(n * OutputSize, OutputSize);
            ReadOnlySpan<double> t = inputTangents.Slice(n * InputSize, InputSize);
            ReadOnlySpan<double> s = outputAdjointTangents.IsEmpty ? default : outputAdjointTangents.Slice(n * OutputSize, OutputSize);
            if (!s.IsEmpty)
            {
                AddParameterGradient(parameters, input, example, s, result);
            }

            AddSecondOrderParameters(parameters, input, example, b, t, parameterDirection, result);
            if (inputAdjointTangents.IsEmpty)
            {
                continue;
            }

            Span<double> previous = inputAdjointTangents.Slice(n * InputSize, InputSize);
            SecondOrderInput(parameters, input, example, b, t, parameterDirection, previous);
            if (!s.IsEmpty)
            {
                BackpropInput(parameters, input, example, s, backprop);
                VectorKernels.Axpy(1.0, backprop, previous);
            }
        }
    }
}
