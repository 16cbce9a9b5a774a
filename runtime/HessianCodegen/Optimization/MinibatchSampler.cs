using System;

namespace HessianCodegen.Optimization;

/// <summary>
/// Draws minibatches from a training set without replacement, epoch after epoch, in an order fixed
/// by the seed. Asking for the whole set (or more) returns the whole set, always the same object.
/// </summary>
public sealed class MinibatchSampler
{
    private readonly Batch data;
    private readonly Random random;
    private readonly int[] order;
    private int next;

    /// <summary>Samples from <paramref name="data"/>, shuffled by <paramref name="seed"/>.</summary>
    public MinibatchSampler(Batch data, int seed)
    {
        ArgumentNullException.ThrowIfNull(data);
        this.data = data;
        random = new Random(seed);
        order = new int[data.Count];
        for (int i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        random.Shuffle(order);
    }

    /// <summary>The whole training set.</summary>
    public Batch All => data;

    /// <summary>
    /// The next <paramref name="size"/> examples; the first <paramref name="prefix"/> of them also as a
    /// batch of their own (the curvature minibatch inside a gradient batch).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is below 1, or the prefix exceeds the size.</exception>
    public (Batch Batch, Batch Prefix) Next(int size, int prefix)
    {
        if (size < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, $"size is {size}; expected a batch size >= 1.");
        }

        if (prefix < 1 || prefix > size)
        {
            throw new ArgumentOutOfRangeException(nameof(prefix), prefix, $"prefix is {prefix}; expected a size in [1, {size}].");
        }

        if (size >= data.Count)
        {
            // The whole set for the gradient; a fresh draw for the curvature, so that it still varies.
            return (data, prefix >= data.Count ? data : Take(Draw(prefix)));
        }

        int[] indices = Draw(size);
        Batch batch = Take(indices);
        return (batch, prefix == size ? batch : Take(indices.AsSpan(0, prefix)));
    }

    /// <summary>The next <paramref name="size"/> examples.</summary>
    public Batch Next(int size) => Next(size, size).Batch;

    private int[] Draw(int size)
    {
        var indices = new int[size];
        for (int i = 0; i < size; i++)
        {
            if (next == order.Length)
            {
                random.Shuffle(order);
                next = 0;
            }

            indices[i] = order[next++];
        }

        return indices;
    }

    private Batch Take(ReadOnlySpan<int> indices)
    {
        var inputs = new double[indices.Length, data.InputSize];
        var rows = new double[indices.Length, data.DataSize];
        for (int i = 0; i < indices.Length; i++)
        {
            ReadOnlySpan<double> input = data.Input(indices[i]);
            for (int j = 0; j < input.Length; j++)
            {
                inputs[i, j] = input[j];
            }

            ReadOnlySpan<double> values = data.Data(indices[i]);
            for (int j = 0; j < values.Length; j++)
            {
                rows[i, j] = values[j];
            }
        }

        return Batch.WithData(inputs, rows);
    }
}
