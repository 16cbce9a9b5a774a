using System;
using System.Globalization;
using System.IO;
using HessianCodegen;
using HessianCodegen.LinearAlgebra;

namespace Benchmarks;

/// <summary>
/// Where one layer's step of the Riccati recursion spends its time at issue 7's large state order: a hidden layer of the
/// depth-16 width-8 batch-64 tanh chain (<c>m = m_in = 512</c>, <c>p = 72</c>), each phase of
/// <c>RiccatiFactorization.Create</c> run alone on that layer's derivatives and a positive definite value matrix, on one core,
/// timed (median wall and thread cpu ms) and its counted flops over the cpu time. Rows in parentheses are alternatives the
/// recursion does not take on this machine (earlier kernels, narrower vectors), left out of the sum.
/// </summary>
internal static class RiccatiPhasesReport
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static void Run(BenchmarkOptions options, TextWriter output)
    {
        const int width = 8;
        const int depth = 16;
        const int count = 64;
        Network network = ChainBenchmark.Chain(width, depth);
        NetworkPoint point = network.At(network.RandomParameters(seed: depth), ChainBenchmark.RandomBatch(width, count, seed: width));
        HessianDerivatives derivatives = point.Derivatives();
        LayerDerivatives d = derivatives.Layer(depth / 2);
        int p = d.ParameterCount;
        int a = d.OutputSize;
        int aIn = d.InputSize;
        int m = count * a;
        int mIn = count * aIn;

        // A symmetric positive definite P: I plus a small symmetric random part.
        var random = new Random(7);
        var value = new double[m * m];
        for (int i = 0; i < m; i++)
        {
            for (int j = i; j < m; j++)
            {
                double entry = (random.NextDouble() - 0.5) / m;
                value[(i * m) + j] = entry;
                value[(j * m) + i] = entry;
            }

            value[(i * m) + i] += 1;
        }

        var jacobianT = new double[p * m];
        var weighted = new double[p * m];
        var weightedT = new double[p * m];
        var block = new double[p * p];
        var coupling = new double[p * mIn];
        var couplingT = new double[p * mIn];
        var e = new double[mIn * mIn];
        var work = new double[PivotBlockFactor.WorkLength(p)];
        IPivotBlockFactor? factor = null;

        output.WriteLine(string.Create(Invariant,
            $"Riccati phases: layer {depth / 2} of the depth-{depth} width-{width} batch-{count} tanh chain, m = m_in = {m}, p = {p}; one core; median ms"));
        output.WriteLine(string.Create(Invariant, $"{"phase",-44} {"wall ms",8} {"cpu ms",8} {"MFLOP",8} {"GFLOP/s",8}"));
        double totalWall = 0, totalCpu = 0;
        void Phase(string name, long countedFlops, Func<long> action, bool inSum = true)
        {
            long flops = countedFlops;
            Timing timing = MedianTimer.Measure(() => flops = Math.Max(countedFlops, action()), options.Repeats * 4, options.BudgetSeconds);
            if (inSum)
            {
                totalWall += timing.Milliseconds;
                totalCpu += timing.CpuMilliseconds;
            }

            string rate = flops > 0 ? (flops / (timing.CpuMilliseconds * 1e6)).ToString("0.00", Invariant) : "";
            output.WriteLine(string.Create(Invariant,
                $"{name,-44} {timing.Milliseconds,8:0.000} {timing.CpuMilliseconds,8:0.000} {(flops > 0 ? (flops / 1e6).ToString("0.00", Invariant) : ""),8} {rate,8}"));
        }

        // A kernel the recursion does not take on this machine (an earlier one, narrower vectors): in parentheses, not in the sum.
        void Alternative(string name, long countedFlops, Func<long> action) => Phase($"({name})", countedFlops, action, inSum: false);

        Phase("Dx^T (transpose)", 0, () => Done(() => MatrixKernels.Transpose(d.Dx, m, p, jacobianT)));
        ParameterGroups groups = derivatives.ParameterGroups(depth / 2);
        if (VectorWidth.Hardware > 256)
        {
            Alternative("-(Dx^T P) and ^T, 256-bit tiles", 0, () => GroupedValueProduct.Form(groups, d.Dx, p, m, value, weighted, weightedT, 0, m, 256));
        }

        Phase($"-(Dx^T P) and ^T (GroupedValueProduct, {VectorWidth.Hardware})", 0,
            () => GroupedValueProduct.Form(groups, d.Dx, p, m, value, weighted, weightedT, 0, m, VectorWidth.Hardware));
        Phase("A = Xxx + eps + Dx^T (P Dx)", 0, () =>
        {
            d.Xxx.CopyTo(block);
            for (int i = 0; i < p; i++)
            {
                block[(i * p) + i] += 1e-3;
            }

            return MatrixKernels.SubtractProduct(block, p, jacobianT, m, weightedT, p, p, m, p);
        });
        Alternative("C = Xzx + (Dx^T P) Dz, general path (Xzx copied, Gemm per block)", 0,
            () => BlockDiagonalRightProduct.SetInitialMinusProduct(d.Xzx, weighted, m, d.Dz, count, a, aIn, coupling, mIn, p, vectorBits: 0));
        Phase($"C = Xzx + (Dx^T P) Dz ({VectorWidth.Hardware})", 0,
            () => BlockDiagonalRightProduct.SetInitialMinusProduct(d.Xzx, weighted, m, d.Dz, count, a, aIn, coupling, mIn, p, VectorWidth.Hardware));
        Alternative("E, congruence: general path", 0, () => BlockDiagonalCongruence.AddUpper(value, m, d.Dz, count, a, aIn, e, mIn, overwrite: true, vectorBits: 0));
        if (VectorWidth.Hardware > 256)
        {
            Alternative("E, congruence: 256-bit tiles", 0, () => BlockDiagonalCongruence.AddUpper(value, m, d.Dz, count, a, aIn, e, mIn, overwrite: true, vectorBits: 256));
        }

        Phase($"E = Dz^T P Dz (congruence, upper, {VectorWidth.Hardware})", 0,
            () => BlockDiagonalCongruence.AddUpper(value, m, d.Dz, count, a, aIn, e, mIn, overwrite: true));
        var blockCopy = new double[p * p];
        block.CopyTo(blockCopy); // A as the phase above formed it
        Phase("factor A (p)", 0, () =>
        {
            blockCopy.CopyTo(block);
            long f = 0;
            factor = PivotBlockFactor.Create(block, p, work, 0, ref f);
            return f;
        });
        output.WriteLine(string.Create(Invariant, $"  (A is {(factor!.IsPositiveDefinite ? "positive definite: Cholesky" : "indefinite: Bunch-Kaufman")})"));
        var cSaved = (double[])coupling.Clone();
        Alternative("before: A^-1 C, whole solve", 2L * p * p * mIn, () =>
        {
            cSaved.CopyTo(coupling, 0);
            factor!.Solve(coupling, mIn);
            return 0;
        });
        Phase("Y = W^-1 C (half solve, p x m_in)", (long)p * p * mIn, () =>
        {
            cSaved.CopyTo(coupling, 0);
            factor!.SolveLowerHalf(coupling, mIn);
            return 0;
        });
        var ySaved = (double[])coupling.Clone();
        var middleSolved = coupling;
        if (!factor!.MiddleIsIdentity)
        {
            middleSolved = new double[p * mIn];
            Phase("M^-1 Y (copy, D's blocks)", 3L * p * mIn, () =>
            {
                ySaved.CopyTo(middleSolved, 0);
                factor!.SolveMiddle(middleSolved, mIn);
                return 0;
            });
        }

        Alternative("Y^T (transpose)", 0, () => Done(() => MatrixKernels.Transpose(ySaved, p, mIn, couplingT)));
        Alternative("E -= Y^T M^-1 Y (upper, TriangularGemm)", (long)mIn * (mIn + 1) * p, () =>
            Done(() => TriangularGemm.Multiply(true, false, false, mIn, p, -1, couplingT, p, middleSolved, mIn, 1, e, mIn)));
        var packedCouplingT = new double[PackedUpperUpdate.PackedLength(mIn, p)];
        Phase("Y^T packed (PackedUpperUpdate)", 0, () => Done(() => PackedUpperUpdate.PackLeft(ySaved, mIn, mIn, p, packedCouplingT)));
        Phase("E -= Y^T M^-1 Y (upper, PackedUpperUpdate)", (long)mIn * (mIn + 1) * p, () =>
            Done(() => PackedUpperUpdate.AddUpper(mIn, p, -1, packedCouplingT, middleSolved, mIn, e, mIn, 0, mIn)));
        Phase("mirror E", 0, () => Done(() => MatrixKernels.MirrorUpper(e, mIn)));
        // What the solve reads of Dx, its non-zeros by rows: each row read at its group's parameters, as the recursion does
        // at every state order; before, a state this large was read whole.
        var jacobianStorage = new FactorStorage(p * m);
        Phase("Dx compressed (rows at their groups)", 0, () =>
        {
            jacobianStorage.Reset();
            return CompressedJacobian.Compress(d.Dx, m, p, groups, jacobianStorage).IsCompressed ? 0 : throw new InvalidOperationException("Dx was not compressed");
        });
        Alternative("before: Dx compressed (whole rows)", 0, () =>
        {
            jacobianStorage.Reset();
            return CompressedJacobian.Compress(d.Dx, m, p, jacobianStorage).IsCompressed ? 0 : throw new InvalidOperationException("Dx was not compressed");
        });
        // The whole chain's factorization: medians, and minima (on a loaded machine the least disturbed run). Each one is
        // disposed, as a caller that factors repeatedly does, so the next stores its factors where it did.
        derivatives.Factorize(options.Epsilon, FactorizationPath.Riccati).Dispose();
        var walls = new double[Math.Max(options.Repeats * 8, 40)];
        var cpus = new double[walls.Length];
        for (int run = 0; run < walls.Length; run++)
        {
            double cpuStart = CpuClock.Milliseconds();
            long start = System.Diagnostics.Stopwatch.GetTimestamp();
            HessianFactorization factorization = derivatives.Factorize(options.Epsilon, FactorizationPath.Riccati);
            walls[run] = System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            cpus[run] = CpuClock.Milliseconds() - cpuStart;
            factorization.Dispose();
        }

        Array.Sort(walls);
        Array.Sort(cpus);
        // The spread too: on a busy machine a run that waits for a descheduled core shows in the 90th percentile and the largest.
        output.WriteLine(string.Create(Invariant,
            $"whole factorization of the chain ({depth} layers, {walls.Length} runs, {Environment.ProcessorCount} cores available): median {walls[walls.Length / 2]:0.000} ms wall, {cpus[cpus.Length / 2]:0.000} ms cpu; least {walls[0]:0.000} ms wall, {cpus[0]:0.000} ms cpu; 90th percentile {walls[walls.Length * 9 / 10]:0.000} ms wall, largest {walls[^1]:0.000} ms wall"));
        output.WriteLine(string.Create(Invariant, $"{"sum (less the copies of A, C, Y in the timed steps)",-44} {totalWall,8:0.000} {totalCpu,8:0.000}"));
    }

    private static long Done(Action action)
    {
        action();
        return 0;
    }
}
