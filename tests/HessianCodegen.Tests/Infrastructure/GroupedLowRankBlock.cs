using System;
using System.Linq;

namespace HessianCodegen.Tests.Infrastructure;

/// <summary>
/// A wide pivot block for the low-rank route's tests, <c>A = Xxx + eps I + Dx^T P Dx</c>: <c>Xxx</c> block-diagonal by groups of
/// consecutive parameters (a rank-one block <c>0.3 v v^T</c> each), <c>Dx</c> with <c>rowsPerGroup</c> rows of random values per group,
/// as a dense layer's derivatives are laid out.
/// </summary>
public static class GroupedLowRankBlock
{
    /// <summary>
    /// <c>Dx</c> (<c>m x p</c>) and <c>Xxx</c> (<c>p x p</c>) for <paramref name="groups"/> groups of <paramref name="run"/> parameters
    /// (the first <c>groups run</c> of <paramref name="p"/>; any left over have no row and a zero <c>Xxx</c>) and
    /// <paramref name="rowsPerGroup"/> rows each (<c>m = groups rowsPerGroup</c>), drawn from <paramref name="random"/>.
    /// </summary>
    public static (double[] Dx, double[] Xxx) Derivatives(Random random, int p, int groups, int run, int rowsPerGroup)
    {
        int m = groups * rowsPerGroup;
        var dx = new double[m * p];
        var xxx = new double[p * p];
        for (int g = 0; g < groups; g++)
        {
            double[] v = Enumerable.Range(0, run).Select(_ => random.NextDouble() - 0.5).ToArray();
            for (int i = 0; i < run; i++)
            {
                for (int r = g * rowsPerGroup; r < (g + 1) * rowsPerGroup; r++)
                {
                    dx[(r * p) + (g * run) + i] = random.NextDouble() - 0.5;
                }

                for (int j = 0; j < run; j++)
                {
                    xxx[(((g * run) + i) * p) + (g * run) + j] = 0.3 * v[i] * v[j];
                }
            }
        }

        return (dx, xxx);
    }

    /// <summary><c>A = Xxx + epsilon I + Dx^T P Dx</c> (<c>p x p</c>, row-major), each entry summed term by term from <paramref name="value"/> (<c>P</c>, <c>m x m</c>).</summary>
    public static double[] Dense(double[] xxx, double epsilon, double[] dx, double[] value, int p, int m)
    {
        var block = new double[p * p];
        for (int i = 0; i < p; i++)
        {
            for (int j = 0; j < p; j++)
            {
                double sum = xxx[(i * p) + j] + (i == j ? epsilon : 0);
                for (int r = 0; r < m; r++)
                {
                    for (int s = 0; s < m; s++)
                    {
                        sum += dx[(r * p) + i] * value[(r * m) + s] * dx[(s * p) + j];
                    }
                }

                block[(i * p) + j] = sum;
            }
        }

        return block;
    }
}
