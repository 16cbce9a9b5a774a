using System;
using HessianCodegen.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace HessianCodegen.Tests;

/// <summary>
/// The dense Hessian that <see cref="StructuredSolveTests"/> solves against, on the same networks,
/// against central differences of the gradient, row by row: the reference those tests stand on,
/// checked without the runtime's own <c>H v</c>.
/// </summary>
public sealed class DenseHessianTests(ITestOutputHelper output)
{
    // Central differences of the gradient with a relative step of 1e-5 reach about 1e-9 here;
    // 1e-7 of the row's norm leaves a margin and still catches a wrong entry of any size that matters.
    private const double Tolerance = 1e-7;

    public static TheoryData<int, int, int, bool, double> Cases() => StructuredSolveTests.RandomCases();

    [Theory]
    [MemberData(nameof(Cases))]
    public void DenseHessianMatchesCentralDifferencesOfTheGradient(int seed, int depth, int batchSize, bool regression, double epsilon)
    {
        _ = epsilon;
        NetworkPoint point = RandomNetworks.Point(seed, depth, batchSize, regression);
        double[,] hessian = point.DenseHessian();
        double[,] differences = FiniteDifferences.HessianOfLoss(point);
        int n = point.Network.ParameterCount;
        double largestRow = 0;
        for (int i = 0; i < n; i++)
        {
            largestRow = Math.Max(largestRow, RowNorm(hessian, i));
        }

        double worst = 0;
        for (int i = 0; i < n; i++)
        {
            double difference = 0;
            for (int j = 0; j < n; j++)
            {
                difference += (hessian[i, j] - differences[i, j]) * (hessian[i, j] - differences[i, j]);
            }

            // Relative to the row, with a floor of 1e-3 of the largest row for rows that are (nearly) zero.
            double error = Math.Sqrt(difference) / Math.Max(RowNorm(hessian, i), 1e-3 * largestRow);
            worst = Math.Max(worst, error);
            Assert.True(error <= Tolerance, $"row {i} of H: relative error {error:E2} against central differences of the gradient");
        }

        output.WriteLine($"seed {seed}: n = {n}, worst row error {worst:E2}");
    }

    private static double RowNorm(double[,] matrix, int row)
    {
        double sum = 0;
        for (int j = 0; j < matrix.GetLength(1); j++)
        {
            sum += matrix[row, j] * matrix[row, j];
        }

        return Math.Sqrt(sum);
    }
}
