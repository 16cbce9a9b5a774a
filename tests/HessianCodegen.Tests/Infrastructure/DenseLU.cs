using System;

namespace HessianCodegen.Tests.Infrastructure;

/// <summary>
/// A plain dense LU with partial pivoting (textbook, unblocked): the independent solver the
/// structured factorization is checked against on materialized <c>H + eps I</c>.
/// </summary>
public sealed class DenseLU
{
    private readonly double[,] lu;
    private readonly int[] pivots;

    public DenseLU(double[,] matrix)
    {
        int n = matrix.GetLength(0);
        lu = (double[,])matrix.Clone();
        pivots = new int[n];
        for (int j = 0; j < n; j++)
        {
            int pivot = j;
            for (int i = j + 1; i < n; i++)
            {
                if (Math.Abs(lu[i, j]) > Math.Abs(lu[pivot, j]))
                {
                    pivot = i;
                }
            }

            pivots[j] = pivot;
            for (int c = 0; c < n; c++)
            {
                (lu[j, c], lu[pivot, c]) = (lu[pivot, c], lu[j, c]);
            }

            if (lu[j, j] == 0)
            {
                throw new InvalidOperationException($"Dense LU: singular at column {j}.");
            }

            for (int i = j + 1; i < n; i++)
            {
                double multiplier = lu[i, j] /= lu[j, j];
                for (int c = j + 1; c < n; c++)
                {
                    lu[i, c] -= multiplier * lu[j, c];
                }
            }
        }
    }

    public double[] Solve(ReadOnlySpan<double> rhs)
    {
        int n = pivots.Length;
        double[] x = rhs.ToArray();
        for (int j = 0; j < n; j++)
        {
            (x[j], x[pivots[j]]) = (x[pivots[j]], x[j]);
        }

        for (int i = 0; i < n; i++)
        {
            for (int c = 0; c < i; c++)
            {
                x[i] -= lu[i, c] * x[c];
            }
        }

        for (int i = n - 1; i >= 0; i--)
        {
            for (int c = i + 1; c < n; c++)
            {
                x[i] -= lu[i, c] * x[c];
            }

            x[i] /= lu[i, i];
        }

        return x;
    }
}
