using System;
using System.Diagnostics;
using HessianCodegen.LinearAlgebra;

namespace HessianCodegen.Optimization;

/// <summary>
/// The damped Newton direction <c>d = -(H + eps I)^-1 g</c> with a fixed <c>eps</c> and a backtracking
/// (Armijo) line search on the gradient batch: the step the seed paper's readers try first, here for
/// comparison. Where <c>H + eps I</c> is indefinite <c>d</c> can point uphill; then its opposite is searched.
/// </summary>
public sealed class DampedNewtonOptimizer : IOptimizer
{
    private const double Armijo = 1e-4;
    private const int MaxHalvings = 30;

    private readonly Network network;
    private readonly MinibatchSampler sampler;
    private readonly int gradientBatchSize;
    private readonly int curvatureBatchSize;
    private readonly double damping;
    private readonly Func<NetworkPoint, IShiftedSystem> curvature;
    private double[] parameters;
    private NetworkPoint? accepted;

    /// <summary>
    /// Starts at <paramref name="start"/> (copied); the gradient on <paramref name="gradientBatchSize"/>
    /// examples, the Hessian on the first <paramref name="curvatureBatchSize"/> of them.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="start"/> has the wrong length.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A batch size or the damping is out of range.</exception>
    public DampedNewtonOptimizer(Network network, ReadOnlySpan<double> start, MinibatchSampler sampler,
        int gradientBatchSize, int curvatureBatchSize, double damping)
        : this(network, start, sampler, gradientBatchSize, curvatureBatchSize, damping, point => NetworkCurvature.For(point, Curvature.Hessian))
    {
    }

    internal DampedNewtonOptimizer(Network network, ReadOnlySpan<double> start, MinibatchSampler sampler,
        int gradientBatchSize, int curvatureBatchSize, double damping, Func<NetworkPoint, IShiftedSystem> curvature)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(sampler);
        Guard.Length(start, network.ParameterCount, nameof(start));
        OptimizerGuard.BatchSize(gradientBatchSize, nameof(gradientBatchSize));
        OptimizerGuard.BatchSize(curvatureBatchSize, nameof(curvatureBatchSize));
        OptimizerGuard.Positive(damping, nameof(damping));
        this.network = network;
        this.sampler = sampler;
        this.gradientBatchSize = gradientBatchSize;
        this.curvatureBatchSize = curvatureBatchSize;
        this.damping = damping;
        this.curvature = curvature;
        parameters = start.ToArray();
    }

    /// <inheritdoc/>
    public string Name => "newton";

    /// <inheritdoc/>
    public ReadOnlySpan<double> Parameters => parameters;

    /// <inheritdoc/>
    public OptimizerStep Step()
    {
        var timings = default(StepTimings);
        using LocalModel model = LocalModel.Build(network, parameters, sampler, gradientBatchSize, curvatureBatchSize, curvature, accepted, ref timings);
        double[] g = model.Gradient;

        long start = Stopwatch.GetTimestamp();
        long factored;
        var d = new double[g.Length];
        using (IShiftedFactorization factorization = model.Curvature.Factorize(damping))
        {
            factored = Stopwatch.GetTimestamp();
            factorization.Solve(g, d);
        }

        timings += new StepTimings(TimeSpan.Zero, TimeSpan.Zero, Stopwatch.GetElapsedTime(start, factored), Stopwatch.GetElapsedTime(factored));

        // d = -(H + eps I)^-1 g, or its opposite when that is the one going downhill.
        double slope = -VectorKernels.Dot(g, d);
        double sign = slope < 0 ? -1.0 : 1.0;
        slope = -Math.Abs(slope);
        double length = 1;
        for (int halving = 0; halving <= MaxHalvings; halving++, length *= 0.5)
        {
            NetworkPoint? trial = model.Trial(d, sign * length, ref timings);
            if (trial is not null && trial.Loss <= model.Loss + (Armijo * length * slope))
            {
                parameters = trial.Parameters.ToArray();
                accepted = trial;
                return new OptimizerStep(model.Loss, Accepted: true, timings, Factorizations: 1, Scale: length);
            }
        }

        accepted = null;
        return new OptimizerStep(model.Loss, Accepted: false, timings, Factorizations: 1, Scale: 0);
    }
}
