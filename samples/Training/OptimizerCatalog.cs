using System;
using System.Globalization;
using HessianCodegen;
using HessianCodegen.Optimization;

namespace Training;

/// <summary>
/// Builds each optimizer of the comparison by name, all on the same network, start and training
/// batch, each with its own minibatch order from the same seed.
/// </summary>
internal sealed class OptimizerCatalog(Network network, double[] start, Batch train, TrainingOptions options)
{
    /// <summary>Damping of the plain Newton direction: small, as a user trying Newton would pick it.</summary>
    public const double NewtonDamping = 1e-3;

    private int GradientBatch => options.GradientBatch == 0 ? train.Count : options.GradientBatch;

    private MinibatchSampler Sampler() => new(train, options.Seed);

    public IOptimizer FirstOrder(string name, double rate) => name switch
    {
        "sgd" => new MomentumSgd(network, start, Sampler(), options.Batch, rate),
        "adam" => new Adam(network, start, Sampler(), options.Batch, rate),
        _ => throw new ArgumentException($"{name} is not a first-order optimizer; expected sgd or adam.", nameof(name)),
    };

    /// <summary>The second-order optimizer <paramref name="name"/> and its settings in a few words.</summary>
    public (IOptimizer Optimizer, string Settings) SecondOrder(string name)
    {
        string batches = string.Create(CultureInfo.InvariantCulture,
            $"gradient batch {GradientBatch}, curvature batch {Math.Min(options.CurvatureBatch, GradientBatch)}");
        int curvatureBatch = Math.Min(options.CurvatureBatch, GradientBatch);
        return name switch
        {
            "trust-region" => (new TrustRegionOptimizer(network, start, Sampler(), new TrustRegionSettings
            {
                GradientBatchSize = GradientBatch,
                CurvatureBatchSize = curvatureBatch,
                Curvature = Curvature.Hessian,
            }), $"exact H, {batches}"),
            "trust-region-gn" => (new TrustRegionOptimizer(network, start, Sampler(), new TrustRegionSettings
            {
                GradientBatchSize = GradientBatch,
                CurvatureBatchSize = curvatureBatch,
                Curvature = Curvature.GaussNewton,
            }), $"exact G, {batches}"),
            "gauss-newton" => (new LevenbergMarquardtOptimizer(network, start, Sampler(), new LevenbergMarquardtSettings
            {
                GradientBatchSize = GradientBatch,
                CurvatureBatchSize = curvatureBatch,
            }), $"Levenberg-Marquardt, {batches}"),
            "newton" => (new DampedNewtonOptimizer(network, start, Sampler(), GradientBatch, curvatureBatch, NewtonDamping),
                string.Create(CultureInfo.InvariantCulture, $"eps {NewtonDamping}, line search, {batches}")),
            _ => throw new ArgumentException($"{name} is not a second-order optimizer.", nameof(name)),
        };
    }
}
