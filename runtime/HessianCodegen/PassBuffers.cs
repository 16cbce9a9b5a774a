using System;

namespace HessianCodegen;

/// <summary>
/// The rows one forward and backward pass writes (the rows entering each layer after the first, each layer's
/// output adjoints, the per-example losses), with room for some number of examples: what a
/// <see cref="NetworkPoint"/> keeps, and what <see cref="Network.LossAndGradient"/> rents from its network, so that
/// a training loop does not allocate (and the collector clear) them at every step.
/// </summary>
internal sealed class PassBuffers
{
    /// <summary>
    /// The most values a set may hold and still go back to its network's pool (4 MiB of doubles). A training
    /// minibatch stays well below (the benchmarks' largest, 8 layers of width 64 at batch 128, holds 1 MiB of
    /// rows), while a pass over a whole data set may need hundreds of MiB, which a pool would otherwise pin
    /// for the network's life. Above the cap, the pass's own arithmetic (a width-long product per value, forward
    /// and backward) costs far more than allocating the rows again.
    /// </summary>
    public const long PoolableValues = 4L * 1024 * 1024 / sizeof(double);

    private readonly Network network;

    public PassBuffers(Network network)
    {
        this.network = network;
        Inputs = new double[network.Depth][];
        OutputAdjoints = new double[network.Depth][];
        Losses = [];
    }

    /// <summary>Inputs[l]: the rows entering layer l, for l &gt;= 1 (layer 0 reads the batch's: Inputs[0] stays null unless the owner puts a copy there).</summary>
    public double[][] Inputs { get; }

    /// <summary>OutputAdjoints[l]: d loss / d (output of layer l).</summary>
    public double[][] OutputAdjoints { get; }

    /// <summary>One loss per example.</summary>
    public double[] Losses { get; private set; }

    /// <summary>The values the set holds, all rows together.</summary>
    public long Values { get; private set; }

    /// <summary>Makes room for <paramref name="count"/> examples, allocating only when there is less.</summary>
    public void Reserve(int count)
    {
        if (Losses.Length >= count)
        {
            return;
        }

        long values = count;
        for (int l = 0; l < network.Depth; l++)
        {
            IHessianLayer layer = network.Layers[l];
            if (l + 1 < network.Depth)
            {
                Inputs[l + 1] = new double[count * layer.OutputSize];
                values += Inputs[l + 1].Length;
            }

            OutputAdjoints[l] = new double[count * layer.OutputSize];
            values += OutputAdjoints[l].Length;
        }

        Losses = new double[count];
        Values = values;
    }
}
