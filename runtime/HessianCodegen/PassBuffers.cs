using System;

namespace HessianCodegen;

/// <summary>
/// The rows one forward and backward pass writes (the rows entering each layer after the first, each layer's
/// output adjoints, the per-example losses), with room for some number of examples: what
/// <see cref="Network.LossAndGradient"/> rents from its network, so that a training loop does not allocate
/// (and the collector clear) them at every step.
/// </summary>
internal sealed class PassBuffers
{
    private readonly Network network;

    public PassBuffers(Network network)
    {
        this.network = network;
        Inputs = new double[network.Depth][];
        OutputAdjoints = new double[network.Depth][];
        Losses = [];
    }

    /// <summary>Inputs[l]: the rows entering layer l, for l &gt;= 1 (layer 0 reads the batch's; Inputs[0] stays null).</summary>
    public double[][] Inputs { get; }

    /// <summary>OutputAdjoints[l]: d loss / d (output of layer l).</summary>
    public double[][] OutputAdjoints { get; }

    /// <summary>One loss per example.</summary>
    public double[] Losses { get; private set; }

    /// <summary>Makes room for <paramref name="count"/> examples, allocating only when there is less.</summary>
    public void Reserve(int count)
    {
        if (Losses.Length >= count)
        {
            return;
        }

        for (int l = 0; l < network.Depth; l++)
        {
            IHessianLayer layer = network.Layers[l];
            if (l + 1 < network.Depth)
            {
                Inputs[l + 1] = new double[count * layer.OutputSize];
            }

            OutputAdjoints[l] = new double[count * layer.OutputSize];
        }

        Losses = new double[count];
    }
}
