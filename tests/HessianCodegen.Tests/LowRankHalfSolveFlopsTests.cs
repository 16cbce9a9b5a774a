using System;
using Xunit;

namespace HessianCodegen.Tests;

/// <summary>
/// The low-rank factor's count of a lower half solve's flops (<see cref="LowRankPivotBlockFactor.LowerHalfFlops"/>, read from the
/// groups' offsets): per group of <c>q</c> parameters and <c>c</c> rows (<c>k = min(q, c)</c> reflectors), as its remarks state
/// it, summed here from the groups' parameters and rows, then the core's lower half.
/// </summary>
public sealed class LowRankHalfSolveFlopsTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(6)]
    public void The_count_is_the_groups_count_and_the_cores(int examples)
    {
        // A ReLU-like wide block (Xxx zero): 4 units of 20 inputs and a bias, q = 21, each unit's rows over the examples in its group.
        const int inputs = 20, units = 4;
        int p = units * (inputs + 1);
        int m = examples * units;
        var random = new Random(examples);
        var dx = new double[m * p];
        for (int n = 0; n < examples; n++)
        {
            for (int i = 0; i < units; i++)
            {
                int row = (n * units) + i;
                for (int k = 0; k < inputs; k++)
                {
                    dx[(row * p) + (i * inputs) + k] = random.NextDouble() - 0.5;
                }

                dx[(row * p) + (units * inputs) + i] = random.NextDouble() - 0.5;
            }
        }

        var value = new double[m * m];
        for (int i = 0; i < m; i++)
        {
            value[(i * m) + i] = 1;
        }

        long flops = 0;
        LowRankPivotBlockFactor? factor = LowRankPivotBlockFactor.Create([], 1.0, dx, value, p, m, new double[m * m], 1.0, ref flops);
        Assert.NotNull(factor);
        ParameterGroups groups = ParameterGroups.Find([], dx, p, m);
        int coreOrder = 0;
        foreach (int[] rows in groups.Rows)
        {
            coreOrder += Math.Min(inputs + 1, rows.Length);
        }

        // Widths on both sides of the explicit solve's (2 q columns, from 4 reflectors on).
        foreach (int width in new[] { 1, 8, 41, 42, 64 })
        {
            long expected = 0;
            for (int g = 0; g < groups.Parameters.Length; g++)
            {
                long q = groups.Parameters[g].Length;
                long k = Math.Min(q, groups.Rows[g].Length);
                long reflectors = (q * q) + (4 * q * k) - (2 * k * k); // per column: L_g^-1, then Q_g^T
                bool explicitly = q >= LowRankPivotBlockFactor.ExplicitGroupParameters && k >= LowRankPivotBlockFactor.ExplicitGroupReflectors
                    && width >= 2 * q;
                long product = k == 0 ? q * (q + 1) : 2 * q * q;
                expected += explicitly ? (reflectors * q) + (product * width) : reflectors * width;
            }

            // The core: a Cholesky factor's lower half, order^2 per column.
            expected += (long)coreOrder * coreOrder * width;
            Assert.Equal(expected, factor.LowerHalfFlops(width));
        }
    }
}
