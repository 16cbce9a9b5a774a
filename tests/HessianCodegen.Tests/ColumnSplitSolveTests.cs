using System;
using HessianCodegen.LinearAlgebra;
using Xunit;

namespace HessianCodegen.Tests;

/// <summary>
/// <see cref="ColumnSplitSolve"/> on a positive definite (Cholesky) and an indefinite (Bunch-Kaufman) pivot block: the solution
/// times the block, by the triple loop, gives back every column of the right-hand side, past the threshold (the columns split
/// between two cores, odd widths included) and below it.
/// </summary>
public sealed class ColumnSplitSolveTests
{
    [Theory]
    [InlineData(72, 512, true)]
    [InlineData(72, 513, false)]
    [InlineData(65, 263, true)]
    [InlineData(7, 9, false)]
    [InlineData(1, 1, true)]
    public void Solves_every_column(int order, int width, bool positiveDefinite)
    {
        var random = new Random((order * 1000) + width);
        var matrix = new double[order * order];
        for (int i = 0; i < order; i++)
        {
            for (int j = 0; j <= i; j++)
            {
                double value = (2 * random.NextDouble()) - 1;
                matrix[(i * order) + j] = matrix[(j * order) + i] = value;
            }

            // Diagonally dominant: positive definite, or with alternating signs indefinite; well conditioned either way.
            matrix[(i * order) + i] = (positiveDefinite || i % 2 == 0 ? 1 : -1) * (order + 1);
        }

        long flops = 0;
        double[] block = (double[])matrix.Clone();
        PivotBlockFactor factor = PivotBlockFactor.Create(block, order, new double[PivotBlockFactor.WorkLength(order)], 1e-300, ref flops)
            ?? throw new InvalidOperationException("The test block was singular; expected a regular one.");
        Assert.Equal(positiveDefinite || order == 1, factor.IsPositiveDefinite);

        var rhs = new double[order * width];
        for (int k = 0; k < rhs.Length; k++)
        {
            rhs[k] = (2 * random.NextDouble()) - 1;
        }

        double[] solution = (double[])rhs.Clone();
        ColumnSplitSolve.Solve(factor.Solve, order, solution, width, 2.0 * order * order * width);
        for (int i = 0; i < order; i++)
        {
            for (int column = 0; column < width; column++)
            {
                double product = 0;
                for (int k = 0; k < order; k++)
                {
                    product += matrix[(i * order) + k] * solution[(k * width) + column];
                }

                Assert.True(Math.Abs(product - rhs[(i * width) + column]) <= 1e-13,
                    $"(A Z)[{i}, {column}] = {product}, expected {rhs[(i * width) + column]}");
            }
        }
    }
}
