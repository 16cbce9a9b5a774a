using System;
using System.Diagnostics;

namespace HessianCodegen.Optimization;

/// <summary>
/// What a second-order step builds at its point and keeps while steps there are rejected: the loss
/// and gradient on the gradient batch, and the curvature (derivatives computed once) on the curvature
/// batch. Also evaluates trial points on the same gradient batch, so that the ratio test compares
/// like with like. Disposing it disposes the curvature, whose derivatives the next model then reuses.
/// </summary>
internal sealed class LocalModel : IDisposable
{
    private LocalModel(NetworkPoint point, double[] gradient, IShiftedSystem curvature)
    {
        Point = point;
        Gradient = gradient;
        Curvature = curvature;
    }

    public NetworkPoint Point { get; }

    public double Loss => Point.Loss;

    public double[] Gradient { get; }

    public IShiftedSystem Curvature { get; }

    /// <summary>Gives the curvature's storage back for the next model's (<see cref="IShiftedSystem"/>).</summary>
    public void Dispose() => Curvature.Dispose();

    /// <summary>
    /// Builds the model at <paramref name="parameters"/>. <paramref name="reusable"/> is the last
    /// accepted trial point: when the new gradient batch is the same batch (full-batch gradients) its
    /// forward and backward pass is not repeated.
    /// </summary>
    public static LocalModel Build(Network network, ReadOnlySpan<double> parameters, MinibatchSampler sampler,
        int gradientBatchSize, int curvatureBatchSize, Func<NetworkPoint, IShiftedSystem> curvature,
        NetworkPoint? reusable, ref StepTimings timings)
    {
        long start = Stopwatch.GetTimestamp();
        (Batch gradientBatch, Batch curvatureBatch) = sampler.Next(gradientBatchSize, Math.Min(curvatureBatchSize, gradientBatchSize));
        NetworkPoint point = reusable is not null && ReferenceEquals(reusable.Batch, gradientBatch)
            ? reusable
            : network.At(parameters, gradientBatch);
        double[] gradient = point.Gradient();
        NetworkPoint curvaturePoint = ReferenceEquals(curvatureBatch, gradientBatch) ? point : network.At(parameters, curvatureBatch);
        long built = Stopwatch.GetTimestamp();
        IShiftedSystem system = curvature(curvaturePoint);
        timings += new StepTimings(Stopwatch.GetElapsedTime(start, built), Stopwatch.GetElapsedTime(built), TimeSpan.Zero, TimeSpan.Zero);
        return new LocalModel(point, gradient, system);
    }

    /// <summary>
    /// The point <c>x + step</c> on the gradient batch, or null when the loss there is not finite
    /// (an activation overflowed: the step was far too long).
    /// </summary>
    public NetworkPoint? Trial(ReadOnlySpan<double> step, double scale, ref StepTimings timings)
    {
        long start = Stopwatch.GetTimestamp();
        ReadOnlySpan<double> x = Point.Parameters;
        var trial = new double[x.Length];
        for (int i = 0; i < trial.Length; i++)
        {
            trial[i] = x[i] + (scale * step[i]);
        }

        NetworkPoint? point;
        try
        {
            point = Point.Network.At(trial, Point.Batch);
        }
        catch (ArithmeticException)
        {
            point = null;
        }

        timings += new StepTimings(Stopwatch.GetElapsedTime(start), TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero);
        return point;
    }
}
