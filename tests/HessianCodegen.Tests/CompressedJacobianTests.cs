using System;
using Xunit;

namespace HessianCodegen.Tests;

/// <summary>
/// The compressed <c>Dx</c> the solve reads: its products equal the dense ones term by term (the non-zeros in the
/// same order, so to the last bit), and a matrix with more than a quarter non-zero is left dense.
/// </summary>
public sealed class CompressedJacobianTests
{
    [Theory]
    [InlineData(1, 9, 2)]
    [InlineData(12, 36, 3)]
    [InlineData(64, 72, 9)]
    public void ProductsEqualTheDenseOnesToTheLastBit(int rows, int columns, int nonZerosPerRow)
    {
        var random = new Random(rows + columns);
        var dense = new double[rows * columns];
        for (int r = 0; r < rows; r++)
        {
            // A dense layer's pattern (a block of parameters per output) on most rows, an empty row among them.
            int start = r % 5 == 3 ? -1 : random.Next(0, columns - nonZerosPerRow + 1);
            for (int k = 0; k < nonZerosPerRow && start >= 0; k++)
            {
                dense[(r * columns) + start + k] = random.NextDouble() - 0.5;
            }
        }

        var storage = new FactorStorage(0);
        CompressedJacobian compressed = CompressedJacobian.Compress(dense, rows, columns, storage);
        Assert.True(compressed.IsCompressed);

        var v = new double[rows];
        var x = new double[columns];
        for (int r = 0; r < rows; r++)
        {
            v[r] = r % 4 == 1 ? 0 : random.NextDouble() - 0.5;
        }

        for (int j = 0; j < columns; j++)
        {
            x[j] = random.NextDouble() - 0.5;
        }

        var expected = new double[columns];
        var actual = new double[columns];
        for (int j = 0; j < columns; j++)
        {
            expected[j] = actual[j] = random.NextDouble();
        }

        for (int r = 0; r < rows; r++)
        {
            double product = 0;
            for (int j = 0; j < columns; j++)
            {
                double value = dense[(r * columns) + j];
                if (value != 0)
                {
                    product += value * x[j];
                    expected[j] -= v[r] * value;
                }
            }

            Assert.Equal(product, compressed.RowProduct(r, x));
        }

        compressed.SubtractTransposeProduct(v, actual);
        Assert.Equal(expected, actual);
    }

    [Theory]
    [InlineData(5, 3, 1)]
    [InlineData(7, 4, 3)]
    [InlineData(9, 8, 5)]
    [InlineData(3, 2, 4)]
    public void CompressionThroughTheGroupsEqualsTheDenseOne(int outputs, int inputs, int batch)
    {
        // A dense layer's Dx: row (n, i) is non-zero at unit i's weights (i * inputs ..) and its bias (outputs * inputs + i),
        // with an exact zero among them on some rows and one row of zeros (which lies in no group).
        var random = new Random((outputs * 100) + (inputs * 10) + batch);
        int p = (outputs * inputs) + outputs;
        int m = batch * outputs;
        var dx = new double[m * p];
        for (int n = 0; n < batch; n++)
        {
            for (int i = 0; i < outputs; i++)
            {
                int row = (n * outputs) + i;
                if (row == m - 2)
                {
                    continue;
                }

                for (int k = 0; k < inputs; k++)
                {
                    dx[(row * p) + (i * inputs) + k] = row % 3 == 1 && k == 1 ? 0 : random.NextDouble() - 0.5;
                }

                dx[(row * p) + (outputs * inputs) + i] = random.NextDouble() - 0.5;
            }
        }

        ParameterGroups groups = ParameterGroups.Find([], dx, p, m);
        CompressedJacobian expected = CompressedJacobian.Compress(dx, m, p, new FactorStorage(0));
        CompressedJacobian actual = CompressedJacobian.Compress(dx, m, p, groups, new FactorStorage(0));
        Assert.Equal(expected.IsCompressed, actual.IsCompressed);
        Assert.Equal(outputs >= 4, actual.IsCompressed); // a quarter of the parameters or fewer per row
        if (!actual.IsCompressed)
        {
            return;
        }

        AssertSameNonZeros(expected, actual, p, m, random);
    }

    /// <summary>
    /// What the derivatives keep for every factorization (<see cref="HessianDerivatives.KeptJacobian"/>, in arrays of its own) is each
    /// layer's <c>Dx</c> compressed by the plain scan into a storage: the same non-zeros (bytes, products to the last bit), the
    /// loss layer's left dense; a second factorization's solve reads them too and gives the first one's bits.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void DerivativesKeepEachLayersDxAsTheScanCompressesIt(int batch)
    {
        Network network = new(new Layers.TanhLayer(6, 8), new Layers.TanhLayer(8, 8), new Layers.TanhLayer(8, 8), new Layers.SoftmaxCrossEntropyLayer(8, 3));
        Batch data = Infrastructure.RandomValues.LabeledBatch(new Random(batch), count: batch, network.Layers[0].InputSize, 3);
        NetworkPoint point = network.At(network.RandomParameters(seed: batch), data);
        HessianDerivatives derivatives = point.Derivatives(Curvature.Hessian);
        var random = new Random(7);
        for (int l = 0; l < network.Depth; l++)
        {
            LayerDerivatives d = derivatives.Layer(l);
            int p = d.ParameterCount;
            int m = derivatives.StateRows(l);
            Assert.Equal(l + 1 < network.Depth ? batch * d.OutputSize : 0, m);
            CompressedJacobian expected = CompressedJacobian.Compress(d.Dx, m, p, new FactorStorage(0));
            CompressedJacobian kept = derivatives.KeptJacobian(l) ?? throw new InvalidOperationException($"layer {l}: Dx not kept");
            Assert.Equal(l + 1 < network.Depth, kept.IsCompressed);
            Assert.Equal(expected.IsCompressed, kept.IsCompressed);
            if (!kept.IsCompressed)
            {
                continue;
            }

            AssertSameNonZeros(expected, kept, p, m, random);
        }

        double[] gradient = point.Gradient();
        var first = new double[gradient.Length];
        var second = new double[gradient.Length];
        using (HessianFactorization factorization = derivatives.Factorize(1e-3))
        {
            factorization.Solve(gradient, first);
        }

        using (HessianFactorization factorization = derivatives.Factorize(1e-3))
        {
            factorization.Solve(gradient, second);
        }

        Assert.Equal(first, second);
    }

    /// <summary>
    /// A layer's <c>Dx</c> of more than <see cref="HessianDerivatives.KeptJacobianValues"/> values is not kept by the derivatives
    /// (null), and each factorization compresses it into its own storage: the solve reads it compressed all the same, the same
    /// non-zeros as the plain scan's.
    /// </summary>
    [Fact]
    public void ALargeLayersDxIsCompressedByEachFactorizationInstead()
    {
        const int batch = 8;
        Network network = new(new Layers.TanhLayer(16, 16), new Layers.TanhLayer(16, 8), new Layers.SoftmaxCrossEntropyLayer(8, 3));
        Batch data = Infrastructure.RandomValues.LabeledBatch(new Random(3), count: batch, network.Layers[0].InputSize, 3);
        HessianDerivatives derivatives = network.At(network.RandomParameters(seed: 3), data).Derivatives(Curvature.Hessian);
        Assert.True((long)derivatives.StateRows(0) * derivatives.Layer(0).ParameterCount > HessianDerivatives.KeptJacobianValues);
        Assert.Null(derivatives.KeptJacobian(0));
        Assert.NotNull(derivatives.KeptJacobian(1));
        using HessianFactorization factorization = derivatives.Factorize(1e-3);
        RiccatiFactorization recursion = factorization.RiccatiFactors ?? throw new InvalidOperationException("the recursion fell back to the banded LU");
        LayerDerivatives d = derivatives.Layer(0);
        CompressedJacobian expected = CompressedJacobian.Compress(d.Dx, derivatives.StateRows(0), d.ParameterCount, new FactorStorage(0));
        Assert.True(recursion.Jacobian(0).IsCompressed);
        Assert.Equal(expected.StoredBytes, recursion.Jacobian(0).StoredBytes);
    }

    [Fact]
    public void MatrixMoreThanAQuarterNonZeroIsLeftDense()
    {
        var dense = new double[4 * 8];
        for (int k = 0; k < 9; k++)
        {
            dense[k * 3] = 1;
        }

        Assert.False(CompressedJacobian.Compress(dense, 4, 8, new FactorStorage(0)).IsCompressed);
        dense[24] = 0;
        Assert.True(CompressedJacobian.Compress(dense, 4, 8, new FactorStorage(0)).IsCompressed);
    }

    [Fact]
    public void ZerosPastTheLastWholeVectorCount()
    {
        // 3 non-zeros of 13 values is at most a quarter; the count reads the last values one by one, and a zero among
        // them counted as non-zero would make it 4, more than a quarter.
        var dense = new double[13];
        dense[0] = dense[5] = dense[10] = 1;
        Assert.True(CompressedJacobian.Compress(dense, 1, 13, new FactorStorage(0)).IsCompressed);
    }

    /// <summary>Two compressions of one <c>m x p</c> matrix store the same bytes and give the same row products and transpose
    /// products, to the last bit, at random vectors.</summary>
    private static void AssertSameNonZeros(CompressedJacobian expected, CompressedJacobian actual, int p, int m, Random random)
    {
        Assert.Equal(expected.StoredBytes, actual.StoredBytes);
        double[] x = new double[p];
        double[] v = new double[m];
        for (int j = 0; j < p; j++)
        {
            x[j] = random.NextDouble() - 0.5;
        }

        for (int r = 0; r < m; r++)
        {
            v[r] = random.NextDouble() - 0.5;
            Assert.Equal(expected.RowProduct(r, x), actual.RowProduct(r, x));
        }

        var fromExpected = new double[p];
        var fromActual = new double[p];
        expected.SubtractTransposeProduct(v, fromExpected);
        actual.SubtractTransposeProduct(v, fromActual);
        Assert.Equal(fromExpected, fromActual);
    }
}
