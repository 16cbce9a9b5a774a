using System;
using System.Linq;

namespace HessianCodegen;

/// <summary>
/// A network at fixed parameters on a fixed batch, with the forward pass (activations) and the
/// backward pass (output adjoints <c>b</c>) done. Loss, gradient, Hessian-vector products, the
/// dense Hessian and the derivative blocks for the structured solve are all read from here.
/// </summary>
/// <remarks>
/// Hessian-vector products and <see cref="Derivatives"/> reuse work buffers held by the point (the layers'
/// workspaces at the point), so one point must not be used from several threads at once; create one point
/// per thread instead.
/// </remarks>
public sealed class NetworkPoint
{
    private readonly double[] parameters;

    // inputs[l]: the B rows entering layer l; outputAdjoints[l]: d loss / d (output of layer l), B rows.
    private readonly double[][] inputs;
    private readonly double[][] outputAdjoints;

    // d loss / d parameters, summed by the backward pass of the constructor.
    private readonly double[] gradient;
    private HessianVectorWorkspace? workspace;
    private LayerWorkspace[]? workspacesAtPoint;

    internal NetworkPoint(Network network, double[] parameters, Batch batch)
    {
        Network = network;
        Batch = batch;
        this.parameters = parameters;
        // The point keeps the pass's rows (not the per-example losses) and its own copy of the batch's inputs.
        var rows = new PassBuffers(network);
        rows.Reserve(batch.Count);
        inputs = rows.Inputs;
        outputAdjoints = rows.OutputAdjoints;
        inputs[0] = batch.Inputs.ToArray();
        gradient = new double[network.ParameterCount];
        Loss = ForwardBackwardSweep.Run(network, parameters, batch, inputs, outputAdjoints, rows.Losses, gradient);
    }

    /// <summary>The network this point belongs to.</summary>
    public Network Network { get; }

    /// <summary>The batch the loss is averaged over.</summary>
    public Batch Batch { get; }

    /// <summary>The parameters of the point (a copy of those given).</summary>
    public ReadOnlySpan<double> Parameters => parameters;

    /// <summary>The mean loss over the batch.</summary>
    public double Loss { get; }

    /// <summary>d loss / d parameters, in the flat parameter order.</summary>
    public double[] Gradient()
    {
        var result = new double[Network.ParameterCount];
        Gradient(result);
        return result;
    }

    /// <summary>Writes d loss / d parameters into <paramref name="result"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="result"/> has the wrong length.</exception>
    public void Gradient(Span<double> result)
    {
        Guard.Length(result, Network.ParameterCount, nameof(result));
        gradient.CopyTo(result);
    }

    /// <summary>The exact product <c>H v</c> of the loss Hessian with <paramref name="v"/>.</summary>
    public double[] HessianVector(ReadOnlySpan<double> v)
    {
        var result = new double[Network.ParameterCount];
        HessianVector(v, result);
        return result;
    }

    /// <summary>
    /// Writes the exact product <c>H v</c> into <paramref name="result"/>, matrix-free: one forward
    /// tangent sweep and one backward adjoint-tangent sweep, a small multiple of a gradient's cost.
    /// </summary>
    /// <exception cref="ArgumentException">A vector has the wrong length.</exception>
    public void HessianVector(ReadOnlySpan<double> v, Span<double> result)
    {
        Guard.Length(v, Network.ParameterCount, nameof(v));
        Guard.Length(result, Network.ParameterCount, nameof(result));
        HessianVectorWorkspace work = ForwardTangents(v);
        int depth = Network.Depth;

        // Backward, a layer at a time over the whole batch: s_{l-1} = Dz_l^T s_l + Xzz_l t_{l-1} + Xzx_l^T v_l
        // and (H v)_l = Dx_l^T s_l + Xxx_l v_l + Xzx_l t_{l-1}, with s = 0 leaving the loss layer.
        for (int l = depth - 1; l >= 0; l--)
        {
            Span<double> product = Network.ParameterSlice(result, l);
            product.Clear();
            ReadOnlySpan<double> outputAdjointTangents = l == depth - 1 ? default : work.AdjointTangents[l];
            Span<double> inputAdjointTangents = l > 0 ? work.AdjointTangents[l - 1] : default;
            Network.Layers[l].SecondOrderBatch(Batch.Count, LayerParameters(l), inputs[l], LayerData(l), outputAdjoints[l],
                work.Tangents[l], Network.ParameterSlice(v, l), outputAdjointTangents, inputAdjointTangents, product,
                work.Layers[l]);
        }
    }

    /// <summary>The exact product <c>G v</c> of the Gauss-Newton matrix with <paramref name="v"/>.</summary>
    /// <exception cref="InvalidOperationException">The loss layer has parameters (Gauss-Newton needs it parameterless).</exception>
    public double[] GaussNewtonVector(ReadOnlySpan<double> v)
    {
        var result = new double[Network.ParameterCount];
        GaussNewtonVector(v, result);
        return result;
    }

    /// <summary>
    /// Writes the exact product <c>G v</c> of the Gauss-Newton matrix <c>G = sum_n J_n^T Lambda_n J_n</c>
    /// (see <see cref="Curvature.GaussNewton"/>) with <paramref name="v"/> into <paramref name="result"/>,
    /// matrix-free: the forward tangent sweep of <c>H v</c> gives <c>J v</c> at the loss layer's input,
    /// the loss layer's <c>Xzz</c> multiplies it by <c>Lambda</c>, and a backward sweep through the
    /// Jacobians alone applies <c>J^T</c>. Costs about one <c>H v</c>.
    /// </summary>
    /// <exception cref="ArgumentException">A vector has the wrong length.</exception>
    /// <exception cref="InvalidOperationException">The loss layer has parameters (Gauss-Newton needs it parameterless).</exception>
    public void GaussNewtonVector(ReadOnlySpan<double> v, Span<double> result)
    {
        GaussNewtonLossCheck.Require(Network);
        Guard.Length(v, Network.ParameterCount, nameof(v));
        Guard.Length(result, Network.ParameterCount, nameof(result));
        HessianVectorWorkspace work = ForwardTangents(v);
        int depth = Network.Depth;
        int count = Batch.Count;
        if (depth == 1)
        {
            return; // the parameterless loss alone: no parameters, nothing to write
        }

        // s entering the loss: Lambda J v = Xzz_L t_{L-1} (the loss has no parameters, so no Xzx_L^T v_L).
        int loss = depth - 1;
        IHessianLayer lossLayer = Network.Layers[loss];
        for (int n = 0; n < count; n++)
        {
            lossLayer.SecondOrderInput(LayerParameters(loss), Input(loss, n), Data(loss, n), OutputAdjoint(loss, n),
                Slice(work.Tangents[loss], n, lossLayer.InputSize), default,
                work.AdjointTangents[loss - 1].AsSpan(n * lossLayer.InputSize, lossLayer.InputSize));
        }

        // J^T: s_{l-1} = Dz_l^T s_l and (G v)_l = Dx_l^T s_l, no second derivatives of hidden layers: the
        // gradient's backward step with s for b. BackwardBatch reads what ForwardBatch keeps in the workspace,
        // so each layer's forward step runs again, into a scratch buffer.
        for (int l = loss - 1; l >= 0; l--)
        {
            IHessianLayer layer = Network.Layers[l];
            Span<double> product = Network.ParameterSlice(result, l);
            product.Clear();
            layer.ForwardBatch(count, LayerParameters(l), inputs[l], LayerData(l),
                work.Outputs.AsSpan(0, count * layer.OutputSize), work.Layers[l]);
            Span<double> inputAdjointTangents = l > 0 ? work.AdjointTangents[l - 1] : default;
            layer.BackwardBatch(count, LayerParameters(l), inputs[l], LayerData(l), work.AdjointTangents[l], inputAdjointTangents,
                product, work.Layers[l]);
        }
    }

    /// <summary>
    /// The forward sweep shared by <c>H v</c> and <c>G v</c>: <c>t_l = Dz_l t_{l-1} + Dx_l v_l</c>, with
    /// <c>t = 0</c> entering the first layer, into the point's work buffers.
    /// </summary>
    private HessianVectorWorkspace ForwardTangents(ReadOnlySpan<double> v)
    {
        workspace ??= new HessianVectorWorkspace(Network, Batch.Count, WorkspacesAtPoint());
        HessianVectorWorkspace work = workspace;
        work.Tangents[0].AsSpan().Clear();

        // Every layer, the loss too: its workspace then holds what its SecondOrderBatch reads back.
        for (int l = 0; l < Network.Depth; l++)
        {
            Span<double> outputTangents = l + 1 < Network.Depth ? work.Tangents[l + 1] : work.LossTangents;
            Network.Layers[l].TangentBatch(Batch.Count, LayerParameters(l), inputs[l], LayerData(l), work.Tangents[l],
                Network.ParameterSlice(v, l), outputTangents, work.Layers[l]);
        }

        return work;
    }

    /// <summary>
    /// The dense Hessian, one column <c>H e_j</c> per parameter: for small networks only
    /// (tests, debugging), as it costs <c>ParameterCount</c> Hessian-vector products.
    /// </summary>
    public double[,] DenseHessian()
    {
        int size = Network.ParameterCount;
        var hessian = new double[size, size];
        var unit = new double[size];
        var column = new double[size];
        for (int j = 0; j < size; j++)
        {
            unit[j] = 1;
            HessianVector(unit, column);
            unit[j] = 0;
            for (int i = 0; i < size; i++)
            {
                hessian[i, j] = column[i];
            }
        }

        return hessian;
    }

    /// <summary>
    /// Every derivative block the structured solve needs (<c>Dx, Dz, Xxx, Xzx, Xzz</c> per layer),
    /// computed once. They do not depend on the damping, so one set serves every epsilon. With
    /// <see cref="Curvature.GaussNewton"/> they describe the Gauss-Newton matrix <c>G</c> instead of
    /// <c>H</c>, and the factorizations made from them solve <c>(G + eps I) x = g</c>.
    /// </summary>
    /// <exception cref="InvalidOperationException">
    /// Gauss-Newton is asked of a network whose loss layer has parameters; the message names the split
    /// that fixes it (for example <c>LinearLayer(16, 10)</c> followed by <c>SoftmaxCrossEntropyLoss(10)</c>).
    /// </exception>
    /// <remarks>
    /// Disposing the result when done with it lets the next derivatives (of this point or another of the same network)
    /// compute their blocks in its array instead of allocating (<see cref="HessianDerivatives.Dispose"/>).
    /// </remarks>
    public HessianDerivatives Derivatives(Curvature curvature = Curvature.Hessian) => new(this, curvature, DerivativeStoragePool.Shared);

    /// <summary><see cref="Derivatives(Curvature)"/> with their array taken from, and returned to, <paramref name="pool"/> (a test's own).</summary>
    internal HessianDerivatives DerivativesStoredIn(DerivativeStoragePool pool, Curvature curvature = Curvature.Hessian) => new(this, curvature, pool);

    /// <summary>
    /// Each layer's workspace at this point (<see cref="LayerWorkspace.AtOnePoint"/>), shared by <c>H v</c>, <c>G v</c>
    /// and the derivative blocks: the point's parameters, inputs and data never change, so what a layer computes from
    /// them alone (an activation's slopes and curvatures) it computes once for all of them.
    /// </summary>
    internal LayerWorkspace[] WorkspacesAtPoint()
    {
        if (workspacesAtPoint is null)
        {
            workspacesAtPoint = new LayerWorkspace[Network.Depth];
            for (int l = 0; l < Network.Depth; l++)
            {
                workspacesAtPoint[l] = LayerWorkspace.AtOnePoint();
            }
        }

        return workspacesAtPoint;
    }

    /// <summary>The rows entering a layer, one per example.</summary>
    internal ReadOnlySpan<double> Inputs(int layer) => inputs[layer];

    /// <summary>The adjoints d loss / d (output of a layer), one row per example.</summary>
    internal ReadOnlySpan<double> OutputAdjoints(int layer) => outputAdjoints[layer];

    /// <summary>The data rows a layer reads: the batch's for the loss layer, none for a hidden layer.</summary>
    internal ReadOnlySpan<double> LayerData(int layer) => ForwardBackwardSweep.LayerData(Network, Batch, layer);

    internal ReadOnlySpan<double> LayerParameters(int layer) => Network.ParameterSlice(parameters, layer);

    internal ReadOnlySpan<double> Input(int layer, int example) =>
        Slice(inputs[layer], example, Network.Layers[layer].InputSize);

    /// <summary>The data a layer reads for one example: the batch's data for the loss layer, nothing for a hidden layer.</summary>
    internal ReadOnlySpan<double> Data(int layer, int example) =>
        layer == Network.Depth - 1 ? Batch.Data(example) : default;

    internal ReadOnlySpan<double> OutputAdjoint(int layer, int example) =>
        Slice(outputAdjoints[layer], example, Network.Layers[layer].OutputSize);

    private static ReadOnlySpan<double> Slice(double[] rows, int example, int width) => rows.AsSpan(example * width, width);

    /// <summary>
    /// Buffers for H v, allocated once per point: tangents t and adjoint-tangents s per layer, and each
    /// layer's workspace at the point (<see cref="WorkspacesAtPoint"/>), which keeps what its batched tangent sweep
    /// computed for its second-order sweep.
    /// </summary>
    private sealed class HessianVectorWorkspace
    {
        public HessianVectorWorkspace(Network network, int count, LayerWorkspace[] layers)
        {
            Tangents = new double[network.Depth][];
            AdjointTangents = new double[network.Depth][];
            Layers = layers;
            for (int l = 0; l < network.Depth; l++)
            {
                IHessianLayer layer = network.Layers[l];
                Tangents[l] = new double[count * layer.InputSize];
                AdjointTangents[l] = new double[count * layer.OutputSize];
            }

            LossTangents = new double[count * network.Layers[network.Depth - 1].OutputSize];
            Outputs = new double[count * network.Layers.Max(layer => layer.OutputSize)];
        }

        /// <summary>Tangents[l]: the tangent entering layer l, B rows.</summary>
        public double[][] Tangents { get; }

        /// <summary>AdjointTangents[l]: the adjoint-tangent of layer l's output, B rows.</summary>
        public double[][] AdjointTangents { get; }

        /// <summary>The tangent of the losses: computed with the loss layer's tangent sweep, read by no one.</summary>
        public double[] LossTangents { get; }

        public LayerWorkspace[] Layers { get; }

        /// <summary>Room for the outputs of any layer's ForwardBatch, which G v runs only for what it keeps.</summary>
        public double[] Outputs { get; }
    }
}
