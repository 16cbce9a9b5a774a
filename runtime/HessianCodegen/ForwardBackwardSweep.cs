using System;

namespace HessianCodegen;

/// <summary>
/// The forward and backward pass of a network, the whole batch at a time per layer: the one implementation
/// behind <see cref="NetworkPoint"/> (which keeps the activations and adjoints it writes, for <c>H v</c> and the
/// derivative blocks) and <see cref="Network.LossAndGradient"/> (which rents them and gives them back).
/// </summary>
internal static class ForwardBackwardSweep
{
    /// <summary>
    /// Fills <c>inputs[l]</c> for <c>l &gt;= 1</c> (the rows entering layer l; layer 0 reads the batch's),
    /// <c>outputAdjoints[l]</c> (d loss / d output of layer l) and <paramref name="losses"/> (one per example),
    /// writes d loss / d parameters into <paramref name="gradient"/> and returns the mean loss. Each array holds
    /// at least <c>Count</c> rows of its layer; only those are read or written.
    /// </summary>
    /// <exception cref="ArithmeticException">
    /// The loss is not finite (an activation overflowed): found after the forward pass, before
    /// <paramref name="gradient"/> is touched, which is then left as it was.
    /// </exception>
    public static double Run(Network network, ReadOnlySpan<double> parameters, Batch batch, double[][] inputs,
        double[][] outputAdjoints, Span<double> losses, Span<double> gradient)
    {
        int depth = network.Depth;
        int count = batch.Count;

        // The batch loss is the mean, so each example's loss enters with weight 1/B.
        Rows(outputAdjoints[depth - 1], count, 1).Fill(1.0 / count);
        LayerWorkspace[] workspaces = network.RentWorkspaces();
        for (int l = 0; l < depth; l++)
        {
            IHessianLayer layer = network.Layers[l];
            Span<double> outputs = l + 1 < depth ? Rows(inputs[l + 1], count, layer.OutputSize) : losses;
            layer.ForwardBatch(count, network.ParameterSlice(parameters, l), Input(network, batch, inputs, l), LayerData(network, batch, l),
                outputs, workspaces[l]);
        }

        double lossSum = 0;
        foreach (double loss in losses)
        {
            lossSum += loss;
        }

        double mean = lossSum / count;
        if (!double.IsFinite(mean))
        {
            network.ReturnWorkspaces(workspaces);
            throw new ArithmeticException(
                $"The loss is {mean} at these parameters; expected a finite number (an activation overflowed).");
        }

        // Cleared only now, so that a failure above leaves the caller's gradient as it was.
        gradient.Clear();
        for (int l = depth - 1; l >= 0; l--)
        {
            IHessianLayer layer = network.Layers[l];
            Span<double> inputAdjoints = l > 0 ? Rows(outputAdjoints[l - 1], count, layer.InputSize) : default;
            layer.BackwardBatch(count, network.ParameterSlice(parameters, l), Input(network, batch, inputs, l), LayerData(network, batch, l),
                Rows(outputAdjoints[l], count, layer.OutputSize), inputAdjoints, network.ParameterSlice(gradient, l), workspaces[l]);
        }

        // Not returned when a layer threw: the set is then simply collected.
        network.ReturnWorkspaces(workspaces);
        return mean;
    }

    /// <summary>The rows entering a layer: the batch's for the first, those the forward pass wrote for the others.</summary>
    private static ReadOnlySpan<double> Input(Network network, Batch batch, double[][] inputs, int layer) =>
        layer == 0 ? batch.Inputs : Rows(inputs[layer], batch.Count, network.Layers[layer].InputSize);

    /// <summary>The data rows a layer reads: the batch's for the loss layer, none for a hidden layer.</summary>
    internal static ReadOnlySpan<double> LayerData(Network network, Batch batch, int layer) =>
        layer == network.Depth - 1 ? batch.DataRows : default;

    private static Span<double> Rows(double[] rows, int count, int width) => rows.AsSpan(0, count * width);
}
