using System;
using Xunit;

namespace HessianCodegen.Tests;

/// <summary>
/// The low-rank route's estimated flops the groups keep (<see cref="ParameterGroups.LowRankFlops"/>): the kept value is the
/// one computed (<see cref="LowRankPivotBlockFactor.EstimatedFlops"/>), for the state's rows it was asked for only.
/// </summary>
public sealed class RouteFlopsCacheTests
{
    [Fact]
    public void The_kept_flops_are_the_computed_ones_for_each_state_asked()
    {
        // A dense layer's pattern: 6 output units of 4 inputs and a bias; at batch 2, 12 rows of Dx, each unit's 2 in its group.
        const int inputs = 4, outputs = 6, batch = 2;
        int p = outputs * (inputs + 1);
        int m = batch * outputs;
        var random = new Random(7);
        var dx = new double[m * p];
        for (int n = 0; n < batch; n++)
        {
            for (int i = 0; i < outputs; i++)
            {
                int row = (n * outputs) + i;
                for (int k = 0; k < inputs; k++)
                {
                    dx[(row * p) + (i * inputs) + k] = random.NextDouble() - 0.5;
                }

                dx[(row * p) + (outputs * inputs) + i] = random.NextDouble() - 0.5;
            }
        }

        ParameterGroups groups = ParameterGroups.Find([], dx, p, m);

        // Asked again, for other states and back: each answer is the computation's for that state (the route's term 2 m k c
        // makes them differ), never the one kept for another.
        foreach (int states in new[] { m, m, 3, m, 40, 40, 3 })
        {
            Assert.Equal(LowRankPivotBlockFactor.EstimatedFlops(groups, states), groups.LowRankFlops(states));
        }

        Assert.NotEqual(LowRankPivotBlockFactor.EstimatedFlops(groups, m), LowRankPivotBlockFactor.EstimatedFlops(groups, 3));

        // The prediction reads the kept flops: the same answer as the computed flops give.
        foreach (int states in new[] { m, 3, 40 })
        {
            Assert.Equal(LowRankPivotBlockFactor.EstimatedFlops(groups, states) < (double)p * p * p / 3,
                LowRankPivotBlockFactor.CheaperThanWhole(groups, p, states));
        }
    }
}
