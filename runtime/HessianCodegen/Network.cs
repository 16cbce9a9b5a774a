using System;
using System.Collections.Generic;

namespace HessianCodegen;

/// <summary>
/// A chain of layers <c>z_l = f_l(z_{l-1}; x_l)</c> whose last layer returns one loss per example.
/// The loss of a batch is the mean of the per-example losses. The parameters of all layers form
/// one flat vector, layer after layer, each layer's in its <see cref="IHessianLayer.ParameterLayout"/> order.
/// </summary>
/// <example>
/// <code>
/// var network = new Network(new TanhLayer(4, 8), new TanhLayer(8, 8), new SoftmaxCrossEntropyLayer(8, 3));
/// NetworkPoint point = network.At(parameters, Batch.WithLabels(inputs, labels));
/// double[] step = point.Derivatives().Factorize(1e-3).Solve(point.Gradient());
///
/// // Only the loss and the gradient (a first-order step): with the batch and the gradient made once,
/// // nothing is allocated per call.
/// Batch batch = Batch.WithLabels(inputs, labels);
/// var gradient = new double[network.ParameterCount];
/// double loss = network.LossAndGradient(parameters, batch, gradient);
/// </code>
/// </example>
public sealed class Network
{
    private readonly IHessianLayer[] layers;
    private readonly int[] parameterOffsets;

    // The layers' work buffers for every forward and backward pass (At and LossAndGradient), one set per call in
    // progress, kept between calls: a training loop would otherwise allocate (and the collector clear) them at every step.
    private readonly BoundedPool<LayerWorkspace[]> workspaces = new();

    // The rows of the passes of LossAndGradient, kept for the same reason; a set above PassBuffers.PoolableValues
    // (a pass over a whole data set) is left to the collector.
    private readonly BoundedPool<PassBuffers> passBuffers = new();

    /// <summary>Builds the chain and checks that it is one.</summary>
    /// <exception cref="ArgumentException">
    /// There is no layer, consecutive widths do not chain, the last layer is not a loss layer, a loss
    /// layer sits before the last position, or a hidden layer reads per-example data.
    /// </exception>
    public Network(params IHessianLayer[] layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        if (layers.Length == 0)
        {
            throw new ArgumentException("layers is empty; expected at least a loss layer.", nameof(layers));
        }

        this.layers = (IHessianLayer[])layers.Clone();
        parameterOffsets = new int[layers.Length + 1];
        for (int l = 0; l < layers.Length; l++)
        {
            IHessianLayer layer = layers[l] ?? throw new ArgumentException($"layers[{l}] is null; expected a layer.", nameof(layers));
            bool last = l == layers.Length - 1;
            if (l > 0 && layer.InputSize != layers[l - 1].OutputSize)
            {
                throw new ArgumentException(
                    $"{Describe(l)} takes {layer.InputSize} inputs but {Describe(l - 1)} returns {layers[l - 1].OutputSize}; " +
                    "expected the widths of consecutive layers to chain.", nameof(layers));
            }

            if (last && !layer.IsLoss)
            {
                throw new ArgumentException(
                    $"The last layer, {Describe(l)}, is not a loss layer; expected the chain to end in a layer that declares Loss().",
                    nameof(layers));
            }

            if (last && layer.OutputSize != 1)
            {
                throw new ArgumentException(
                    $"The loss layer, {Describe(l)}, has OutputSize {layer.OutputSize}; expected 1 (one loss per example).",
                    nameof(layers));
            }

            if (!last && layer.IsLoss)
            {
                throw new ArgumentException(
                    $"{Describe(l)} is a loss layer at position {l} of {layers.Length}; expected a loss layer only at the end.",
                    nameof(layers));
            }

            if (!last && layer.DataSize != 0)
            {
                throw new ArgumentException(
                    $"{Describe(l)} reads {layer.DataSize} data values per example; expected only the loss layer to read data.",
                    nameof(layers));
            }

            parameterOffsets[l + 1] = checked(parameterOffsets[l] + layer.ParameterCount);
        }
    }

    /// <summary>The layers, from the input side to the loss.</summary>
    public IReadOnlyList<IHessianLayer> Layers => layers;

    /// <summary>Number of layers (<c>L</c>), the loss layer included.</summary>
    public int Depth => layers.Length;

    /// <summary>Values per input row of a batch.</summary>
    public int InputSize => layers[0].InputSize;

    /// <summary>Data values per example the loss layer reads.</summary>
    public int DataSize => LossLayer.DataSize;

    /// <summary>Length of the flat parameter vector.</summary>
    public int ParameterCount => parameterOffsets[layers.Length];

    /// <summary>The last layer, which returns one loss per example.</summary>
    public IHessianLayer LossLayer => layers[^1];

    /// <summary>Where the parameters of layer <paramref name="layer"/> start in the flat vector.</summary>
    public int ParameterOffset(int layer) => parameterOffsets[CheckLayer(layer)];

    /// <summary>The parameters of layer <paramref name="layer"/> inside a flat vector (a view, not a copy).</summary>
    public ReadOnlySpan<double> ParameterSlice(ReadOnlySpan<double> parameters, int layer)
    {
        Guard.Length(parameters, ParameterCount, nameof(parameters));
        return parameters.Slice(parameterOffsets[CheckLayer(layer)], layers[layer].ParameterCount);
    }

    /// <summary>The parameters of layer <paramref name="layer"/> inside a flat vector, writable (a view, not a copy).</summary>
    public Span<double> ParameterSlice(Span<double> parameters, int layer)
    {
        Guard.Length(parameters, ParameterCount, nameof(parameters));
        return parameters.Slice(parameterOffsets[CheckLayer(layer)], layers[layer].ParameterCount);
    }

    /// <summary>
    /// Parameters drawn for a reproducible start: every matrix entry uniform in
    /// <c>±1/sqrt(columns)</c> (so activations keep their scale), every vector entry uniform in <c>±0.1</c>.
    /// </summary>
    public double[] RandomParameters(int seed)
    {
        var random = new Random(seed);
        var parameters = new double[ParameterCount];
        for (int l = 0; l < layers.Length; l++)
        {
            Span<double> slice = ParameterSlice(parameters.AsSpan(), l);
            foreach (ParameterBlock block in layers[l].ParameterLayout)
            {
                double scale = block.IsMatrix ? 1.0 / Math.Sqrt(block.Columns) : 0.1;
                foreach (ref double value in slice.Slice(block.Offset, block.Length))
                {
                    value = scale * ((2.0 * random.NextDouble()) - 1.0);
                }
            }
        }

        return parameters;
    }

    /// <summary>
    /// Runs the network forward and backward on <paramref name="batch"/> at <paramref name="parameters"/>
    /// (both copied) and returns the point, from which loss, gradient, Hessian products and solves follow.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// The parameter vector has the wrong length or a value that is not finite, the batch rows have the
    /// wrong width, or a label lies outside the class range of the loss layer.
    /// </exception>
    public NetworkPoint At(ReadOnlySpan<double> parameters, Batch batch)
    {
        CheckPass(parameters, batch);
        return new NetworkPoint(this, parameters.ToArray(), batch);
    }

    /// <summary>
    /// Runs the network forward and backward on <paramref name="batch"/> at <paramref name="parameters"/>, writes
    /// d loss / d parameters into <paramref name="gradient"/> and returns the mean loss: what
    /// <c>At(parameters, batch)</c> gives as <see cref="NetworkPoint.Loss"/> and <see cref="NetworkPoint.Gradient()"/>,
    /// to the bit, for a caller that wants nothing else (a first-order optimizer, a line search).
    /// </summary>
    /// <remarks>
    /// <para>
    /// The parameters are read in place, not copied, and the activations and adjoints of the pass are rows the
    /// network keeps between calls, so a repeated call allocates nothing. Calls may run on several threads at once;
    /// neither <paramref name="parameters"/> nor <paramref name="gradient"/> may be changed by another thread during
    /// a call. The network keeps at most <see cref="Environment.ProcessorCount"/> sets of rows, each of at most
    /// 4 MiB: a larger pass (a whole data set in one call) allocates its rows and leaves them to the collector.
    /// </para>
    /// <para>
    /// Hessian products, solves and the derivative blocks need the pass kept: use <see cref="At"/> for those. There
    /// is no overload that allocates and returns the gradient: <c>At(parameters, batch)</c> with
    /// <see cref="NetworkPoint.Loss"/> and <see cref="NetworkPoint.Gradient()"/> is that form.
    /// </para>
    /// </remarks>
    /// <exception cref="ArgumentException">
    /// The parameter vector has the wrong length or a value that is not finite, the gradient has the wrong length
    /// or overlaps the parameters, the batch rows have the wrong width, or a label lies outside the class range
    /// of the loss layer.
    /// </exception>
    /// <exception cref="ArithmeticException">
    /// The loss is not finite (an activation overflowed). The check follows the forward pass, before the gradient is
    /// written, so <paramref name="gradient"/> is then left as it was.
    /// </exception>
    public double LossAndGradient(ReadOnlySpan<double> parameters, Batch batch, Span<double> gradient)
    {
        CheckPass(parameters, batch);
        Guard.Length(gradient, ParameterCount, nameof(gradient));
        if (parameters.Overlaps(gradient))
        {
            throw new ArgumentException(
                "gradient overlaps parameters; expected separate memory (the gradient is written while the parameters are read).",
                nameof(gradient));
        }

        if (!passBuffers.TryRent(out PassBuffers? buffers))
        {
            buffers = new PassBuffers(this);
        }

        try
        {
            buffers.Reserve(batch.Count);
            return ForwardBackwardSweep.Run(this, parameters, batch, buffers.Inputs, buffers.OutputAdjoints,
                buffers.Losses.AsSpan(0, batch.Count), gradient);
        }
        finally
        {
            // Every row the pass reads it writes first, so the buffers serve the next call even after a throw.
            if (buffers.Values <= PassBuffers.PoolableValues)
            {
                passBuffers.Return(buffers);
            }
        }
    }

    /// <summary>One workspace per layer, for one forward and backward pass; give it back with <see cref="ReturnWorkspaces"/>.</summary>
    internal LayerWorkspace[] RentWorkspaces()
    {
        if (workspaces.TryRent(out LayerWorkspace[]? set))
        {
            return set;
        }

        set = new LayerWorkspace[layers.Length];
        for (int l = 0; l < set.Length; l++)
        {
            set[l] = new LayerWorkspace();
        }

        return set;
    }

    /// <summary>Keeps a set of workspaces from <see cref="RentWorkspaces"/> for the next pass.</summary>
    internal void ReturnWorkspaces(LayerWorkspace[] set) => workspaces.Return(set);

    /// <summary>"layer 3 (TanhLayer)": how messages name a layer.</summary>
    internal string Describe(int layer) => $"layer {layer} ({layers[layer].GetType().Name})";

    /// <summary>The checks of a pass's arguments, shared by At and LossAndGradient.</summary>
    private void CheckPass(ReadOnlySpan<double> parameters, Batch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        Guard.Length(parameters, ParameterCount, nameof(parameters));
        Guard.Finite(parameters, nameof(parameters));
        CheckBatch(batch);
    }

    private void CheckBatch(Batch batch)
    {
        if (batch.InputSize != InputSize)
        {
            throw new ArgumentException(
                $"The batch rows have {batch.InputSize} values; expected {InputSize}, the input width of {Describe(0)}.",
                nameof(batch));
        }

        if (batch.DataSize != DataSize)
        {
            throw new ArgumentException(
                $"The batch has {batch.DataSize} data values per example; expected {DataSize}, what {Describe(Depth - 1)} reads " +
                $"({DescribeDataLayout()}).", nameof(batch));
        }

        // Indexed, not foreach: the enumerator of an IReadOnlyList is an object, and LossAndGradient allocates nothing.
        IReadOnlyList<DataField> layout = LossLayer.DataLayout;
        for (int f = 0; f < layout.Count; f++)
        {
            DataField field = layout[f];
            if (field.Kind != DataKind.ClassLabel)
            {
                continue;
            }

            for (int n = 0; n < batch.Count; n++)
            {
                double label = batch.Data(n)[field.Offset];
                if (!(label >= 0 && label < field.Size && label == Math.Floor(label)))
                {
                    throw new ArgumentException(
                        $"The {field.Name} of example {n} is {label}; expected a class index in [0, {field.Size}).",
                        nameof(batch));
                }
            }
        }
    }

    private string DescribeDataLayout()
    {
        var parts = new List<string>();
        foreach (DataField field in LossLayer.DataLayout)
        {
            parts.Add(field.Kind == DataKind.ClassLabel ? $"a label {field.Name}" : $"a target {field.Name} of length {field.Size}");
        }

        return parts.Count == 0 ? "no data" : string.Join(", ", parts);
    }

    private int CheckLayer(int layer) => (uint)layer < (uint)layers.Length
        ? layer
        : throw new ArgumentOutOfRangeException(nameof(layer), layer, $"layer must lie in [0, {layers.Length}).");
}
