using System;
using System.Linq;
using System.Runtime.InteropServices;
using HessianCodegen.LinearAlgebra;
using HessianCodegen.Tests.Infrastructure;
using Xunit;

namespace HessianCodegen.Tests;

/// <summary>
/// Where a factorization keeps its factors: the packed Cholesky triangle against the square kernel and MathNet,
/// the storage's arrays and their reuse, and <see cref="HessianFactorization.Dispose"/>: a factorization made on
/// the storage of a disposed one solves exactly as a fresh one does, a disposed one refuses to solve, and one
/// not disposed stays valid however many more are made.
/// </summary>
public sealed class FactorStorageTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(7, 1)]
    [InlineData(72, 1)]
    [InlineData(30, 4)]
    public void PackedTriangleSolvesLikeTheSquareFactor(int n, int width)
    {
        var random = new Random(n + width);
        var matrix = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < i; j++)
            {
                matrix[(i * n) + j] = matrix[(j * n) + i] = random.NextDouble() - 0.5;
            }

            matrix[(i * n) + i] = n;
        }

        double[] square = (double[])matrix.Clone();
        long flops = 0;
        Assert.Equal(-1, CholeskyKernel.Factor(square, n, 0, ref flops));
        var packed = new double[PackedCholeskyKernel.PackedLength(n)];
        PackedCholeskyKernel.Pack(square, n, packed);
        double[] rows = Enumerable.Range(0, n * width).Select(_ => random.NextDouble() - 0.5).ToArray();
        double[] fromPacked = (double[])rows.Clone();
        double[] fromSquare = (double[])rows.Clone();
        PackedCholeskyKernel.Solve(packed, n, fromPacked, width);
        CholeskyKernel.Solve(square, n, fromSquare, width);

        double[,] dense = DenseReference.FromRowMajor(matrix, n);

        for (int c = 0; c < width; c++)
        {
            double[] expected = DenseReference.Solve(dense, Enumerable.Range(0, n).Select(i => rows[(i * width) + c]).ToArray());
            double scale = expected.Max(Math.Abs);
            for (int i = 0; i < n; i++)
            {
                Assert.True(Math.Abs(fromPacked[(i * width) + c] - expected[i]) <= 1e-12 * scale,
                    $"order {n}, column {c}: packed x({i}) = {fromPacked[(i * width) + c]:R}, MathNet's LU {expected[i]:R}");
                Assert.True(Math.Abs(fromPacked[(i * width) + c] - fromSquare[(i * width) + c]) <= 1e-12 * scale,
                    $"order {n}, column {c}: packed x({i}) = {fromPacked[(i * width) + c]:R}, square {fromSquare[(i * width) + c]:R}");
            }
        }
    }

    /// <summary>A rewind to a mark hands out the same values again, also across an array added since, and no added array is lost; a mark past the cursor is refused.</summary>
    [Fact]
    public void RewindHandsOutFromTheMarkAgain()
    {
        var storage = new FactorStorage(10);
        storage.Take(4);
        storage.TakeIndices(3);
        FactorStorage.Position mark = storage.Mark();
        Memory<double> taken = storage.Take(5);
        Memory<double> added = storage.Take(6);
        storage.TakeIndices(2);
        Assert.NotSame(ArrayOf(taken), ArrayOf(added));
        long capacity = storage.Capacity;

        storage.Rewind(mark);
        Assert.Equal(mark, storage.Mark());
        Memory<double> again = storage.Take(5);
        Assert.Same(ArrayOf(taken), ArrayOf(again));
        Assert.Equal(Offset(taken), Offset(again));
        Assert.Same(ArrayOf(added), ArrayOf(storage.Take(6)));
        Assert.Equal(capacity, storage.Capacity);

        FactorStorage.Position later = storage.Mark();
        storage.Rewind(mark);
        Assert.Throws<ArgumentOutOfRangeException>(() => storage.Rewind(later));
    }

    /// <summary>
    /// A mark past the cursor of the indices alone (the values' part before it) is refused, naming the mark and the indices, and
    /// leaves the values' cursor where it was: both arenas are checked before either moves.
    /// </summary>
    [Fact]
    public void AMarkPastTheIndicesCursorIsRefusedWithoutMovingTheValues()
    {
        var storage = new FactorStorage(100);
        FactorStorage.Position start = storage.Mark();
        storage.Take(10);
        FactorStorage.Position values = storage.Mark();
        storage.TakeIndices(5);
        FactorStorage.Position pastIndices = start with { IndexArray = values.IndexArray, IndicesUsed = 5 };
        storage.Rewind(values);

        ArgumentOutOfRangeException refused = Assert.Throws<ArgumentOutOfRangeException>(() => storage.Rewind(pastIndices));
        Assert.Equal("mark", refused.ParamName);
        Assert.Contains("indices", refused.Message, StringComparison.Ordinal);
        Assert.Equal(values, storage.Mark());
        Assert.Throws<ArgumentOutOfRangeException>(() => storage.Rewind(values with { ValueArray = -1 }));
    }

    [Fact]
    public void StorageAddsAnArrayForWhatDoesNotFitAndHandsOutTheSameArraysAfterReset()
    {
        var storage = new FactorStorage(10);
        Memory<double> first = storage.Take(6);
        Memory<double> second = storage.Take(6);
        Memory<double> third = storage.Take(3);
        Assert.Equal(10 + FactorStorage.MinimumAddedValues, storage.Capacity);
        Assert.NotSame(ArrayOf(first), ArrayOf(second));
        Assert.Same(ArrayOf(second), ArrayOf(third));
        Assert.Equal(6, Offset(third));

        storage.Reset();
        Memory<double> again = storage.Take(6);
        Memory<double> secondAgain = storage.Take(6);
        Assert.Same(ArrayOf(first), ArrayOf(again));
        Assert.Same(ArrayOf(second), ArrayOf(secondAgain));
        Assert.Equal(0, Offset(secondAgain));
        Assert.Equal(10 + FactorStorage.MinimumAddedValues, storage.Capacity);

        // A request larger than the next array gets its own array there; the arrays after it stay.
        storage.Reset();
        storage.Take(6);
        Memory<double> large = storage.Take(FactorStorage.MinimumAddedValues + 1);
        Assert.Equal(FactorStorage.MinimumAddedValues + 1, ArrayOf(large).Length);
        Assert.Equal(10 + FactorStorage.MinimumAddedValues + FactorStorage.MinimumAddedValues + 1, storage.Capacity);
    }

    [Fact]
    public void PoolKeepsAtMostItsLimitAndRefusesAStorageReturnedTwice()
    {
        var pool = new FactorStoragePool();
        FactorStorage[] storages = Enumerable.Range(0, FactorStoragePool.Limit + 1).Select(_ => pool.Rent(4)).ToArray();
        Assert.Equal(storages.Length, storages.Distinct().Count());
        pool.Return(storages[0]);
        Assert.Throws<InvalidOperationException>(() => pool.Return(storages[0]));
        foreach (FactorStorage storage in storages.Skip(1))
        {
            pool.Return(storage);
        }

        Assert.Equal(FactorStoragePool.Limit, pool.Count);
        Assert.Same(storages[0], pool.Rent(4));
        Assert.Equal(FactorStoragePool.Limit - 1, pool.Count);
    }

    [Fact]
    public void PoolRentsAKeptStorageOnlyWhenItIsLargeEnoughAndKeepsTheLargerOnes()
    {
        var pool = new FactorStoragePool();
        FactorStorage small = pool.Rent(100);
        FactorStorage large = pool.Rent(1000);
        pool.Return(small);
        pool.Return(large);

        // Too large for the small one: the large one, not a small one that would have to grow.
        Assert.Same(large, pool.Rent(500));
        FactorStorage fresh = pool.Rent(5000);
        Assert.NotSame(small, fresh);
        Assert.Equal(5000, fresh.Capacity);
        Assert.Same(small, pool.Rent(50));

        // Full: a larger storage takes the place of the smallest, a smaller one is dropped.
        FactorStorage tiny = new(10);
        pool.Return(small);
        pool.Return(fresh);
        pool.Return(large);
        pool.Return(tiny);
        Assert.Equal(FactorStoragePool.Limit, pool.Count);
        Assert.Same(fresh, pool.Rent(4000));
        Assert.Same(large, pool.Rent(1));
    }

    [Fact]
    public void PoolHoldsItsStoragesWeaklySoACollectionReclaimsThem()
    {
        var pool = new FactorStoragePool();
        ReturnANewStorage(pool);
        Assert.Equal(1, pool.Count);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        Assert.Equal(0, pool.Count);
        Assert.Equal(64, pool.Rent(64).Capacity);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void ReturnANewStorage(FactorStoragePool pool) => pool.Return(new FactorStorage(1 << 15));

    [Theory]
    [InlineData(3, 6, 1)]
    [InlineData(5, 5, 4)]
    public void FactorizationOnAReusedStorageSolvesExactlyAsAFreshOne(int seed, int depth, int batchSize)
    {
        // Two derivatives of the same point: one factors fresh storage only, the other reuses it.
        NetworkPoint point = RandomNetworks.Point(seed, depth, batchSize, regression: false);
        HessianDerivatives fresh = point.Derivatives();
        HessianDerivatives reused = point.Derivatives();
        reused.FactorStoragePool = new FactorStoragePool(); // its own, which tests running beside this one do not touch
        double[] rhs = RandomNetworks.Vector(seed + 7, point.Network.ParameterCount);
        foreach (double epsilon in new[] { 1e-3, 0.5, 1e-6 })
        {
            double[] expected = fresh.Factorize(epsilon).Solve(rhs);
            HessianFactorization previous = reused.Factorize(2 * epsilon + 0.1);
            previous.Solve(rhs);
            previous.Dispose();
            Assert.Equal(1, reused.FactorStoragePool.Count);

            using HessianFactorization factorization = reused.Factorize(epsilon);
            Assert.Equal(0, reused.FactorStoragePool.Count);
            double[] actual = factorization.Solve(rhs);
            Assert.Equal(expected, actual);
        }
    }

    [Fact]
    public void UndisposedFactorizationStaysValidWhileOthersAreMadeAndDisposed()
    {
        NetworkPoint point = RandomNetworks.Point(5, 5, 4, regression: false);
        HessianDerivatives derivatives = point.Derivatives();
        double[] rhs = RandomNetworks.Vector(11, point.Network.ParameterCount);
        HessianFactorization kept = derivatives.Factorize(1e-3);
        double[] expected = kept.Solve(rhs);
        for (int k = 0; k < 3; k++)
        {
            HessianFactorization other = derivatives.Factorize(0.1 * (k + 1));
            other.Solve(rhs);
            other.Dispose();
            other.Dispose();
        }

        Assert.Equal(expected, kept.Solve(rhs));
    }

    [Fact]
    public void SolvingWithADisposedFactorizationThrows()
    {
        NetworkPoint point = RandomNetworks.Point(5, 5, 4, regression: false);
        double[] rhs = RandomNetworks.Vector(11, point.Network.ParameterCount);
        foreach (FactorizationPath path in new[] { FactorizationPath.Riccati, FactorizationPath.BandedLU })
        {
            HessianFactorization factorization = point.Derivatives().Factorize(1e-3, path);
            LogDeterminant logDeterminant = factorization.LogDeterminant;
            factorization.Dispose();
            var result = new double[rhs.Length];
            Assert.Throws<ObjectDisposedException>(() => factorization.Solve(rhs));
            Assert.Throws<ObjectDisposedException>(() => factorization.Solve(rhs, result));
            Assert.Throws<ObjectDisposedException>(() => factorization.SolveRefined(rhs, result));
            Assert.Equal(logDeterminant, factorization.LogDeterminant);
        }
    }

    [Fact]
    public void DerivativesFindEachLayersParameterGroupsOnceAndKeepThem()
    {
        NetworkPoint point = RandomNetworks.Point(7, 6, 3, regression: false);
        HessianDerivatives derivatives = point.Derivatives();
        for (int l = 0; l + 1 < point.Network.Depth; l++)
        {
            LayerDerivatives d = derivatives.Layer(l);
            int m = point.Batch.Count * d.OutputSize;
            ParameterGroups expected = ParameterGroups.Find(d.Xxx, d.Dx, d.ParameterCount, m);
            ParameterGroups kept = derivatives.ParameterGroups(l);
            Assert.Same(kept, derivatives.ParameterGroups(l));
            Assert.Equal(expected.Parameters, kept.Parameters);
            Assert.Equal(expected.Rows, kept.Rows);
        }
    }

    private static double[] ArrayOf(Memory<double> part) =>
        MemoryMarshal.TryGetArray<double>(part, out ArraySegment<double> segment) ? segment.Array! : throw new InvalidOperationException("not an array");

    private static int Offset(Memory<double> part) =>
        MemoryMarshal.TryGetArray<double>(part, out ArraySegment<double> segment) ? segment.Offset : -1;
}
