using System;
using System.Linq;
using HessianCodegen.Layers;
using HessianCodegen.Optimization;
using Xunit;

namespace HessianCodegen.Tests.Optimization;

/// <summary>
/// The optimizers on a small network and a small fixed batch: exact curvature memorizes it in far fewer
/// steps than Adam, and a rejected trust-region step leaves the point alone and shrinks the radius.
/// </summary>
public sealed class TrainingTests
{
    private const double Memorized = 1e-8;

    [Fact]
    public void TrustRegionMemorizesAFixedBatchInFewerStepsThanAdam()
    {
        (Network network, Batch batch, double[] start) = Regression();
        var trustRegion = new TrustRegionOptimizer(network, start, new MinibatchSampler(batch, seed: 1),
            new TrustRegionSettings { CurvatureBatchSize = batch.Count });
        int trustRegionSteps = StepsToMemorize(trustRegion, maxSteps: 200);
        Assert.True(trustRegionSteps <= 200, "the trust-region method did not drive the loss below 1e-8 in 200 steps");

        // Adam with the best rate of a small grid, given twenty times as many steps.
        int adamSteps = new[] { 1e-3, 3e-3, 1e-2, 3e-2 }
            .Min(rate => StepsToMemorize(new Adam(network, start, new MinibatchSampler(batch, seed: 1), batch.Count, rate), 20 * trustRegionSteps));
        Assert.True(trustRegionSteps < adamSteps,
            $"trust region needed {trustRegionSteps} steps to reach a loss of 1e-8, Adam {adamSteps}; expected fewer for the trust region");
    }

    [Fact]
    public void RejectedStepKeepsThePointAndItsDerivativesAndShrinksTheRadius()
    {
        (Network network, Batch batch, double[] start) = Regression();
        int curvatureBuilt = 0;
        var optimizer = new TrustRegionOptimizer(network, start, new MinibatchSampler(batch, seed: 1),
            new TrustRegionSettings { CurvatureBatchSize = batch.Count, InitialRadius = 1000, MaxRadius = 1000 },
            point =>
            {
                curvatureBuilt++;
                return NetworkCurvature.For(point, HessianCodegen.Curvature.Hessian);
            },
            "trust-region");

        // A step to a radius of 1000 saturates every tanh: the model promises far more than the loss gives.
        OptimizerStep first = optimizer.Step();
        Assert.False(first.Accepted);
        Assert.Equal(250.0, optimizer.Radius);
        Assert.True(optimizer.Parameters.SequenceEqual(start), "a rejected step moved the parameters");

        OptimizerStep second = optimizer.Step();
        Assert.Equal(first.Loss, second.Loss);
        Assert.Equal(1, curvatureBuilt);
    }

    [Fact]
    public void SecondOrderOptimizersDisposeEveryCurvatureTheyAreDoneWithAndTheLastWithThemselves()
    {
        (Network network, Batch batch, double[] start) = Regression();
        var built = new System.Collections.Generic.List<CountingSystem>();
        Func<NetworkPoint, IShiftedSystem> Counted(HessianCodegen.Curvature curvature) => point =>
        {
            var system = new CountingSystem(NetworkCurvature.For(point, curvature));
            built.Add(system);
            return system;
        };

        IOptimizer[] optimizers =
        [
            new TrustRegionOptimizer(network, start, new MinibatchSampler(batch, seed: 1),
                new TrustRegionSettings { CurvatureBatchSize = batch.Count }, Counted(HessianCodegen.Curvature.Hessian), "trust-region"),
            new LevenbergMarquardtOptimizer(network, start, new MinibatchSampler(batch, seed: 1),
                new LevenbergMarquardtSettings { CurvatureBatchSize = batch.Count }, Counted(HessianCodegen.Curvature.Hessian)), // this loss layer has parameters
            new DampedNewtonOptimizer(network, start, new MinibatchSampler(batch, seed: 1), batch.Count, batch.Count, 1e-2,
                Counted(HessianCodegen.Curvature.Hessian)),
        ];
        foreach (IOptimizer optimizer in optimizers)
        {
            built.Clear();
            for (int step = 0; step < 10; step++)
            {
                optimizer.Step();
            }

            // All but the model the optimizer still stands on (none for Newton, which keeps no model between steps).
            Assert.True(built.Count >= 2, $"{optimizer.Name}: {built.Count} curvatures built in 10 steps; expected a few accepted steps");
            Assert.True(built.SkipLast(1).All(system => system.Disposed), $"{optimizer.Name}: a replaced curvature was not disposed");

            // And that one with the optimizer, which then takes no more steps.
            if (optimizer is IDisposable disposable)
            {
                disposable.Dispose();
                Assert.Throws<ObjectDisposedException>(() => optimizer.Step());
            }

            Assert.True(built.All(system => system.Disposed), $"{optimizer.Name}: the last curvature outlived the optimizer");
        }
    }

    private sealed class CountingSystem(IShiftedSystem inner) : IShiftedSystem
    {
        public bool Disposed { get; private set; }

        public int Dimension => inner.Dimension;

        public IShiftedFactorization Factorize(double shift) => inner.Factorize(shift);

        public void Multiply(ReadOnlySpan<double> v, Span<double> result) => inner.Multiply(v, result);

        public void Dispose()
        {
            Disposed = true;
            inner.Dispose();
        }
    }

    private static int StepsToMemorize(IOptimizer optimizer, int maxSteps)
    {
        TrainingProgress end = TrainingLoop.Run(optimizer, TimeSpan.MaxValue, maxSteps, progress => progress.Last.Loss >= Memorized);
        return end.Last.Loss < Memorized ? end.Step - 1 : maxSteps + 1;
    }

    /// <summary>A 3-6-6-2 tanh regression network on 6 examples: 80 parameters for 12 targets, so a zero loss exists.</summary>
    private static (Network Network, Batch Batch, double[] Start) Regression()
    {
        var network = new Network(new TanhLayer(3, 6), new TanhLayer(6, 6), new MeanSquaredErrorLayer(6, 2));
        var random = new Random(5);
        var inputs = new double[6, 3];
        var targets = new double[6, 2];
        for (int n = 0; n < 6; n++)
        {
            for (int j = 0; j < 3; j++)
            {
                inputs[n, j] = (2 * random.NextDouble()) - 1;
            }

            for (int k = 0; k < 2; k++)
            {
                targets[n, k] = random.NextDouble() - 0.5;
            }
        }

        return (network, Batch.WithTargets(inputs, targets), network.RandomParameters(seed: 3));
    }
}
