using System;

namespace HessianCodegen.Optimization;

/// <summary>
/// The trust-region method of Nocedal and Wright (Algorithm 4.1) with the exact subproblem solution
/// of <see cref="TrustRegionSubproblem"/>: curvature on a minibatch, gradient and ratio test on a
/// larger batch (subsampled Newton). A rejected step keeps the point, its batches and its derivatives,
/// so the next try costs only the factorizations of the smaller radius.
/// </summary>
public sealed class TrustRegionOptimizer : IOptimizer, IDisposable
{
    private readonly Network network;
    private readonly MinibatchSampler sampler;
    private readonly TrustRegionSettings settings;
    private readonly Func<NetworkPoint, IShiftedSystem> curvature;
    private double[] parameters;
    private double radius;
    private LocalModel? model;
    private NetworkPoint? accepted;
    private bool disposed;

    /// <summary>Starts at <paramref name="start"/> (copied); batches come from <paramref name="sampler"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="start"/> has the wrong length.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range (the message names it).</exception>
    /// <exception cref="InvalidOperationException">Gauss-Newton curvature on a network whose loss layer has parameters.</exception>
    public TrustRegionOptimizer(Network network, ReadOnlySpan<double> start, MinibatchSampler sampler, TrustRegionSettings settings)
        : this(network, start, sampler, settings, point => NetworkCurvature.For(point, settings.Curvature),
            settings?.Curvature == Curvature.GaussNewton ? "trust-region-gn" : "trust-region")
    {
        if (settings!.Curvature == Curvature.GaussNewton)
        {
            GaussNewtonLossCheck.Require(network);
        }
    }

    internal TrustRegionOptimizer(Network network, ReadOnlySpan<double> start, MinibatchSampler sampler,
        TrustRegionSettings settings, Func<NetworkPoint, IShiftedSystem> curvature, string name)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(sampler);
        ArgumentNullException.ThrowIfNull(settings);
        Guard.Length(start, network.ParameterCount, nameof(start));
        settings.Validate();
        this.network = network;
        this.sampler = sampler;
        this.settings = settings;
        this.curvature = curvature;
        parameters = start.ToArray();
        radius = settings.InitialRadius;
        Name = name;
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <inheritdoc/>
    public ReadOnlySpan<double> Parameters => parameters;

    /// <summary>The current radius.</summary>
    public double Radius => radius;

    /// <summary>The last step's subproblem solution (for diagnostics), null before the first step.</summary>
    public TrustRegionSolution? LastSolution { get; private set; }

    /// <inheritdoc/>
    /// <exception cref="ObjectDisposedException">The optimizer was disposed.</exception>
    public OptimizerStep Step()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        var timings = default(StepTimings);
        model ??= LocalModel.Build(network, parameters, sampler, settings.GradientBatchSize, settings.CurvatureBatchSize,
            curvature, accepted, ref timings);
        LocalModel current = model;
        TrustRegionSolution solution = TrustRegionSubproblem.Solve(current.Curvature, current.Gradient, radius, settings.SubproblemTolerance);
        timings += new StepTimings(TimeSpan.Zero, TimeSpan.Zero, solution.FactorizationTime, solution.SolveTime);
        LastSolution = solution;

        NetworkPoint? trial = current.Trial(solution.Step, 1.0, ref timings);
        double ratio = trial is null
            ? double.NaN
            : TrustRegionRadius.Ratio(current.Loss - trial.Loss, solution.PredictedReduction);
        bool taken = trial is not null && TrustRegionRadius.Accepts(ratio, settings.Eta);
        radius = TrustRegionRadius.Update(radius, ratio, solution.OnBoundary, settings.MaxRadius);
        if (taken)
        {
            parameters = trial!.Parameters.ToArray();
            accepted = trial;
            current.Dispose(); // the next point's derivatives reuse this one's storage
            model = null;
        }

        return new OptimizerStep(current.Loss, taken, timings, solution.Factorizations, radius);
    }

    /// <summary>
    /// Gives the derivatives of the point it stands on back to the pool the process shares, so that the next derivatives
    /// computed (another optimizer's, say) reuse their storage; optional, as for <see cref="HessianDerivatives"/>. After it,
    /// <see cref="Step"/> throws <see cref="ObjectDisposedException"/>; <see cref="Parameters"/> stays readable.
    /// </summary>
    public void Dispose()
    {
        disposed = true;
        model?.Dispose();
        model = null;
    }
}
