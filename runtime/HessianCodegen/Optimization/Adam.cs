using System;
using System.Diagnostics;

namespace HessianCodegen.Optimization;

/// <summary>
/// Adam (Kingma and Ba, 2015): per-parameter steps from bias-corrected running means of the
/// gradient and of its square, with the gradient on a fresh minibatch every step.
/// </summary>
public sealed class Adam : IOptimizer
{
    private readonly Network network;
    private readonly MinibatchSampler sampler;
    private readonly int batchSize;
    private readonly double learningRate;
    private readonly double beta1;
    private readonly double beta2;
    private readonly double epsilon;
    private readonly double[] parameters;
    private readonly double[] mean;
    private readonly double[] square;
    private readonly double[] gradient;
    private int steps;

    /// <summary>Starts at <paramref name="start"/> (copied), with the usual constants by default.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The batch size, a rate or a constant is out of range.</exception>
    public Adam(Network network, ReadOnlySpan<double> start, MinibatchSampler sampler, int batchSize, double learningRate,
        double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(sampler);
        Guard.Length(start, network.ParameterCount, nameof(start));
        OptimizerGuard.BatchSize(batchSize, nameof(batchSize));
        OptimizerGuard.Positive(learningRate, nameof(learningRate));
        OptimizerGuard.Fraction(beta1, nameof(beta1));
        OptimizerGuard.Fraction(beta2, nameof(beta2));
        OptimizerGuard.Positive(epsilon, nameof(epsilon));
        this.network = network;
        this.sampler = sampler;
        this.batchSize = batchSize;
        this.learningRate = learningRate;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
        parameters = start.ToArray();
        mean = new double[parameters.Length];
        square = new double[parameters.Length];
        gradient = new double[parameters.Length];
    }

    /// <inheritdoc/>
    public string Name => "adam";

    /// <inheritdoc/>
    public ReadOnlySpan<double> Parameters => parameters;

    /// <inheritdoc/>
    public OptimizerStep Step()
    {
        long start = Stopwatch.GetTimestamp();
        // Only the loss and gradient: no point kept, nothing allocated but the minibatch.
        double loss = network.LossAndGradient(parameters, sampler.Next(batchSize), gradient);
        steps++;
        double meanCorrection = 1 - Math.Pow(beta1, steps);
        double squareCorrection = 1 - Math.Pow(beta2, steps);
        for (int i = 0; i < parameters.Length; i++)
        {
            mean[i] = (beta1 * mean[i]) + ((1 - beta1) * gradient[i]);
            square[i] = (beta2 * square[i]) + ((1 - beta2) * gradient[i] * gradient[i]);
            parameters[i] -= learningRate * (mean[i] / meanCorrection) / (Math.Sqrt(square[i] / squareCorrection) + epsilon);
        }

        var timings = new StepTimings(Stopwatch.GetElapsedTime(start), TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero);
        return new OptimizerStep(loss, Accepted: true, timings, Factorizations: 0, Scale: learningRate);
    }
}
