using System;
using System.Diagnostics;
using HessianCodegen.LinearAlgebra;

namespace HessianCodegen.Optimization;

/// <summary>
/// Gauss-Newton with Levenberg-Marquardt damping: <c>(G + mu I) p = -g</c> with the generalized
/// Gauss-Newton matrix <c>G</c> (positive semi-definite), <c>mu</c> adapted by the ratio of actual to
/// predicted reduction (Nielsen's rule: shrink by up to 3 after a good step, double, then quadruple,
/// after a rejected one). One factorization per step; a rejected step keeps the point and its derivatives.
/// </summary>
public sealed class LevenbergMarquardtOptimizer : IOptimizer, IDisposable
{
    private readonly Network network;
    private readonly MinibatchSampler sampler;
    private readonly LevenbergMarquardtSettings settings;
    private readonly Func<NetworkPoint, IShiftedSystem> curvature;
    private double[] parameters;
    private double damping;
    private double growth = 2;
    private LocalModel? model;
    private NetworkPoint? accepted;
    private bool disposed;

    /// <summary>Starts at <paramref name="start"/> (copied); batches come from <paramref name="sampler"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="start"/> has the wrong length.</exception>
    /// <exception cref="InvalidOperationException">The network's loss layer has parameters (Gauss-Newton needs it parameterless).</exception>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range (the message names it).</exception>
    public LevenbergMarquardtOptimizer(Network network, ReadOnlySpan<double> start, MinibatchSampler sampler, LevenbergMarquardtSettings settings)
        : this(network, start, sampler, settings, point => NetworkCurvature.For(point, Curvature.GaussNewton))
    {
        GaussNewtonLossCheck.Require(network);
    }

    internal LevenbergMarquardtOptimizer(Network network, ReadOnlySpan<double> start, MinibatchSampler sampler,
        LevenbergMarquardtSettings settings, Func<NetworkPoint, IShiftedSystem> curvature)
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
        damping = settings.InitialDamping;
    }

    /// <inheritdoc/>
    public string Name => "gauss-newton";

    /// <inheritdoc/>
    public ReadOnlySpan<double> Parameters => parameters;

    /// <summary>The current damping <c>mu</c>.</summary>
    public double Damping => damping;

    /// <inheritdoc/>
    /// <exception cref="ObjectDisposedException">The optimizer was disposed.</exception>
    public OptimizerStep Step()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        var timings = default(StepTimings);
        model ??= LocalModel.Build(network, parameters, sampler, settings.GradientBatchSize, settings.CurvatureBatchSize,
            curvature, accepted, ref timings);
        LocalModel current = model;
        double[] g = current.Gradient;

        long start = Stopwatch.GetTimestamp();
        long factored;
        var p = new double[g.Length];

        // Disposed once solved: a rejected step factors the same curvature again, on this storage.
        using (IShiftedFactorization factorization = current.Curvature.Factorize(damping))
        {
            factored = Stopwatch.GetTimestamp();
            factorization.Solve(g, p);
        }

        for (int i = 0; i < p.Length; i++)
        {
            p[i] = -p[i];
        }

        timings += new StepTimings(TimeSpan.Zero, TimeSpan.Zero, Stopwatch.GetElapsedTime(start, factored), Stopwatch.GetElapsedTime(factored));

        // With (G + mu I) p = -g: -(g^T p + p^T G p / 2) = (-g^T p + mu ||p||^2) / 2, both terms >= 0.
        double predicted = 0.5 * (-VectorKernels.Dot(g, p) + (damping * VectorKernels.Dot(p, p)));
        NetworkPoint? trial = current.Trial(p, 1.0, ref timings);
        double ratio = trial is null ? double.NaN : TrustRegionRadius.Ratio(current.Loss - trial.Loss, predicted);
        bool taken = trial is not null && ratio > settings.Eta;
        if (taken)
        {
            damping *= Math.Max(1.0 / 3, 1 - Math.Pow((2 * ratio) - 1, 3));
            growth = 2;
            parameters = trial!.Parameters.ToArray();
            accepted = trial;
            current.Dispose(); // the next point's derivatives reuse this one's storage
            model = null;
        }
        else
        {
            damping *= growth;
            growth *= 2;
        }

        return new OptimizerStep(current.Loss, taken, timings, Factorizations: 1, Scale: damping);
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
