using System;

namespace HessianCodegen;

/// <summary>
/// A batch of examples: one input row per example and, per example, the data its loss layer
/// reads (a class label or a target row). Values are copied in; a batch never changes.
/// </summary>
/// <remarks>
/// The data of one example is laid out as the loss layer's <see cref="IHessianLayer.DataLayout"/>
/// says: a label takes one slot holding its class as a double, a target vector takes its length.
/// Whether labels lie in the class range is checked by <see cref="Network.At(ReadOnlySpan{double}, Batch)"/>
/// and <see cref="Network.LossAndGradient"/>, which know the loss layer.
/// </remarks>
public sealed class Batch
{
    private readonly double[] inputs;
    private readonly double[] data;

    private Batch(double[] inputs, int inputSize, double[] data, int dataSize, int count)
    {
        this.inputs = inputs;
        this.data = data;
        InputSize = inputSize;
        DataSize = dataSize;
        Count = count;
    }

    /// <summary>Number of examples (<c>B</c>).</summary>
    public int Count { get; }

    /// <summary>Values per input row.</summary>
    public int InputSize { get; }

    /// <summary>Data values per example (1 for a label, the target length for a target row).</summary>
    public int DataSize { get; }

    /// <summary>A batch for a classifier: <paramref name="inputs"/> has one row per example.</summary>
    /// <exception cref="ArgumentException">
    /// The batch is empty, a label count differs from the row count, a label is negative, or an input is not finite.
    /// </exception>
    public static Batch WithLabels(double[,] inputs, int[] labels)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(labels);
        double[] flatInputs = CheckInputs(inputs, out int count);
        if (labels.Length != count)
        {
            throw new ArgumentException(
                $"labels has {labels.Length} entries; expected one per input row ({count}).", nameof(labels));
        }

        var data = new double[count];
        for (int n = 0; n < count; n++)
        {
            if (labels[n] < 0)
            {
                throw new ArgumentException(
                    $"labels[{n}] is {labels[n]}; expected a class index >= 0.", nameof(labels));
            }

            data[n] = labels[n];
        }

        return new Batch(flatInputs, inputs.GetLength(1), data, 1, count);
    }

    /// <summary>A batch for a regression: <paramref name="targets"/> has one row per example.</summary>
    /// <exception cref="ArgumentException">
    /// The batch is empty, the row counts differ, or an input or target is not finite.
    /// </exception>
    public static Batch WithTargets(double[,] inputs, double[,] targets) => WithData(inputs, targets, nameof(targets));

    /// <summary>
    /// A batch whose per-example data rows are given as laid out by the loss layer's
    /// <see cref="IHessianLayer.DataLayout"/> (for a loss layer that reads several data fields).
    /// </summary>
    /// <exception cref="ArgumentException">
    /// The batch is empty, the row counts differ, or an input or data value is not finite.
    /// </exception>
    public static Batch WithData(double[,] inputs, double[,] data) => WithData(inputs, data, nameof(data));

    /// <summary>The input row of example <paramref name="example"/>.</summary>
    public ReadOnlySpan<double> Input(int example) => inputs.AsSpan(CheckExample(example) * InputSize, InputSize);

    /// <summary>The data values of example <paramref name="example"/>.</summary>
    public ReadOnlySpan<double> Data(int example) => data.AsSpan(CheckExample(example) * DataSize, DataSize);

    /// <summary>All input rows, example after example.</summary>
    internal ReadOnlySpan<double> Inputs => inputs;

    /// <summary>The data rows of every example, one after the other.</summary>
    internal ReadOnlySpan<double> DataRows => data;

    private static Batch WithData(double[,] inputs, double[,] rows, string quantity)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(rows, quantity);
        double[] flatInputs = CheckInputs(inputs, out int count);
        if (rows.GetLength(0) != count)
        {
            throw new ArgumentException(
                $"{quantity} has {rows.GetLength(0)} rows; expected one per input row ({count}).", quantity);
        }

        double[] flat = Flatten(rows);
        CheckFinite(flat, rows.GetLength(1), quantity);
        return new Batch(flatInputs, inputs.GetLength(1), flat, rows.GetLength(1), count);
    }

    private static double[] CheckInputs(double[,] inputs, out int count)
    {
        count = inputs.GetLength(0);
        if (count == 0 || inputs.GetLength(1) == 0)
        {
            throw new ArgumentException(
                $"inputs is {count} x {inputs.GetLength(1)}; expected at least one example of at least one value.",
                nameof(inputs));
        }

        double[] flat = Flatten(inputs);
        CheckFinite(flat, inputs.GetLength(1), nameof(inputs));
        return flat;
    }

    private static void CheckFinite(double[] flat, int columns, string quantity)
    {
        int index = Guard.IndexOfNonFinite(flat);
        if (index >= 0)
        {
            throw new ArgumentException(
                $"{quantity}[{index / columns}, {index % columns}] is {flat[index]}; expected a finite number.",
                quantity);
        }
    }

    private static double[] Flatten(double[,] matrix)
    {
        int rows = matrix.GetLength(0);
        int columns = matrix.GetLength(1);
        var flat = new double[rows * columns];
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < columns; c++)
            {
                flat[(r * columns) + c] = matrix[r, c];
            }
        }

        return flat;
    }

    private int CheckExample(int example) => (uint)example < (uint)Count
        ? example
        : throw new ArgumentOutOfRangeException(nameof(example), example, $"example must lie in [0, {Count}).");
}
