using System;
using HessianCodegen.LinearAlgebra;
using HessianCodegen.Tests.Infrastructure;
using Xunit;

namespace HessianCodegen.Tests;

/// <summary>
/// <see cref="SmallCholeskyKernel.FactorPair"/> against <see cref="SmallCholeskyKernel.Factor(Span{double}, int, double, ref long)"/> of each matrix alone (itself
/// held to the textbook loop by <see cref="SmallCholeskyKernelTests"/>), at odd orders: the same factors, the strict upper
/// triangles untouched, the flops of both; and the first row where either fails, where both stop.
/// </summary>
public sealed class SmallCholeskyPairTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(5)]
    [InlineData(9)]
    [InlineData(17)]
    public void FactorsBothAsEachAlone(int n)
    {
        double[] first = RandomValues.PositiveDefiniteLowerTriangle(n, diagonalBase: (n / 2.0) + 1, seed: n);
        double[] second = RandomValues.PositiveDefiniteLowerTriangle(n, diagonalBase: (n / 2.0) + 2, seed: n + 100);
        double[] expectedFirst = (double[])first.Clone();
        double[] expectedSecond = (double[])second.Clone();
        long expectedFlops = 0;
        Assert.Equal(-1, SmallCholeskyKernel.Factor(expectedFirst, n, 0, ref expectedFlops));
        Assert.Equal(-1, SmallCholeskyKernel.Factor(expectedSecond, n, 0, ref expectedFlops));

        long flops = 0;
        Assert.Equal(-1, SmallCholeskyKernel.FactorPair(first, second, n, 0, ref flops));
        Assert.Equal(expectedFlops, flops);
        for (int index = 0; index < n * n; index++)
        {
            Assert.True(Math.Abs(first[index] - expectedFirst[index]) <= 1e-14 * Math.Sqrt(n), $"order {n}: first matrix at ({index / n}, {index % n})");
            Assert.True(Math.Abs(second[index] - expectedSecond[index]) <= 1e-14 * Math.Sqrt(n), $"order {n}: second matrix at ({index / n}, {index % n})");
        }
    }

    [Theory]
    [InlineData(0, -1, 0)]
    [InlineData(-1, 0, 0)]
    [InlineData(6, -1, 6)]
    [InlineData(-1, 6, 6)]
    [InlineData(10, 3, 3)]
    [InlineData(3, 10, 3)]
    [InlineData(16, 16, 16)]
    public void StopsAtTheFirstFailedRowOfEither(int firstFailing, int secondFailing, int expected)
    {
        const int n = 17;
        double[] first = RandomValues.PositiveDefiniteLowerTriangle(n, diagonalBase: (n / 2.0) + 1, seed: 7);
        double[] second = RandomValues.PositiveDefiniteLowerTriangle(n, diagonalBase: (n / 2.0) + 1, seed: 8);
        if (firstFailing >= 0)
        {
            first[(firstFailing * n) + firstFailing] -= 4.0 * n;
        }

        if (secondFailing >= 0)
        {
            second[(secondFailing * n) + secondFailing] -= 4.0 * n;
        }

        long flops = 0;
        Assert.Equal(expected, SmallCholeskyKernel.FactorPair(first, second, n, 1e-12, ref flops));
    }
}
