using System;
using HessianCodegen;
using MathNet.Numerics.LinearAlgebra;
using SampleSupport;

namespace Benchmarks;

/// <summary>One timed configuration: a tanh chain of the given width and depth on a batch.</summary>
internal sealed record BenchmarkRow(
    int Width, int Depth, int Batch, int Parameters, int BlockSize,
    Timing Gradient, Timing HessianVector, Timing Derivatives, Timing Factorization, Timing Solve,
    double FactorizationGflops, double FactorizationMegabytes, Timing? DenseSolve)
{
    /// <summary>The timed columns, by name, for the table, the CSV and the depth ratios.</summary>
    public static readonly string[] TimedColumns = ["gradient", "H v", "derivatives", "factorization", "solve", "dense LU solve"];

    public Timing? Column(int index) => index switch
    {
        0 => Gradient,
        1 => HessianVector,
        2 => Derivatives,
        3 => Factorization,
        4 => Solve,
        _ => DenseSolve,
    };
}

/// <summary>Builds tanh chains and times each step of the structured second-order pipeline on them.</summary>
internal static class ChainBenchmark
{
    public static Network Chain(int width, int depth) => BenchmarkNetworks.TanhChain(width, depth);

    public static Batch RandomBatch(int width, int count, int seed) =>
        BenchmarkNetworks.RandomBatch(width, BenchmarkNetworks.TanhClasses, count, seed);

    /// <summary>Times gradient, H v, derivatives, factorization, solve and (if small enough) a dense solve.</summary>
    public static BenchmarkRow Run(int width, int depth, int batchSize, BenchmarkOptions options)
    {
        Network network = Chain(width, depth);
        double[] parameters = network.RandomParameters(seed: depth);
        Batch batch = RandomBatch(width, batchSize, seed: width);
        int size = network.ParameterCount;
        var gradient = new double[size];
        var product = new double[size];
        var solution = new double[size];
        double[] direction = network.RandomParameters(seed: depth + 1);

        // The gradient from scratch as a first-order caller gets it: the forward and backward passes into the
        // gradient span, nothing kept (network.At, which keeps the pass for H v and the blocks, is --gradient's other column).
        Timing gradientTime = Time(() => network.LossAndGradient(parameters, batch, gradient), options);
        NetworkPoint point = network.At(parameters, batch);
        point.Gradient(gradient);
        Timing productTime = Time(() => point.HessianVector(direction, product), options);

        // Timed results are disposed at once, as a training loop does: the next call computes its blocks in their array.
        Timing derivativesTime = Time(() => point.Derivatives().Dispose(), options);
        HessianDerivatives derivatives = point.Derivatives();

        // What one factorization allocates: the memory it holds on to, plus short-lived panels.
        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        HessianFactorization factorization = derivatives.Factorize(options.Epsilon);
        double megabytes = (GC.GetAllocatedBytesForCurrentThread() - allocatedBefore) / 1e6;
        // Disposed as a caller that factors repeatedly does (a trust-region or Levenberg-Marquardt step): the next
        // factorization of the same derivatives stores its factors where the last one did.
        Timing factorizationTime = Time(() => derivatives.Factorize(options.Epsilon).Dispose(), options);
        Timing solveTime = Time(() => factorization.Solve(gradient, solution), options);
        double gflops = factorization.FlopCount / (factorizationTime.Milliseconds * 1e6);

        Timing? denseTime = null;
        if (size <= options.DenseLimit)
        {
            Matrix<double> dense = DampedHessian.Of(point.DenseHessian(), options.Epsilon);
            Vector<double> rhs = Vector<double>.Build.DenseOfArray(gradient);
            denseTime = Time(() => dense.LU().Solve(rhs), options);
        }

        int hiddenParameters = (width * width) + width;
        return new BenchmarkRow(width, depth, batchSize, size, hiddenParameters + (2 * batchSize * width),
            gradientTime, productTime, derivativesTime, factorizationTime, solveTime, gflops, megabytes, denseTime);
    }

    /// <summary>The target: derivatives, factorization and one solve in sequence, from a computed point.</summary>
    public static Timing RunTarget(int width, int depth, int batchSize, BenchmarkOptions options)
    {
        Network network = Chain(width, depth);
        NetworkPoint point = network.At(network.RandomParameters(seed: depth), RandomBatch(width, batchSize, seed: width));
        double[] gradient = point.Gradient();
        var solution = new double[gradient.Length];
        return Time(() =>
        {
            using HessianDerivatives derivatives = point.Derivatives();
            using HessianFactorization factorization = derivatives.Factorize(options.Epsilon);
            factorization.Solve(gradient, solution);
        }, options);
    }

    private static Timing Time(Action action, BenchmarkOptions options) =>
        MedianTimer.Measure(action, options.Repeats, options.BudgetSeconds);
}
