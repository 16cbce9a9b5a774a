using System;
using System.Diagnostics;

namespace HessianCodegen.Optimization;

/// <summary>
/// Stochastic gradient descent with heavy-ball momentum: <c>v = momentum v - rate g</c>, <c>x = x + v</c>,
/// with <c>g</c> the gradient on a fresh minibatch every step.
/// </summary>
public sealed class MomentumSgd : IOptimizer
{
    private readonly Network network;
    private readonly MinibatchSampler sampler;
    private readonly int batchSize;
    private readonly double learningRate;
    private readonly double momentum;
    private readonly double[] parameters;
    private readonly double[] velocity;
    private readonly double[] gradient;

    /// <summary>Starts at <paramref name="start"/> (copied).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The batch size, learning rate or momentum is out of range.</exception>
    public MomentumSgd(Network network, ReadOnlySpan<double> start, MinibatchSampler sampler, int batchSize, double learningRate, double momentum = 0.9)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(sampler);
        Guard.Length(start, network.ParameterCount, nameof(start));
        OptimizerGuard.BatchSize(batchSize, nameof(batchSize));
        OptimizerGuard.Positive(learningRate, nameof(learningRate));
        if (!(momentum >= 0 && momentum < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(momentum), momentum, $"momentum is {momentum}; expected a number in [0, 1).");
        }

        this.network = network;
        this.sampler = sampler;
        this.batchSize = batchSize;
        this.learningRate = learningRate;
        this.momentum = momentum;
        parameters = start.ToArray();
        velocity = new double[parameters.Length];
        gradient = new double[parameters.Length];
    }

    /// <inheritdoc/>
    public string Name => "sgd";

    /// <inheritdoc/>
    public ReadOnlySpan<double> Parameters => parameters;

    /// <inheritdoc/>
    public OptimizerStep Step()
    {
        long start = Stopwatch.GetTimestamp();
        // Only the loss and gradient: no point kept, nothing allocated but the minibatch.
        double loss = network.LossAndGradient(parameters, sampler.Next(batchSize), gradient);
        for (int i = 0; i < parameters.Length; i++)
        {
            velocity[i] = (momentum * velocity[i]) - (learningRate * gradient[i]);
            parameters[i] += velocity[i];
        }

        var timings = new StepTimings(Stopwatch.GetElapsedTime(start), TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero);
        return new OptimizerStep(loss, Accepted: true, timings, Factorizations: 0, Scale: learningRate);
    }
}
