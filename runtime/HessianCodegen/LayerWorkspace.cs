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
/// A buffer asked for with another length reuses its memory when it is large enough, so layers of
/// different sizes can take turns on one workspace (<see cref="ForThisThread"/>) without allocating.
/// </remarks>
public sealed class LayerWorkspace
{
    [ThreadStatic]
    private static LayerWorkspace? forThisThread;

    private readonly Dictionary<string, (double[] Memory, int Length)> buffers = new(StringComparer.Ordinal);

    // Kept apart from the buffers by name rather than by a prefixed name, which would allocate a string per call.
    private readonly Dictionary<string, (double[] Memory, int Length)> discarded = new(StringComparer.Ordinal);

    /// <summary>
    /// A workspace of the calling thread, scratch for one call: a generated layer's per-example members
    /// (<see cref="IHessianLayer.Forward"/>, <see cref="IHessianLayer.Tangent"/>, ...) call their batched twins
    /// with <c>count</c> 1 on it, and any layer's may. Nothing in it outlives the call that wrote it: the
    /// next per-example call, of this layer or another, at another point, overwrites it, so no member may
    /// take what it holds for a value computed at the point of the current call.
    /// </summary>
    public static LayerWorkspace ForThisThread => forThisThread ??= new LayerWorkspace();

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
        IsAtOnePoint && buffers.TryGetValue(name, out var buffer) && buffer.Length == length;

    /// <summary>
    /// The buffer <paramref name="name"/> with exactly <paramref name="length"/> values, to be written;
    /// its values are those of the last call when the length is unchanged, zero when it is new.
    /// </summary>
    public Span<double> Buffer(string name, int length) => Take(buffers, name, length);

    /// <summary>
    /// <paramref name="length"/> zeros for a result <paramref name="name"/> the caller does not want (the parameter
    /// gradient <see cref="IHessianLayer.BackwardBatch"/> adds to when only input adjoints are asked for); kept apart
    /// from the buffers of that name, which a layer's batched members read back.
    /// </summary>
    public Span<double> Discarded(string name, int length)
    {
        Span<double> buffer = Take(discarded, name, length);
        buffer.Clear();
        return buffer;
    }

    /// <summary>The buffer <paramref name="name"/> as an earlier call left it, which must have <paramref name="length"/> values.</summary>
    /// <exception cref="InvalidOperationException">No earlier call wrote that buffer with that length.</exception>
    public ReadOnlySpan<double> Kept(string name, int length)
    {
        if (!buffers.TryGetValue(name, out (double[] Memory, int Length) buffer) || buffer.Length != length)
        {
            throw new InvalidOperationException(
                $"The workspace holds no '{name}' of {length} values: call the member that keeps it (ForwardBatch before BackwardBatch, TangentBatch before SecondOrderBatch) with this workspace on the same examples first.");
        }

        return buffer.Memory.AsSpan(0, length);
    }

    /// <summary>The buffer <paramref name="name"/> of <paramref name="table"/> with exactly <paramref name="length"/> values (see <see cref="Buffer"/>).</summary>
    private static Span<double> Take(Dictionary<string, (double[] Memory, int Length)> table, string name, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (!table.TryGetValue(name, out (double[] Memory, int Length) buffer) || buffer.Length != length)
        {
            double[] memory = buffer.Memory is { } held && held.Length >= length ? held : new double[length];
            memory.AsSpan(0, length).Clear();
            table[name] = buffer = (memory, length);
        }

        return buffer.Memory.AsSpan(0, length);
    }
}
