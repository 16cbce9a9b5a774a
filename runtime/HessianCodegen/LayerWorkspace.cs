using System;
using System.Collections.Generic;

namespace HessianCodegen;

/// <summary>
/// Named work buffers of one layer over one batch, owned by the runtime and reused across calls:
/// <see cref="IHessianLayer.ForwardBatch"/> keeps in them what it computed (the layer's sums <c>W z</c>
/// per example), and <see cref="IHessianLayer.BackwardBatch"/> reads them back instead of recomputing; likewise
/// <see cref="IHessianLayer.TangentBatch"/> for <see cref="IHessianLayer.SecondOrderBatch"/>.
/// </summary>
/// <remarks>
/// One workspace serves one layer and one thread. A buffer keeps its values until it is asked for
/// with another length, so the backward pass must follow the forward pass over the same examples.
/// A workspace made by <see cref="AtOnePoint"/> also keeps, from one call to the next, what depends only
/// on the point (the parameters, inputs and data), such as the slopes of an activation: the caller
/// promises to pass that same point to every call, as a <see cref="NetworkPoint"/> does for its <c>H v</c>.
/// </remarks>
public sealed class LayerWorkspace
{
    private readonly Dictionary<string, double[]> buffers = new(StringComparer.Ordinal);

    /// <summary>A workspace whose buffers are valid only until the call that wrote them has been followed by the one that reads them.</summary>
    public LayerWorkspace()
    {
    }

    private LayerWorkspace(bool isAtOnePoint) => IsAtOnePoint = isAtOnePoint;

    /// <summary>Whether every call with this workspace sees one point: the same parameters, inputs and data.</summary>
    public bool IsAtOnePoint { get; }

    /// <summary>
    /// A workspace for calls that all see the same parameters, inputs and data (directions and adjoints
    /// may change): what a call computes from those alone it may keep for the next (<see cref="Holds"/>).
    /// </summary>
    public static LayerWorkspace AtOnePoint() => new(isAtOnePoint: true);

    /// <summary>
    /// Whether an earlier call at this workspace's point wrote the buffer <paramref name="name"/> with
    /// <paramref name="length"/> values, which may then be read instead of computed again; always false
    /// unless the workspace is <see cref="AtOnePoint"/>.
    /// </summary>
    public bool Holds(string name, int length) =>
        IsAtOnePoint && buffers.TryGetValue(name, out double[]? buffer) && buffer.Length == length;

    /// <summary>
    /// The buffer <paramref name="name"/> with exactly <paramref name="length"/> values, to be written;
    /// its values are those of the last call when the length is unchanged, zero when it is new.
    /// </summary>
    public Span<double> Buffer(string name, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (!buffers.TryGetValue(name, out double[]? buffer) || buffer.Length != length)
        {
            buffers[name] = buffer = new double[length];
        }

        return buffer;
    }

    /// <summary>The buffer <paramref name="name"/> as an earlier call left it, which must have <paramref name="length"/> values.</summary>
    /// <exception cref="InvalidOperationException">No earlier call wrote that buffer with that length.</exception>
    public ReadOnlySpan<double> Kept(string name, int length)
    {
        if (!buffers.TryGetValue(name, out double[]? buffer) || buffer.Length != length)
        {
            throw new InvalidOperationException(
                $"The workspace holds no '{name}' of {length} values: call the member that keeps it (ForwardBatch before BackwardBatch, TangentBatch before SecondOrderBatch) with this workspace on the same examples first.");
        }

        return buffer;
    }
}
