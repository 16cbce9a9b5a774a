using System;
using System.Linq;
using Xunit;

namespace HessianCodegen.Tests;

/// <summary>
/// The low-rank route's stand-in for the whole block's largest entry, <c>max |A_jj|</c> of
/// <c>A = Xxx + eps I + Dx^T P Dx</c> (given <c>X = Xxx + eps I</c>'s diagonal group after group), against <c>A</c>'s diagonal formed densely, on a <c>Dx</c> built group by group
/// (shuffled parameters, rows in no order or one per group as at batch 1, a zero row) with a symmetric <c>P</c> and a block-diagonal <c>Xxx</c>;
/// groups of 17 to 21 parameters take the vectors of parameters and their scalar tail at 256 and 512 bits.
/// </summary>
public sealed class LargestDiagonalTests
{
    [Theory]
    [InlineData(7, 3, 2, false, false)]
    [InlineData(13, 4, 3, true, false)]
    [InlineData(23, 5, 1, true, false)]
    [InlineData(11, 4, 1, true, true)]
    [InlineData(9, 3, 1, false, true)]
    [InlineData(41, 2, 8, true, false)]
    [InlineData(35, 2, 4, false, false)]
    public void EqualsTheLargestDiagonalEntryOfTheFormedBlock(int p, int groupCount, int batch, bool withXxx, bool oneRowPerGroup)
    {
        // oneRowPerGroup: row r in group r at batch 1, as a dense layer's groups are at one example (the route's one-row path).
        Assert.True(!oneRowPerGroup || batch == 1);
        var random = new Random(p + groupCount + batch);
        int[] groupOfParameter = Enumerable.Range(0, p).Select(j => j % groupCount).OrderBy(_ => random.Next()).ToArray();
        int m = (batch * groupCount) + 1;
        var dx = new double[m * p];
        for (int r = 0; r < m - 1; r++)
        {
            int group = oneRowPerGroup ? r : random.Next(groupCount);
            for (int j = 0; j < p; j++)
            {
                dx[(r * p) + j] = groupOfParameter[j] == group ? random.NextDouble() - 0.5 : 0;
            }
        }

        var value = new double[m * m];
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j <= i; j++)
            {
                value[(i * m) + j] = value[(j * m) + i] = random.NextDouble() - 0.5;
            }
        }

        double[] xxx = withXxx ? new double[p * p] : [];
        for (int i = 0; i < p && withXxx; i++)
        {
            for (int j = 0; j <= i; j++)
            {
                if (groupOfParameter[i] == groupOfParameter[j])
                {
                    xxx[(i * p) + j] = xxx[(j * p) + i] = random.NextDouble() - 0.5;
                }
            }
        }

        const double epsilon = 0.25;
        double expected = 0;
        for (int j = 0; j < p; j++)
        {
            double entry = (withXxx ? xxx[(j * p) + j] : 0) + epsilon;
            for (int a = 0; a < m; a++)
            {
                for (int b = 0; b < m; b++)
                {
                    entry += dx[(a * p) + j] * value[(a * m) + b] * dx[(b * p) + j];
                }
            }

            expected = Math.Max(expected, Math.Abs(entry));
        }

        ParameterGroups groups = ParameterGroups.Find(xxx, dx, p, m);
        // X's diagonal as the route holds it: X_jj of each group's parameters, group after group.
        double[] diagonal = groups.Parameters.SelectMany(parameters => parameters.Select(j => (withXxx ? xxx[(j * p) + j] : 0) + epsilon)).ToArray();
        double actual = LowRankPivotBlockFactor.LargestDiagonal(groups, diagonal, dx, value, p, m);
        Assert.True(Math.Abs(actual - expected) <= 1e-14 * (1 + m) * expected, $"largest diagonal {actual:R}, formed {expected:R}");
    }
}
