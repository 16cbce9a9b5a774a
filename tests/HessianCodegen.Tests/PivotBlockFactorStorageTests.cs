using System;
using System.Linq;
using HessianCodegen.Layers;
using HessianCodegen.LinearAlgebra;
using HessianCodegen.Tests.Infrastructure;
using Xunit;

namespace HessianCodegen.Tests;

/// <summary>
/// A Bunch-Kaufman factor as the sweeps keep it (<see cref="PivotBlockFactor.KeptIn"/>): its square and pivots copied into
/// the factorization's <see cref="FactorStorage"/>, so that the recursion reuses the square it was factored in for the next
/// layer. Kept in a storage poisoned beforehand (NaN values, -1 indices), it still solves as the dense block (MathNet's LU)
/// once that square is overwritten with NaN; factored unblocked, right-looking past <see cref="PivotBlockFactor.UnblockedBunchKaufmanLimit"/>
/// and blocked past <see cref="PivotBlockFactor.RightLookingLimit"/>.
/// </summary>
public sealed class PivotBlockFactorStorageTests
{
    [Theory]
    [InlineData(7, 2)]
    [InlineData(45, 3)]
    [InlineData(100, 1)]
    [InlineData(PivotBlockFactor.UnblockedBunchKaufmanLimit + 32, 2)]
    [InlineData(PivotBlockFactor.UnblockedBunchKaufmanLimit + 23, 17)]
    [InlineData(PivotBlockFactor.RightLookingLimit + 8, 2)]
    public void KeptFactorSolvesAfterItsSquareIsOverwritten(int order, int width)
    {
        var random = new Random(order);
        (double[,] a, double[] block) = Indefinite(order, random, positiveDiagonal: false);

        long flops = 0;
        PivotBlockFactor factor = PivotBlockFactor.Create(block, order, new double[PivotBlockFactor.WorkLength(order)], 1e-300, ref flops)
            ?? throw new InvalidOperationException("the block was judged singular");
        Assert.False(factor.IsPositiveDefinite);

        FactorStorage storage = PoisonedStorage();
        PivotBlockFactor kept = factor.KeptIn(storage);
        Assert.Equal(factor.Inertia, kept.Inertia);
        Assert.Equal(factor.LogDeterminant, kept.LogDeterminant);

        // The recursion's next layer is formed in the square.
        block.AsSpan().Fill(double.NaN);

        double[] rhs = Enumerable.Range(0, order * width).Select(_ => random.NextDouble() - 0.5).ToArray();
        double[] solved = (double[])rhs.Clone();
        kept.Solve(solved, width);
        for (int c = 0; c < width; c++)
        {
            double[] expected = DenseReference.Solve(a, Enumerable.Range(0, order).Select(i => rhs[(i * width) + c]).ToArray());
            double scale = expected.Max(Math.Abs);
            for (int i = 0; i < order; i++)
            {
                Assert.True(Math.Abs(solved[(i * width) + c] - expected[i]) <= 1e-12 * scale,
                    $"order {order}, column {c}: kept x({i}) = {solved[(i * width) + c]:R}, MathNet's LU {expected[i]:R}");
            }
        }
    }

    /// <summary>
    /// <see cref="PivotBlockFactor.Create"/> given the storage writes the Bunch-Kaufman factor there (the right-looking kernel
    /// directly, the unblocked and blocked ones by a copy after their success): the same pivots, the same lower triangle bit for
    /// bit, the same inertia and log-determinant as the factor made in the block; the storage's cursor moves by the square and its
    /// pivots, and <see cref="PivotBlockFactor.KeptIn"/> of that storage takes nothing more. With the block overwritten by NaN
    /// afterwards it solves as the factor made in the block does, bit for bit. A positive diagonal makes Cholesky try first and
    /// fail (blocked past <see cref="PivotBlockFactor.RightLookingLimit"/>, where the failed attempt is mirrored back).
    /// </summary>
    [Theory]
    [InlineData(45, false)]
    [InlineData(45, true)]
    [InlineData(PivotBlockFactor.UnblockedBunchKaufmanLimit + 32, false)]
    [InlineData(PivotBlockFactor.UnblockedBunchKaufmanLimit + 23, true)]
    [InlineData(272, false)]
    [InlineData(272, true)]
    [InlineData(PivotBlockFactor.RightLookingLimit + 8, false)]
    [InlineData(PivotBlockFactor.RightLookingLimit + 8, true)]
    public void FactoredInStorageIsTheFactorMadeInTheBlock(int order, bool positiveDiagonal)
    {
        var random = new Random(order);
        (_, double[] block) = Indefinite(order, random, positiveDiagonal);
        double[] inStorageBlock = (double[])block.Clone();
        long flops = 0;
        PivotBlockFactor inBlock = PivotBlockFactor.Create(block, order, new double[PivotBlockFactor.WorkLength(order)], 1e-300, ref flops)
            ?? throw new InvalidOperationException("the block was judged singular");

        FactorStorage storage = PoisonedStorage();
        storage.Take(3);
        PivotBlockFactor inStorage = PivotBlockFactor.Create(inStorageBlock, order, new double[PivotBlockFactor.WorkLength(order)], 1e-300, ref flops,
            storage: storage) ?? throw new InvalidOperationException("the block was judged singular");

        // The cursor is where taking the square and its pivots leaves it.
        FactorStorage.Position after = storage.Mark();
        FactorStorage reference = PoisonedStorage();
        reference.Take(3);
        reference.Take(order * order);
        reference.TakeIndices(order);
        Assert.Equal(reference.Mark(), after);
        Assert.True(inStorage.FactoredInStorage);
        Assert.False(inBlock.FactoredInStorage);
        Assert.Same(inStorage, inStorage.KeptIn(storage));
        Assert.Equal(after, storage.Mark());

        Assert.False(inStorage.IsPositiveDefinite);
        Assert.Equal(inBlock.Inertia, inStorage.Inertia);
        Assert.Equal(inBlock.LogDeterminant, inStorage.LogDeterminant);
        for (int i = 0; i < order; i++)
        {
            Assert.Equal(inBlock.Factors.Slice(i * order, i + 1).ToArray(), inStorage.Factors.Slice(i * order, i + 1).ToArray());
        }

        inStorageBlock.AsSpan().Fill(double.NaN);
        foreach (int width in new[] { 1, BlockedBunchKaufmanSolve.MinimumWidth })
        {
            double[] rhs = Enumerable.Range(0, order * width).Select(_ => random.NextDouble() - 0.5).ToArray();
            double[] expected = (double[])rhs.Clone();
            double[] actual = (double[])rhs.Clone();
            inBlock.Solve(expected, width);
            inStorage.Solve(actual, width);
            Assert.Equal(expected, actual);
        }
    }

    /// <summary>
    /// The recursion passes <see cref="PivotBlockFactor.Create"/> its factor storage: in a tanh chain factored whole at a small
    /// <c>eps</c>, every layer whose block takes Bunch-Kaufman (orders 56 and 72 unblocked, 144 and 272 right-looking)
    /// has its factor written there and kept without a copy.
    /// </summary>
    [Fact]
    public void TheRecursionKeepsEveryWholeBunchKaufmanFactorWhereItWasFactored()
    {
        var network = new Network(new TanhLayer(6, 8), new TanhLayer(8, 8), new TanhLayer(8, 16), new TanhLayer(16, 16), new TanhLayer(16, 16),
            new SoftmaxCrossEntropyLayer(16, 3));
        var random = new Random(43);
        var inputs = new double[1, 6];
        for (int j = 0; j < 6; j++)
        {
            inputs[0, j] = (2 * random.NextDouble()) - 1;
        }

        HessianDerivatives derivatives = network.At(network.RandomParameters(seed: 44), Batch.WithLabels(inputs, [1])).Derivatives();
        RiccatiFactorization factorization = RiccatiFactorization.Create(derivatives, 1e-3, out int singular, allowLowRank: false)
            ?? throw new InvalidOperationException($"the pivot block of layer {singular} was singular");
        int[] bunchKaufmanLayers = Enumerable.Range(0, network.Depth).Where(factorization.TookWholeBunchKaufman).ToArray();
        int[] orders = bunchKaufmanLayers.Select(l => derivatives.Layer(l).ParameterCount).ToArray();
        Assert.Contains(orders, order => order <= PivotBlockFactor.UnblockedBunchKaufmanLimit);
        Assert.Contains(orders, order => order > PivotBlockFactor.UnblockedBunchKaufmanLimit && order <= PivotBlockFactor.RightLookingLimit);
        foreach (int l in bunchKaufmanLayers)
        {
            Assert.True(factorization.KeptWholeBunchKaufmanWithoutCopy(l), $"layer {l}: its factor was copied into the storage");
        }

        factorization.Release();
    }

    /// <summary>
    /// <see cref="PivotBlockFactor.CreateCholeskyInPlace"/> against <see cref="PivotBlockFactor.Create"/> on a mirrored block whose rows
    /// are whole tiles: positive definite, the same lower triangle bit for bit, inertia and log-determinant; with a diagonal entry that
    /// rules Cholesky out, null and the block as given (not overwritten); indefinite with a positive diagonal, null and overwritten, and
    /// <see cref="PivotBlockFactor.Create"/> with <c>choleskyRuledOut</c> on the block formed again is <see cref="PivotBlockFactor.Create"/>'s
    /// Bunch-Kaufman factor, pivots and all. Orders not taken are refused.
    /// </summary>
    [Theory]
    [InlineData(16)]
    [InlineData(128)]
    [InlineData(272)]
    public void CholeskyInPlaceMakesCreatesFactor(int order)
    {
        var random = new Random(order);
        double[] positiveDefinite = RandomValues.PositiveDefiniteLowerTriangle(order, diagonalBase: order, seed: order);
        MatrixKernels.MirrorLower(positiveDefinite, order);
        (_, double[] indefinite) = Indefinite(order, random, positiveDiagonal: true);
        (_, double[] negativeDiagonal) = Indefinite(order, random, positiveDiagonal: false);
        foreach ((double[] matrix, bool expectCholesky, bool expectOverwritten) in new[]
            { (positiveDefinite, true, true), (indefinite, false, true), (negativeDiagonal, false, false) })
        {
            long flops = 0, inPlaceFlops = 0;
            PivotBlockFactor created = PivotBlockFactor.Create((double[])matrix.Clone(), order, new double[PivotBlockFactor.WorkLength(order)], 1e-300, ref flops,
                upperMirrorsLower: true) ?? throw new InvalidOperationException("the block was judged singular");
            double[] block = (double[])matrix.Clone();
            PivotBlockFactor? inPlace = PivotBlockFactor.CreateCholeskyInPlace(block, order, 1e-300, ref inPlaceFlops, out bool overwritten);
            Assert.Equal(expectCholesky, inPlace is not null);
            Assert.Equal(expectOverwritten, overwritten);
            Assert.Equal(expectCholesky, created.IsPositiveDefinite);
            if (!expectOverwritten)
            {
                Assert.Equal(matrix, block);
            }

            if (inPlace is null)
            {
                // The caller forms the block again and goes on with Bunch-Kaufman.
                inPlace = PivotBlockFactor.Create((double[])matrix.Clone(), order, new double[PivotBlockFactor.WorkLength(order)], 1e-300, ref inPlaceFlops,
                    upperMirrorsLower: true, choleskyRuledOut: true) ?? throw new InvalidOperationException("the block was judged singular");
            }

            Assert.Equal(created.IsPositiveDefinite, inPlace.IsPositiveDefinite);
            Assert.Equal(created.Inertia, inPlace.Inertia);
            Assert.Equal(created.LogDeterminant, inPlace.LogDeterminant);
            for (int i = 0; i < order; i++)
            {
                Assert.Equal(created.Factors.Slice(i * order, i + 1).ToArray(), inPlace.Factors.Slice(i * order, i + 1).ToArray());
            }

            double[] rhs = Enumerable.Range(0, order).Select(_ => random.NextDouble() - 0.5).ToArray();
            double[] expected = (double[])rhs.Clone();
            double[] actual = (double[])rhs.Clone();
            created.Solve(expected, 1);
            inPlace.Solve(actual, 1);
            Assert.Equal(expected, actual);
        }

        long refused = 0;
        Assert.Throws<ArgumentException>(() => PivotBlockFactor.CreateCholeskyInPlace(new double[(order + 1) * (order + 1)], order + 1, 0, ref refused, out _));
        // A multiple of 16 past the right-looking kernel's orders: the blocked Cholesky overwrites a failed attempt's triangle.
        const int blockedOrder = 336;
        Assert.True(blockedOrder > PivotBlockFactor.RightLookingLimit);
        Assert.Throws<ArgumentException>(() => PivotBlockFactor.CreateCholeskyInPlace(new double[blockedOrder * blockedOrder], blockedOrder, 0, ref refused, out _));
    }

    /// <summary>
    /// <see cref="PivotBlockFactor.Create"/> given the storage takes nothing from it for a positive-definite block (its Cholesky factor
    /// is kept packed later, from the block) and gives back what it took for a singular one (null): the storage's cursor is where it was.
    /// </summary>
    [Theory]
    [InlineData(45)]
    [InlineData(PivotBlockFactor.UnblockedBunchKaufmanLimit + 32)]
    [InlineData(272)]
    [InlineData(PivotBlockFactor.RightLookingLimit + 8)]
    public void CreateKeepsTheStorageForACholeskyFactorAndGivesItBackForASingularBlock(int order)
    {
        double[] positiveDefinite = RandomValues.PositiveDefiniteLowerTriangle(order, diagonalBase: order, seed: order);
        FactorStorage storage = PoisonedStorage();
        storage.Take(3);
        storage.TakeIndices(2);
        FactorStorage.Position before = storage.Mark();
        long flops = 0;
        PivotBlockFactor cholesky = PivotBlockFactor.Create(positiveDefinite, order, new double[PivotBlockFactor.WorkLength(order)], 1e-300, ref flops,
            storage: storage) ?? throw new InvalidOperationException("the positive-definite block was judged singular");
        Assert.True(cholesky.IsPositiveDefinite);
        Assert.False(cholesky.FactoredInStorage);
        Assert.Equal(before, storage.Mark());

        // Indefinite, with a zero row and column: Bunch-Kaufman finds no acceptable pivot there.
        (_, double[] singular) = Indefinite(order, new Random(order), positiveDiagonal: false);
        int zero = order / 3;
        for (int i = 0; i < order; i++)
        {
            singular[(zero * order) + i] = singular[(i * order) + zero] = 0;
        }

        Assert.Null(PivotBlockFactor.Create(singular, order, new double[PivotBlockFactor.WorkLength(order)], 1e-300, ref flops, storage: storage));
        Assert.Equal(before, storage.Mark());
    }

    /// <summary>A storage whose values are NaN and indices -1, handed out from its start.</summary>
    private static FactorStorage PoisonedStorage()
    {
        var storage = new FactorStorage(0);
        storage.Take(FactorStorage.MinimumAddedValues).Span.Fill(double.NaN);
        storage.TakeIndices(FactorStorage.MinimumAddedValues).Span.Fill(-1);
        storage.Reset();
        return storage;
    }

    /// <summary>
    /// A symmetric indefinite matrix, dense and row-major: random entries off the diagonal, the diagonal large; negative in its
    /// second half, or, with <paramref name="positiveDiagonal"/>, positive with an order-sized negative eigenvalue made by one pair of
    /// large entries off it (so that Cholesky fails part way).
    /// </summary>
    private static (double[,] Dense, double[] RowMajor) Indefinite(int order, Random random, bool positiveDiagonal)
    {
        var a = new double[order, order];
        var block = new double[order * order];
        for (int i = 0; i < order; i++)
        {
            for (int j = 0; j < i; j++)
            {
                a[i, j] = a[j, i] = random.NextDouble() - 0.5;
            }

            a[i, i] = (positiveDiagonal || i < order / 2 ? 1 : -1) * (order + random.NextDouble());
        }

        if (positiveDiagonal)
        {
            // [[d, 3d], [3d, d]] has the eigenvalue -2d: indefinite, though every diagonal entry is positive.
            a[order - 1, order - 2] = a[order - 2, order - 1] = 3 * a[order - 1, order - 1];
        }

        for (int i = 0; i < order; i++)
        {
            for (int j = 0; j < order; j++)
            {
                block[(i * order) + j] = a[i, j];
            }
        }

        return (a, block);
    }
}
