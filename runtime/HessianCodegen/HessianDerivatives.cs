using System;
using System.Threading;

namespace HessianCodegen;

/// <summary>
/// The derivative blocks of every layer at one <see cref="NetworkPoint"/>: what the structured
/// solve of <c>(H + eps I) x = g</c> is assembled from. Computing them costs one call of each layer's batched
/// derivative members for the whole batch (<see cref="IHessianLayer.AddJacobiansBatch"/>,
/// <see cref="IHessianLayer.AddSecondDerivativesBatch"/>); they do not depend on epsilon, so
/// <see cref="Factorize(double)"/> can be called for as many epsilons as needed. Where a factorization's work arrays are small,
/// the derivatives keep them for their next <see cref="Factorize(double)"/> until disposed.
/// </summary>
/// <remarks>
/// With <see cref="Curvature.GaussNewton"/> the blocks describe the Gauss-Newton matrix <c>G</c>
/// instead of <c>H</c> (docs/algorithm.md section 14): every layer keeps <c>Dx</c> and <c>Dz</c>, the
/// parameterless loss layer keeps its <c>Xzz</c> (the loss's Hessian in the logits, over <c>B</c>),
/// and every other second-derivative block is zero and not stored. The same factorization then solves
/// <c>(G + eps I) x = g</c>. With either curvature a block the layer declares zero
/// (<see cref="IHessianLayer.NonZeroSecondDerivatives"/>) is not stored either.
/// <para>
/// All blocks live in one large array. Disposing the derivatives when done with them gives it to a pool the process
/// shares, and the next <see cref="NetworkPoint.Derivatives"/> of a size it holds (the next training step's, of the
/// same network) computes its blocks there instead of allocating:
/// <c>using HessianDerivatives d = point.Derivatives();</c>. Disposing is optional, like a factorization's. A
/// factorization made from these derivatives reads their blocks as long as it lives, so it keeps them alive: the array
/// goes to the pool only once the derivatives and every factorization of them are disposed, in either order. After
/// <see cref="Dispose"/>, <see cref="Factorize(double)"/> throws <see cref="ObjectDisposedException"/>; the
/// factorizations already made stay valid.
/// </para>
/// </remarks>
public sealed class HessianDerivatives : IDisposable
{
    private readonly LayerDerivatives[] layers;
    private readonly object gate = new();
    private readonly DerivativeStoragePool storagePool;
    private double[]? storage;
    private int liveFactorizations;
    private bool disposed;
    private readonly ParameterGroups?[] parameterGroups;
    private readonly double[]?[] groupBlocks;
    // Every small layer's Dx by its non-zeros (CompressedJacobian), made by the first factorization and kept for the next ones.
    private CompressedJacobian?[]? jacobians;
    // The recursion's small work arrays, kept for the next factorization (RiccatiScratch); null while one factorization has them.
    private RiccatiScratch? riccatiScratch;
    // NaN until computed: a double's write is atomic where a double?'s (its flag and value) can tear under concurrent Factorize.
    private double hessianNormEstimate = double.NaN;
    private double largestEntry = double.NaN;

    internal HessianDerivatives(NetworkPoint point, Curvature curvature, DerivativeStoragePool storagePool)
    {
        if (curvature == Curvature.GaussNewton)
        {
            GaussNewtonLossCheck.Require(point.Network);
        }
        else if (curvature != Curvature.Hessian)
        {
            throw new ArgumentOutOfRangeException(nameof(curvature), curvature,
                $"curvature is {curvature}; expected Curvature.Hessian or Curvature.GaussNewton.");
        }

        Point = point;
        Curvature = curvature;
        this.storagePool = storagePool;
        Network network = point.Network;
        Batch batch = point.Batch;
        layers = new LayerDerivatives[network.Depth];
        parameterGroups = new ParameterGroups?[network.Depth];
        groupBlocks = new double[]?[network.Depth];
        int length = 0;
        for (int l = 0; l < network.Depth; l++)
        {
            length = checked(length + LayerDerivatives.Length(network.Layers[l], batch.Count, NeedsJacobians(l), LayerDerivatives.StoredBlocks(network, l, curvature)));
        }

        // One array for all layers (no per-layer objects for the collector to move); each layer's part
        // is cleared just before its blocks are accumulated, while it is in cache.
        double[] rented = storagePool.Rent(length);
        storage = rented;
        int start = 0;
        for (int l = 0; l < network.Depth; l++)
        {
            IHessianLayer layer = network.Layers[l];
            bool needsJacobians = NeedsJacobians(l);
            SecondDerivativeBlocks stored = LayerDerivatives.StoredBlocks(network, l, curvature);
            var blocks = new LayerDerivatives(layer, batch.Count, needsJacobians, stored, rented, start);
            start += LayerDerivatives.Length(layer, batch.Count, needsJacobians, stored);
            blocks.All.Clear();
            ReadOnlySpan<double> parameters = point.LayerParameters(l);

            // The whole batch at once, on the layer's workspace at the point: an activation's slopes and curvatures
            // are computed once for both members (and for H v). The first layer's input is data: no equation reads
            // its Xzx or Xzz (for a wide first layer on a batch, Xzx is the largest block of all), so they are passed
            // empty, not wanted; so is a block the layer declares zero. A layer that stores none is not asked.
            ReadOnlySpan<double> inputs = point.Inputs(l);
            ReadOnlySpan<double> data = point.LayerData(l);
            LayerWorkspace workspace = point.WorkspacesAtPoint()[l];
            if (needsJacobians)
            {
                layer.AddJacobiansBatch(batch.Count, parameters, inputs, data, blocks.Dx, blocks.Dz, workspace);
            }

            if (stored != SecondDerivativeBlocks.None)
            {
                layer.AddSecondDerivativesBatch(batch.Count, parameters, inputs, data, point.OutputAdjoints(l), blocks.Xxx,
                    blocks.Xzx, blocks.Xzz, workspace);
            }

            layers[l] = blocks;
        }

        // The loss layer's Jacobians only feed y_L, which no equation reads.
        bool NeedsJacobians(int layer) => layer + 1 < network.Depth;
    }

    /// <summary>The point the derivatives were taken at.</summary>
    public NetworkPoint Point { get; }

    /// <summary>Whether the blocks describe the Hessian <c>H</c> or the Gauss-Newton matrix <c>G</c>.</summary>
    public Curvature Curvature { get; }

    /// <summary>
    /// Factorizes <c>H + epsilon I</c> (or <c>G + epsilon I</c> for <see cref="Curvature.GaussNewton"/>) by the
    /// Riccati recursion, falling back to the pivoted banded LU of the augmented system when a pivot block
    /// is singular to working precision; the result solves for any number of right-hand sides and gives
    /// the inertia and log-determinant. Disposing the result when done with it lets the next factorization (of
    /// these derivatives or of others) store its factors where that one did, instead of allocating
    /// (<see cref="HessianFactorization.Dispose"/>).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="epsilon"/> is negative or not finite.</exception>
    /// <exception cref="SingularSystemException"><c>H + epsilon I</c> is singular to working precision.</exception>
    public HessianFactorization Factorize(double epsilon) => Factorize(epsilon, FactorizationPath.Riccati);

    /// <summary>
    /// <see cref="Factorize(double)"/> along a chosen path: <see cref="FactorizationPath.Riccati"/> (the
    /// default, with its fallback) or <see cref="FactorizationPath.BandedLU"/> alone (to compare them).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="epsilon"/> is negative or not finite, or <paramref name="path"/> is not a defined path.</exception>
    /// <exception cref="SingularSystemException"><c>H + epsilon I</c> is singular to working precision.</exception>
    public HessianFactorization Factorize(double epsilon, FactorizationPath path)
    {
        if (!(epsilon >= 0) || !double.IsFinite(epsilon))
        {
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon,
                $"epsilon is {epsilon}; expected a finite number >= 0.");
        }

        if (path is not (FactorizationPath.Riccati or FactorizationPath.BandedLU))
        {
            throw new ArgumentOutOfRangeException(nameof(path), path, $"path is {path}; expected Riccati or BandedLU.");
        }

        // The hold is taken before the blocks are read, under the lock Dispose takes: a Dispose on another thread
        // meanwhile cannot hand the blocks to the pool while this factorization reads them.
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            liveFactorizations++;
        }

        try
        {
            return HessianFactorization.Create(this, epsilon, path);
        }
        catch
        {
            FactorizationDisposed();
            throw;
        }
    }

    /// <summary>
    /// Gives the blocks' array to the process's pool for the next <see cref="NetworkPoint.Derivatives"/> to reuse, once
    /// every factorization of these derivatives is disposed too (until then they keep it). Factorizing afterwards throws
    /// <see cref="ObjectDisposedException"/>. Calling it again does nothing. The small work arrays kept for the next factorization
    /// are let go here.
    /// </summary>
    public void Dispose()
    {
        lock (gate)
        {
            disposed = true;
            ReturnStorageWhenUnused();

            // No factorization follows: the recursion's kept work arrays are let go (a disposed object held elsewhere does not keep them).
            // Under the gate, as KeepRiccatiScratch checks and keeps, so that a factorization finishing meanwhile keeps none.
            Volatile.Write(ref riccatiScratch, null);
        }
    }

    /// <summary>
    /// A factorization of these derivatives was disposed, or failed to be made: it reads their blocks no more (each
    /// <see cref="Factorize(double, FactorizationPath)"/> holds them from before it reads them).
    /// </summary>
    internal void FactorizationDisposed()
    {
        lock (gate)
        {
            if (liveFactorizations == 0)
            {
                throw new InvalidOperationException("A factorization of these derivatives was released twice.");
            }

            liveFactorizations--;
            ReturnStorageWhenUnused();
        }
    }

    private void ReturnStorageWhenUnused()
    {
        if (disposed && liveFactorizations == 0 && storage is not null)
        {
            storagePool.Return(storage);
            storage = null;
        }
    }

    /// <exception cref="ObjectDisposedException">The blocks went back to the pool: the derivatives and all their factorizations were disposed.</exception>
    internal LayerDerivatives Layer(int layer)
    {
        ObjectDisposedException.ThrowIf(storage is null, this);
        return layers[layer];
    }

    /// <summary>
    /// The groups of a layer's parameters (<see cref="HessianCodegen.ParameterGroups"/>) that the low-rank route and the grouped
    /// products with <c>Dx</c> (<see cref="GroupedJacobianProduct"/>, <see cref="GroupedValueProduct"/>) work on,
    /// found on first need and kept: they depend on the zero pattern of <c>Xxx</c> and <c>Dx</c> alone, and finding
    /// them was a tenth of a batch-1 factorization, paid again at every shift of a trust-region search. Safe under concurrent
    /// factorizations: two may each find a layer's groups, the same ones, and one is kept.
    /// </summary>
    internal ParameterGroups ParameterGroups(int layer)
    {
        // Kept groups first: a factorization asks a layer's several times, and the state's rows below take a division.
        if (parameterGroups[layer] is { } kept)
        {
            return kept;
        }

        LayerDerivatives d = layers[layer];
        int m = d.Dx.Length / Math.Max(d.ParameterCount, 1);
        return parameterGroups[layer] ??= HessianCodegen.ParameterGroups.Find(d.Xxx, d.Dx, d.ParameterCount, m);
    }

    /// <summary>
    /// Each of a layer's <see cref="ParameterGroups(int)"/>'s <c>q x q</c> blocks of <c>Xxx</c>, copied one after the other
    /// (<see cref="CompactGroupBlocks"/>), found on first need and kept like the groups: the low-rank route's gather of <c>X_g</c>
    /// and the next layer's prefetch read these consecutive values (at batch 1, width 8: 648 values, about 80 lines a layer) instead
    /// of two or three scattered lines per row of the dense <c>Xxx</c> (41 KB a layer). Empty where <c>Xxx</c> is not stored
    /// (a ReLU layer's): nothing is copied. The extra bytes are the sum of <c>q^2</c> values per layer. Safe under concurrent
    /// factorizations: two may each copy a layer's blocks, the same values, and one of the arrays is kept.
    /// </summary>
    internal double[] GroupBlocks(int layer)
    {
        ObjectDisposedException.ThrowIf(storage is null, this);
        return groupBlocks[layer] ??= CompactGroupBlocks.Gather(ParameterGroups(layer), layers[layer].Xxx, layers[layer].ParameterCount);
    }

    /// <summary>
    /// The most values of a layer's dense <c>Dx</c> (<c>m x p</c>) whose compressed copy the derivatives keep
    /// (<see cref="KeptJacobian"/>): 32 Ki, so that a kept copy (at most a quarter of them, <see cref="CompressedJacobian"/>) stays
    /// on the small-object heap: batch 1 at widths 8 and 16 (4.5 Ki at most) and width 8 at batch 8 (4.5 Ki). Above it (width 16 at
    /// batch 8, 34 Ki; issue 7's ReLU layers at batch 64, 0.9 to 7 Mi values, a fresh copy per training step's derivatives, where the
    /// factor storage is reused) each factorization compresses it into its storage as before, which its arithmetic dwarfs.
    /// </summary>
    internal const int KeptJacobianValues = 32 << 10;

    /// <summary>
    /// A layer's <c>Dx</c> by its non-zeros, as the solve reads it (<see cref="CompressedJacobian"/>; the default value where
    /// <c>Dx</c> is not sparse enough, or absent), kept by the derivatives from their first factorization, since it depends on
    /// <c>Dx</c> alone, not on epsilon (each factorization had compressed it into its storage again: 3 to 4 % of a repeated
    /// width-8 batch-1 factorization at depth 128); null for a layer of more than <see cref="KeptJacobianValues"/>, which the
    /// factorization compresses itself. Every small layer's is compressed at the first call. Safe under concurrent factorizations:
    /// two may each compress them, the same values, and one set is kept.
    /// </summary>
    internal CompressedJacobian? KeptJacobian(int layer)
    {
        ObjectDisposedException.ThrowIf(storage is null, this);
        return (jacobians ??= CompressJacobians())[layer];
    }

    /// <summary>
    /// The state's rows of a layer's <c>Dx</c>, as the recursion counts them: the outputs over the batch, none for the loss layer
    /// (its <c>Dx</c> is not stored).
    /// </summary>
    internal int StateRows(int layer) => layer + 1 < layers.Length ? Point.Batch.Count * layers[layer].OutputSize : 0;

    /// <summary>
    /// Every layer's <c>Dx</c> of at most <see cref="KeptJacobianValues"/> compressed into arrays of its own, of the exact lengths
    /// (a storage's added arrays are at least 16 Ki values, more than a small network's whole <c>Dx</c>), a layer with a state read
    /// at its groups' parameters alone (<see cref="ParameterGroups(int)"/>); null for the larger ones.
    /// </summary>
    private CompressedJacobian?[] CompressJacobians()
    {
        var compressed = new CompressedJacobian?[layers.Length];
        for (int l = layers.Length - 1; l >= 0; l--)
        {
            LayerDerivatives d = layers[l];
            int p = d.ParameterCount;
            int m = StateRows(l);
            if ((long)m * p > KeptJacobianValues)
            {
                continue;
            }

            compressed[l] = m > 0
                ? CompressedJacobian.Compress(d.Dx, m, p, ParameterGroups(l), storage: null)
                : CompressedJacobian.Compress(d.Dx, m, p, storage: null);
        }

        return compressed;
    }

    /// <summary>
    /// Where disposed factorizations leave their storage for the next one (<see cref="HessianFactorization.Dispose"/>):
    /// the process's shared pool, so that the first factorization of new derivatives of the same network (a training
    /// step's) reuses the last step's storage instead of fresh large-object-heap pages; a test may give its own.
    /// </summary>
    internal FactorStoragePool FactorStoragePool { get; set; } = FactorStoragePool.Shared;

    /// <summary>The recursion's work arrays kept from the last factorization, taken out (a concurrent one makes its own), or new ones.</summary>
    internal RiccatiScratch TakeRiccatiScratch() => RiccatiScratch.Take(ref riccatiScratch);

    /// <summary>Whether work arrays are kept for the next factorization (for tests).</summary>
    internal bool KeepsRiccatiScratch => Volatile.Read(ref riccatiScratch) is not null;

    /// <summary>Keeps <paramref name="scratch"/> for the next factorization's <see cref="TakeRiccatiScratch"/>, unless these derivatives are disposed.</summary>
    internal void KeepRiccatiScratch(RiccatiScratch scratch)
    {
        // Checked and kept under the gate (one uncontended lock per factorization): between a check outside it and the write,
        // Dispose could let the arrays go and this write keep them on disposed derivatives.
        lock (gate)
        {
            if (!disposed)
            {
                RiccatiScratch.Keep(ref riccatiScratch, scratch);
            }
        }
    }

    /// <summary>The largest magnitude among all derivative blocks (at least 1): the scale a pivot is judged tiny against.</summary>
    internal double LargestEntry
    {
        get
        {
            // Read once: concurrent callers may compute it twice, the same value, and never read half of it.
            double value = largestEntry;
            return double.IsNaN(value) ? largestEntry = FindLargestEntry() : value;
        }
    }

    private double FindLargestEntry()
    {
        double largest = 1.0;
        foreach (LayerDerivatives d in layers)
        {
            largest = Math.Max(largest, LinearAlgebra.VectorKernels.MaxAbs(d.All));
        }

        return largest;
    }

    /// <summary>
    /// Writes the matrix-free product of the curvature these blocks describe with <paramref name="v"/>:
    /// <c>H v</c> or <c>G v</c>. Residuals and backward errors are measured with it.
    /// </summary>
    internal void CurvatureVector(ReadOnlySpan<double> v, Span<double> result)
    {
        if (Curvature == Curvature.GaussNewton)
        {
            Point.GaussNewtonVector(v, result);
        }
        else
        {
            Point.HessianVector(v, result);
        }
    }

    /// <summary>
    /// An estimate of the 2-norm of H (or G; its largest eigenvalue in magnitude) by the power method
    /// on matrix-free products, computed once; it scales the reported backward errors. The estimate
    /// is from below, so a backward error computed with it errs on the high side.
    /// </summary>
    internal double HessianNormEstimate
    {
        get
        {
            double value = hessianNormEstimate; // read once, as LargestEntry's
            return double.IsNaN(value) ? hessianNormEstimate = EstimateHessianNorm() : value;
        }
    }

    private double EstimateHessianNorm()
    {
        const int iterations = 12;
        int size = Point.Network.ParameterCount;
        var v = new double[size];
        var product = new double[size];
        var random = new Random(12345);
        for (int i = 0; i < size; i++)
        {
            v[i] = random.NextDouble() - 0.5;
        }

        double norm = Math.Sqrt(Dot(v, v));
        for (int k = 0; k < iterations && norm > 0; k++)
        {
            for (int i = 0; i < size; i++)
            {
                v[i] /= norm;
            }

            CurvatureVector(v, product);
            (v, product) = (product, v);
            norm = Math.Sqrt(Dot(v, v));
        }

        return norm;
    }

    private static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b) => LinearAlgebra.VectorKernels.Dot(a, b);
}
