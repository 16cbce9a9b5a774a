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
}
