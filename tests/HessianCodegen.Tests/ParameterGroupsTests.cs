using System;
using System.Collections.Generic;
using System.Linq;
using Xunit;

namespace HessianCodegen.Tests;

/// <summary>
/// <see cref="ParameterGroups.Find"/> against a plain reference written here: the connected components of the parameters, two
/// joined by a non-zero of <c>Xxx</c>'s lower triangle or by sharing a non-zero row of <c>Dx</c>, numbered by their first
/// parameter, each group's parameters and rows ascending, a row of zeros in no group. NaN counts as non-zero, <c>-0.0</c> as zero.
/// </summary>
public sealed class ParameterGroupsTests
{
    public static TheoryData<int> Seeds() => [.. Enumerable.Range(1, 40)];

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Groups_are_the_connected_components_of_the_zero_pattern(int seed)
    {
        var random = new Random(seed);
        int p = random.Next(1, 40);
        int m = random.Next(0, 12);
        double density = random.NextDouble() * 0.2;
        double[] xxx = seed % 5 == 0 ? [] : RandomPattern(random, p * p, density);
        double[] dx = RandomPattern(random, m * p, density);

        ParameterGroups found = ParameterGroups.Find(xxx, dx, p, m);
        (int[][] parameters, int[][] rows) = Reference(xxx, dx, p, m);

        Assert.Equal(parameters, found.Parameters);
        Assert.Equal(rows, found.Rows);
    }

    [Fact]
    public void A_dense_layer_has_a_group_per_output_unit_with_its_rows_over_the_batch()
    {
        // 3 output units of 5 inputs and a bias, batch 2: unit i's weights i*5..i*5+4 and bias 15+i; its rows i and 3+i.
        const int inputs = 5, outputs = 3, batch = 2;
        int p = outputs * (inputs + 1);
        int m = batch * outputs;
        var dx = new double[m * p];
        for (int n = 0; n < batch; n++)
        {
            for (int i = 0; i < outputs; i++)
            {
                int row = (n * outputs) + i;
                for (int k = 0; k < inputs; k++)
                {
                    dx[(row * p) + (i * inputs) + k] = 1.0 + k;
                }

                dx[(row * p) + (outputs * inputs) + i] = 1.0;
            }
        }

        ParameterGroups found = ParameterGroups.Find([], dx, p, m);

        Assert.Equal([[0, 1, 2, 3, 4, 15], [5, 6, 7, 8, 9, 16], [10, 11, 12, 13, 14, 17]], found.Parameters);
        Assert.Equal([[0, 3], [1, 4], [2, 5]], found.Rows);
    }

    /// <summary>Mostly zeros (some of them <c>-0.0</c>), the rest random values with a few NaNs.</summary>
    private static double[] RandomPattern(Random random, int length, double density)
    {
        var values = new double[length];
        for (int k = 0; k < length; k++)
        {
            double u = random.NextDouble();
            values[k] = u < density ? (random.Next(20) == 0 ? double.NaN : random.NextDouble() - 0.5)
                : u < density + 0.1 ? -0.0
                : 0.0;
        }

        return values;
    }

    /// <summary>Components by a breadth-first search over the parameters' adjacency.</summary>
    private static (int[][] Parameters, int[][] Rows) Reference(double[] xxx, double[] dx, int p, int m)
    {
        static bool NonZero(double value) => value != 0.0 || double.IsNaN(value);

        var neighbours = Enumerable.Range(0, p).Select(_ => new List<int>()).ToArray();
        for (int i = 0; i < p && xxx.Length > 0; i++)
        {
            for (int j = 0; j < i; j++)
            {
                if (NonZero(xxx[(i * p) + j]))
                {
                    neighbours[i].Add(j);
                    neighbours[j].Add(i);
                }
            }
        }

        var rowParameters = new List<int>[m];
        for (int r = 0; r < m; r++)
        {
            rowParameters[r] = Enumerable.Range(0, p).Where(j => NonZero(dx[(r * p) + j])).ToList();
            for (int k = 1; k < rowParameters[r].Count; k++)
            {
                neighbours[rowParameters[r][0]].Add(rowParameters[r][k]);
                neighbours[rowParameters[r][k]].Add(rowParameters[r][0]);
            }
        }

        var group = Enumerable.Repeat(-1, p).ToArray();
        var parameters = new List<int[]>();
        for (int start = 0; start < p; start++)
        {
            if (group[start] >= 0)
            {
                continue;
            }

            var members = new List<int>();
            var queue = new Queue<int>([start]);
            group[start] = parameters.Count;
            while (queue.Count > 0)
            {
                int i = queue.Dequeue();
                members.Add(i);
                foreach (int j in neighbours[i].Where(j => group[j] < 0))
                {
                    group[j] = parameters.Count;
                    queue.Enqueue(j);
                }
            }

            parameters.Add([.. members.Order()]);
        }

        int[][] rows = Enumerable.Range(0, parameters.Count)
            .Select(g => Enumerable.Range(0, m).Where(r => rowParameters[r].Count > 0 && group[rowParameters[r][0]] == g).ToArray())
            .ToArray();
        return ([.. parameters], rows);
    }
}
