using System;

namespace Training;

/// <summary>Examples with class labels: one input row per example.</summary>
internal sealed record LabeledSet(double[,] Inputs, int[] Labels)
{
    public int Count => Labels.Length;

    public int Features => Inputs.GetLength(1);

    /// <summary>The examples at <paramref name="indices"/>, in that order.</summary>
    public LabeledSet Take(ReadOnlySpan<int> indices)
    {
        var inputs = new double[indices.Length, Features];
        var labels = new int[indices.Length];
        for (int i = 0; i < indices.Length; i++)
        {
            for (int j = 0; j < Features; j++)
            {
                inputs[i, j] = Inputs[indices[i], j];
            }

            labels[i] = Labels[indices[i]];
        }

        return new LabeledSet(inputs, labels);
    }
}
