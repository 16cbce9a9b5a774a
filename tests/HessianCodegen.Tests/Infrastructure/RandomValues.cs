using System;

namespace HessianCodegen.Tests.Infrastructure;

/// <summary>Random test operands, reproducible from the caller's seeded <see cref="Random"/>.</summary>
public static class RandomValues
{
    /// <summary><paramref name="length"/> values drawn uniformly from [-1, 1).</summary>
    public static double[] Uniform(Random random, int length)
    {
        var values = new double[length];
        for (int i = 0; i < length; i++)
        {
            values[i] = (2 * random.NextDouble()) - 1;
        }

        return values;
    }

    /// <summary>
    /// A symmetric state <c>P</c> of order <paramref name="m"/> (row-major), as the low-rank route's tests take it: entries off the
    /// diagonal uniform in [-0.05, 0.05), the diagonal uniform in [1, 2), but -40 at <paramref name="negativeDiagonal"/> where that is
    /// an index (an indefinite core); drawn row by row, the row's entries left of the diagonal, then its diagonal.
    /// </summary>
    public static double[] SymmetricState(Random random, int m, int negativeDiagonal = -1)
    {
        var value = new double[m * m];
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < i; j++)
            {
                value[(i * m) + j] = value[(j * m) + i] = 0.1 * (random.NextDouble() - 0.5);
            }

            value[(i * m) + i] = i != negativeDiagonal ? 1 + random.NextDouble() : -40;
        }

        return value;
    }

    /// <summary>
    /// <paramref name="count"/> examples of <paramref name="inputs"/> values uniform in [-1, 1) with a label among
    /// <paramref name="classes"/>, drawn example by example (the inputs, then the label).
    /// </summary>
    public static Batch LabeledBatch(Random random, int count, int inputs, int classes)
    {
        var rows = new double[count, inputs];
        var labels = new int[count];
        for (int n = 0; n < count; n++)
        {
            for (int j = 0; j < inputs; j++)
            {
                rows[n, j] = (2 * random.NextDouble()) - 1;
            }

            labels[n] = random.Next(classes);
        }

        return Batch.WithLabels(rows, labels);
    }

    /// <summary>
    /// A matrix of order <paramref name="n"/> whose lower triangle is symmetric positive definite (entries below the diagonal
    /// uniform in [-0.5, 0.5), the diagonal <paramref name="diagonalBase"/> plus one uniform in [0, 1), dominant when
    /// <paramref name="diagonalBase"/> is at least <c>n / 2</c>), and whose strict upper triangle holds other values (above 1000),
    /// so that a kernel that reads it would show.
    /// </summary>
    public static double[] PositiveDefiniteLowerTriangle(int n, int seed, double diagonalBase)
    {
        var random = new Random(seed);
        var a = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < i; j++)
            {
                a[(i * n) + j] = random.NextDouble() - 0.5;
                a[(j * n) + i] = 1000 + random.NextDouble();
            }

            a[(i * n) + i] = diagonalBase + random.NextDouble();
        }

        return a;
    }

    /// <summary>
    /// A symmetric matrix of order <paramref name="n"/>, both triangles: entries off the diagonal uniform in [-0.5, 0.5), the
    /// diagonal <paramref name="diagonal"/> times one uniform in [-0.5, 0.5) (the smaller <paramref name="diagonal"/>, the more 2x2
    /// pivots and interchanges Bunch-Kaufman takes).
    /// </summary>
    public static double[] Symmetric(int n, double diagonal, int seed)
    {
        var random = new Random(seed);
        var a = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < i; j++)
            {
                a[(i * n) + j] = a[(j * n) + i] = random.NextDouble() - 0.5;
            }

            a[(i * n) + i] = diagonal * (random.NextDouble() - 0.5);
        }

        return a;
    }
}
