using System;
using System.Linq;
using HessianCodegen.Layers;
using HessianCodegen.Tests.Infrastructure;
using Xunit;

namespace HessianCodegen.Tests;

/// <summary>
/// The low-rank route at batch 1 (every group one row of <c>Dx</c>) through its one-row path (<see cref="LinearAlgebra.OneRowGroupKernel"/>:
/// groups factored alone, in pairs or in lanes, the core entry by entry, the lower half solve in place) against the general path on the same
/// block (<see cref="LowRankWorkspace.GeneralGroupsOnly"/>): the inertia exactly; the log-determinant, <c>Solve</c> and
/// <c>SolveLowerHalf</c> to round-off, not to the bit, because <c>L_g^-1 z_g</c> (and so <c>R_g</c> and <c>T</c>) sums its dot
/// products in another order. Group orders: a pair then a single group, two orders side by side, orders past the pair kernel's
/// limit; groups without a row (a zero input); and a block whose second group of a pair is ill-conditioned, which both paths decline.
/// </summary>
public sealed class OneRowGroupRouteTests
{
    [Theory]
    [InlineData(new[] { 9, 9, 9 }, true)]
    [InlineData(new[] { 9, 9, 9 }, false)]
    [InlineData(new[] { 5, 9 }, true)]
    [InlineData(new[] { 1, 1, 2, 16, 16 }, false)]
    [InlineData(new[] { 17, 24, 32 }, true)]
    [InlineData(new[] { 17, 24, 32 }, false)]
    public void FactorsAndSolvesAsTheGeneralPath(int[] orders, bool definiteCore)
    {
        (double[] dx, double[] value, double[] xxx, int p, int m) = Problem(orders, definiteCore, illConditionedGroup: -1, seed: orders.Sum() + (definiteCore ? 1 : 0));
        AssertAgreesWithTheGeneralPath(dx, value, xxx, p, m, definiteCore);
    }

    /// <summary>
    /// Groups without a row of <c>Dx</c> (a weight whose input is exactly 0 at batch 1): still the one-row path, their factors
    /// Cholesky only and no row of the core. Alone, between groups with a row, of the order of a neighbour with a row (which the
    /// pair kernel must not take with it), all of them.
    /// </summary>
    [Theory]
    [InlineData(new[] { 9, 9 }, new[] { 0 }, true)]
    [InlineData(new[] { 9, 9, 9 }, new[] { 1 }, true)]
    [InlineData(new[] { 9, 9, 9 }, new[] { 1 }, false)]
    [InlineData(new[] { 9, 9, 9 }, new[] { 0 }, false)]
    [InlineData(new[] { 9, 9, 9 }, new[] { 2 }, true)]
    [InlineData(new[] { 5, 5, 9, 9, 3 }, new[] { 0, 3 }, false)]
    [InlineData(new[] { 1, 2, 16, 16, 17, 17 }, new[] { 2, 5 }, true)]
    [InlineData(new[] { 4, 7, 7 }, new[] { 0, 1, 2 }, true)]
    public void RowlessGroupsFactorAndSolveAsTheGeneralPath(int[] orders, int[] rowless, bool definiteCore)
    {
        (double[] dx, double[] value, double[] xxx, int p, int m) = Problem(orders, definiteCore, illConditionedGroup: -1, seed: orders.Sum() + rowless.Sum(), rowless);
        AssertAgreesWithTheGeneralPath(dx, value, xxx, p, m, definiteCore);
    }

    private static void AssertAgreesWithTheGeneralPath(double[] dx, double[] value, double[] xxx, int p, int m, bool definiteCore)
    {
        const double epsilon = 0.5;
        LowRankPivotBlockFactor oneRow = Create(dx, value, xxx, epsilon, p, m, generalGroupsOnly: false)
            ?? throw new InvalidOperationException("the one-row route declined");
        LowRankPivotBlockFactor general = Create(dx, value, xxx, epsilon, p, m, generalGroupsOnly: true)
            ?? throw new InvalidOperationException("the general path declined");

        Assert.True(oneRow.TookOneRowGroups, "the one-row path was not taken");
        Assert.False(general.TookOneRowGroups);
        Assert.Equal(general.Inertia, oneRow.Inertia);
        Assert.Equal(definiteCore, oneRow.IsPositiveDefinite);
        Assert.Equal(general.CoreOrder, oneRow.CoreOrder);
        Assert.Equal(general.LogDeterminant.Sign, oneRow.LogDeterminant.Sign);
        Assert.True(Math.Abs(general.LogDeterminant.LogAbsoluteValue - oneRow.LogDeterminant.LogAbsoluteValue) <= 1e-13 * Math.Max(1, Math.Abs(general.LogDeterminant.LogAbsoluteValue)),
            $"log |det| {oneRow.LogDeterminant.LogAbsoluteValue:R} against the general path's {general.LogDeterminant.LogAbsoluteValue:R}");

        var random = new Random(p);
        foreach (int width in new[] { 1, 3, 8, 13 })
        {
            double[] rhs = Enumerable.Range(0, p * width).Select(_ => random.NextDouble() - 0.5).ToArray();
            AssertAgree(rhs, width, general.Solve, oneRow.Solve, "Solve");
            AssertAgree(rhs, width, general.SolveLowerHalf, oneRow.SolveLowerHalf, "SolveLowerHalf");
        }
    }

    /// <summary>
    /// Runs of groups of one order factored one per lane (<see cref="LinearAlgebra.OneRowGroupKernel.FactorLanes"/>, at each width the
    /// machine runs) against the pair and single kernels alone (<see cref="LowRankWorkspace.OneRowLaneBits"/> 0): the same bits in the
    /// inertia, the log-determinant and every solve, and the runs taken in lanes as many as expected at 512 and 256 bits (the lanes
    /// give the same bits, so only the count shows they were taken). Width 8's and 16's dense layers at batch 1 (8 groups of 9, 16 of
    /// 17), runs shorter than a vector and broken by other orders or by a group without a row, and a pair.
    /// </summary>
    [Theory]
    [InlineData(new[] { 9, 9, 9, 9, 9, 9, 9, 9 }, new int[0], true, 1, 2)]
    [InlineData(new[] { 9, 9, 9, 9, 9, 9, 9, 9 }, new int[0], false, 1, 2)]
    [InlineData(new[] { 17, 17, 17, 17, 17, 17, 17, 17, 17, 17, 17, 17, 17, 17, 17, 17 }, new int[0], false, 2, 4)]
    [InlineData(new[] { 9, 9, 9, 5, 5, 5, 5, 5, 9, 9 }, new int[0], true, 2, 2)]
    [InlineData(new[] { 9, 9, 9, 9, 9, 9 }, new[] { 2 }, false, 1, 1)]
    [InlineData(new[] { 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3 }, new[] { 9 }, true, 1, 2)]
    public void LanesFactorAsThePairAndSingleKernels(int[] orders, int[] rowless, bool definiteCore, int runsAt512, int runsAt256)
    {
        const double epsilon = 0.5;
        (double[] dx, double[] value, double[] xxx, int p, int m) = Problem(orders, definiteCore, illConditionedGroup: -1, seed: orders.Sum() + rowless.Sum() + 7, rowless);
        var withoutLanes = new LowRankWorkspace { OneRowLaneBits = 0 };
        LowRankPivotBlockFactor expected = Create(dx, value, xxx, epsilon, p, m, generalGroupsOnly: false, workspace: withoutLanes)
            ?? throw new InvalidOperationException("the pair and single kernels declined");
        Assert.Equal(0, withoutLanes.LaneRuns);
        foreach (int bits in new[] { 256, 512 }.Where(bits => bits <= LinearAlgebra.VectorWidth.Hardware))
        {
            var workspace = new LowRankWorkspace { OneRowLaneBits = bits };
            LowRankPivotBlockFactor lanes = Create(dx, value, xxx, epsilon, p, m, generalGroupsOnly: false, workspace: workspace)
                ?? throw new InvalidOperationException($"the lanes at {bits} bits declined");
            Assert.True(lanes.TookOneRowGroups, "the one-row path was not taken");
            Assert.Equal(bits == 512 ? runsAt512 : runsAt256, workspace.LaneRuns);
            Assert.Equal(expected.Inertia, lanes.Inertia);
            AssertSameBits(expected, lanes, p);
        }
    }

    /// <summary>
    /// The one-row path's half solve with two groups of one order in one loop (<see cref="LinearAlgebra.OneRowGroupKernel.SolveLowerPair"/>)
    /// against each group alone (<see cref="LowRankPivotBlockFactor.PairsInTheHalfSolve"/> off), to the bit, at widths that are whole
    /// vectors and not: pairs broken by a group without a row, by another order, an odd last group, groups of one parameter. Only where
    /// the machine runs 512 bits (the pair kernel's vectors); elsewhere the test returns without checking.
    /// </summary>
    [Theory]
    [InlineData(new[] { 9, 9, 9, 9, 9 }, new int[0], true)]
    [InlineData(new[] { 9, 9, 9, 9, 9, 9 }, new[] { 1 }, false)]
    [InlineData(new[] { 9, 5, 5, 9, 9, 17, 17, 17 }, new int[0], true)]
    [InlineData(new[] { 1, 1, 3, 3, 3, 3 }, new[] { 4 }, false)]
    public void PairedHalfSolvesAsEachGroupAlone(int[] orders, int[] rowless, bool definiteCore)
    {
        if (LinearAlgebra.VectorWidth.Hardware < 512)
        {
            return;
        }

        const double epsilon = 0.5;
        (double[] dx, double[] value, double[] xxx, int p, int m) = Problem(orders, definiteCore, illConditionedGroup: -1, seed: orders.Sum() + rowless.Sum() + 11, rowless);
        LowRankPivotBlockFactor alone = Create(dx, value, xxx, epsilon, p, m, generalGroupsOnly: false)
            ?? throw new InvalidOperationException("the route declined");
        alone.PairsInTheHalfSolve = false;
        LowRankPivotBlockFactor paired = Create(dx, value, xxx, epsilon, p, m, generalGroupsOnly: false)
            ?? throw new InvalidOperationException("the route declined");
        Assert.True(paired.PairsInTheHalfSolve);
        Assert.True(paired.TookOneRowGroups, "the one-row path was not taken");
        AssertSameBits(alone, paired, p, widths: [1, 8, 16, 24]);
    }

    /// <summary>The log-determinant and every solve of <paramref name="actual"/> to the bit as <paramref name="expected"/>'s (-0.0 is not 0.0).</summary>
    private static void AssertSameBits(LowRankPivotBlockFactor expected, LowRankPivotBlockFactor actual, int p, int[]? widths = null)
    {
        Assert.Equal(expected.LogDeterminant.Sign, actual.LogDeterminant.Sign);
        Assert.Equal(BitConverter.DoubleToInt64Bits(expected.LogDeterminant.LogAbsoluteValue), BitConverter.DoubleToInt64Bits(actual.LogDeterminant.LogAbsoluteValue));
        var random = new Random(p);
        foreach (int width in widths ?? [1, 8])
        {
            double[] rhs = Enumerable.Range(0, p * width).Select(_ => random.NextDouble() - 0.5).ToArray();
            foreach ((SolveInPlace expectedSolve, SolveInPlace actualSolve) in new (SolveInPlace, SolveInPlace)[]
                {
                    (expected.Solve, actual.Solve), (expected.SolveLowerHalf, actual.SolveLowerHalf), (expected.SolveUpperHalf, actual.SolveUpperHalf),
                })
            {
                double[] expectedRows = (double[])rhs.Clone();
                double[] actualRows = (double[])rhs.Clone();
                expectedSolve(expectedRows, width);
                actualSolve(actualRows, width);
                Assert.Equal(expectedRows.Select(BitConverter.DoubleToInt64Bits), actualRows.Select(BitConverter.DoubleToInt64Bits));
            }
        }
    }

    /// <summary>
    /// A group past the condition limit declines the block on both paths, at each lane width the machine runs and without lanes (the
    /// one-row path checks each lane's group after <see cref="LinearAlgebra.OneRowGroupKernel.FactorLanes"/>): in a pair, alone, and
    /// inside a run of 8 (past the first four lanes at 512 bits).
    /// </summary>
    [Theory]
    [InlineData(new[] { 9, 9, 9 }, 1)]
    [InlineData(new[] { 9, 9, 9 }, 0)]
    [InlineData(new[] { 9, 9, 9 }, 2)]
    [InlineData(new[] { 5, 9 }, 1)]
    [InlineData(new[] { 9, 9, 9, 9, 9, 9, 9, 9 }, 5)]
    [InlineData(new[] { 9, 9, 9, 9, 9, 9, 9, 9 }, 7)]
    public void AnIllConditionedGroupDeclinesAsOnTheGeneralPath(int[] orders, int illConditionedGroup)
    {
        const double epsilon = 0.5;
        (double[] dx, double[] value, double[] xxx, int p, int m) = Problem(orders, definiteCore: true, illConditionedGroup, seed: 5);
        Assert.Null(Create(dx, value, xxx, epsilon, p, m, generalGroupsOnly: true));
        foreach (int bits in new[] { 0, 256, 512 }.Where(bits => bits <= LinearAlgebra.VectorWidth.Hardware))
        {
            Assert.Null(Create(dx, value, xxx, epsilon, p, m, generalGroupsOnly: false, workspace: new LowRankWorkspace { OneRowLaneBits = bits }));
        }
    }

    /// <summary>
    /// Given the storage it is kept in, the one-row path factors the groups there (no copy by <c>KeptIn</c>): <c>Create</c> takes the
    /// groups' values from it (its cursor moves by their count, the indices' not at all), and kept so, the factor solves to the bit as
    /// one made in the workspace and copied into a storage (the same operations on the same values), and the two storages hand out as
    /// many values in all (the groups' values once, the core packed, the indices), both poisoned beforehand as a reused storage is.
    /// </summary>
    [Theory]
    [InlineData(new[] { 9, 9, 9 }, new int[0], true)]
    [InlineData(new[] { 9, 9, 9 }, new int[0], false)]
    [InlineData(new[] { 5, 5, 9, 9, 3 }, new[] { 0, 3 }, false)]
    [InlineData(new[] { 1, 2, 16, 16, 17, 17 }, new[] { 2 }, true)]
    public void FactorsInTheStorageItIsKeptInAsInTheWorkspace(int[] orders, int[] rowless, bool definiteCore)
    {
        const double epsilon = 0.5;
        (double[] dx, double[] value, double[] xxx, int p, int m) = Problem(orders, definiteCore, illConditionedGroup: -1, seed: orders.Sum() + rowless.Sum() + 3, rowless);
        FactorStorage copied = LowRankFactorStorageTests.PoisonedStorage();
        FactorStorage inPlace = LowRankFactorStorageTests.PoisonedStorage();
        // A value taken first, as the layers before take theirs, so that the cursor is inside an array (a fresh one's first take moves it to the next).
        _ = copied.Take(1);
        _ = inPlace.Take(1);
        LowRankPivotBlockFactor fromWorkspace = (Create(dx, value, xxx, epsilon, p, m, generalGroupsOnly: false)
            ?? throw new InvalidOperationException("the route declined")).KeptIn(copied);
        FactorStorage.Position beforeCreate = inPlace.Mark();
        LowRankPivotBlockFactor factored = Create(dx, value, xxx, epsilon, p, m, generalGroupsOnly: false, inPlace)
            ?? throw new InvalidOperationException("the route declined");
        Assert.True(factored.TookOneRowGroups, "the one-row path was not taken");
        Assert.Equal(beforeCreate with { ValuesUsed = beforeCreate.ValuesUsed + GroupValueCount(xxx, dx, p, m) }, inPlace.Mark());
        LowRankPivotBlockFactor fromStorage = factored.KeptIn(inPlace);
        Assert.Equal(copied.Mark(), inPlace.Mark());
        Assert.True(fromStorage.KeptWithoutCopy);
        Assert.False(fromWorkspace.KeptWithoutCopy);
        Assert.Equal(fromWorkspace.Inertia, fromStorage.Inertia);
        Assert.Equal(fromWorkspace.LogDeterminant, fromStorage.LogDeterminant);

        var random = new Random(p);
        foreach (int width in new[] { 1, 8 })
        {
            double[] rhs = Enumerable.Range(0, p * width).Select(_ => random.NextDouble() - 0.5).ToArray();
            foreach ((SolveInPlace expected, SolveInPlace actual, string what) in new (SolveInPlace, SolveInPlace, string)[]
                {
                    (fromWorkspace.Solve, fromStorage.Solve, "Solve"), (fromWorkspace.SolveLowerHalf, fromStorage.SolveLowerHalf, "SolveLowerHalf"),
                    (fromWorkspace.SolveUpperHalf, fromStorage.SolveUpperHalf, "SolveUpperHalf"),
                })
            {
                double[] expectedRows = (double[])rhs.Clone();
                double[] actualRows = (double[])rhs.Clone();
                expected(expectedRows, width);
                actual(actualRows, width);
                Assert.Equal(expectedRows.Select(BitConverter.DoubleToInt64Bits), actualRows.Select(BitConverter.DoubleToInt64Bits));
            }
        }
    }

    /// <summary>
    /// A block the one-row path declines (an ill-conditioned group) after taking the groups' values from the storage gives them back: its
    /// cursor is where it was. The same block without the ill-conditioned group is taken, its groups' values kept there: the cursor moves.
    /// </summary>
    [Theory]
    [InlineData(new[] { 9, 9, 9 }, 1)]
    [InlineData(new[] { 5, 9 }, 1)]
    public void ADeclinedBlockGivesItsStorageBack(int[] orders, int illConditionedGroup)
    {
        const double epsilon = 0.5;
        foreach (int illConditioned in new[] { illConditionedGroup, -1 })
        {
            (double[] dx, double[] value, double[] xxx, int p, int m) = Problem(orders, definiteCore: true, illConditioned, seed: 5);
            FactorStorage storage = LowRankFactorStorageTests.PoisonedStorage();
            _ = storage.Take(7);
            FactorStorage.Position before = storage.Mark();
            LowRankPivotBlockFactor? factor = Create(dx, value, xxx, epsilon, p, m, generalGroupsOnly: false, storage);
            Assert.Equal(illConditioned < 0, factor is not null);
            int taken = illConditioned < 0 ? GroupValueCount(xxx, dx, p, m) : 0;
            Assert.Equal(before with { ValuesUsed = before.ValuesUsed + taken }, storage.Mark());
        }
    }

    /// <summary>
    /// The recursion passes the route its factor storage: in a tanh chain at batch 1 every layer that takes the one-row path has its
    /// groups factored in the storage and kept there without a copy (neither copied from the workspace nor taken a second time).
    /// </summary>
    [Fact]
    public void TheRecursionKeepsEveryOneRowLayerWhereItWasFactored()
    {
        var network = new Network(new TanhLayer(6, 8), new TanhLayer(8, 8), new TanhLayer(8, 8), new SoftmaxCrossEntropyLayer(8, 3));
        var random = new Random(41);
        var inputs = new double[1, 6];
        for (int j = 0; j < 6; j++)
        {
            inputs[0, j] = (2 * random.NextDouble()) - 1;
        }

        HessianDerivatives derivatives = network.At(network.RandomParameters(seed: 42), Batch.WithLabels(inputs, [1])).Derivatives();
        RiccatiFactorization factorization = RiccatiFactorization.Create(derivatives, 0.5, out int singular)
            ?? throw new InvalidOperationException($"the pivot block of layer {singular} was singular");
        int[] oneRowLayers = Enumerable.Range(0, network.Depth).Where(factorization.TookOneRowGroups).ToArray();
        Assert.Equal([0, 1, 2], oneRowLayers);
        foreach (int l in oneRowLayers)
        {
            Assert.True(factorization.KeptOneRowGroupsWithoutCopy(l), $"layer {l}: its groups were copied into the storage");
        }

        factorization.Release();
    }

    /// <summary>The values of all the block's groups (<c>L_g</c>, the QR, <c>tau</c>), from its zero pattern.</summary>
    private static int GroupValueCount(double[] xxx, double[] dx, int p, int m)
    {
        ParameterGroups structure = ParameterGroups.Find(xxx, dx, p, m);
        return Enumerable.Range(0, structure.Parameters.Length)
            .Sum(g => LowRankPivotBlockFactor.GroupValueCount(structure.Parameters[g].Length, structure.Rows[g].Length));
    }

    private static void AssertAgree(double[] rhs, int width, SolveInPlace expectedSolve, SolveInPlace actualSolve, string what)
    {
        double[] expected = (double[])rhs.Clone();
        double[] actual = (double[])rhs.Clone();
        expectedSolve(expected, width);
        actualSolve(actual, width);
        double scale = expected.Max(Math.Abs);
        for (int k = 0; k < expected.Length; k++)
        {
            Assert.True(Math.Abs(actual[k] - expected[k]) <= 1e-13 * scale,
                $"{what}, width {width}: entry ({k / width}, {k % width}) {actual[k]:R} against the general path's {expected[k]:R}");
        }
    }

    private delegate void SolveInPlace(Span<double> rows, int width);

    private static LowRankPivotBlockFactor? Create(double[] dx, double[] value, double[] xxx, double epsilon, int p, int m, bool generalGroupsOnly,
        FactorStorage? storage = null, LowRankWorkspace? workspace = null)
    {
        long flops = 0;
        workspace ??= new LowRankWorkspace();
        workspace.GeneralGroupsOnly = generalGroupsOnly;
        return LowRankPivotBlockFactor.Create(ParameterGroups.Find(xxx, dx, p, m), xxx, epsilon, dx, value, p, m, new double[m * m], 1.0, ref flops, workspace,
            storage: storage);
    }

    /// <summary>
    /// A dense layer's block at batch 1 with one group per output of the given orders: <c>Dx</c>'s row r non-zero on group r's run of
    /// parameters, <c>Xxx</c> per run a positive semidefinite <c>0.3 v v^T + 0.2 w w^T</c> (<c>10^4 v v^T</c> for
    /// <paramref name="illConditionedGroup"/>, whose <c>X_g = Xxx_g + eps I</c> then fails the condition limit), and <c>P</c>
    /// positive definite, or with a negative eigenvalue large enough to make the core indefinite.
    /// </summary>
    private static (double[] Dx, double[] Value, double[] Xxx, int P, int M) Problem(int[] orders, bool definiteCore, int illConditionedGroup, int seed,
        int[]? rowless = null)
    {
        var random = new Random(seed);
        int p = orders.Sum();
        int m = orders.Length;
        var dx = new double[m * p];
        var xxx = new double[p * p];
        int start = 0;
        for (int r = 0; r < m; r++)
        {
            int run = orders[r];
            double[] v = Enumerable.Range(0, run).Select(_ => random.NextDouble() - 0.5).ToArray();
            double[] w = Enumerable.Range(0, run).Select(_ => random.NextDouble() - 0.5).ToArray();
            for (int i = 0; i < run; i++)
            {
                double entry = random.NextDouble() - 0.5;
                dx[(r * p) + start + i] = rowless?.Contains(r) == true ? 0 : entry;
                for (int j = 0; j < run; j++)
                {
                    xxx[((start + i) * p) + start + j] = r == illConditionedGroup ? 1e4 * v[i] * v[j] : (0.3 * v[i] * v[j]) + (0.2 * w[i] * w[j]);
                }
            }

            start += run;
        }

        // The core made indefinite through the first group with a row (a rowless group's row of P reaches nothing).
        int firstWithRow = Enumerable.Range(0, m).FirstOrDefault(r => rowless?.Contains(r) != true);
        double[] value = RandomValues.SymmetricState(random, m, negativeDiagonal: definiteCore ? -1 : firstWithRow);

        return (dx, value, xxx, p, m);
    }
}
