using System;
using System.Collections.Generic;
using HessianCodegen.Optimization;

namespace Training;

/// <summary>
/// Picks SGD's and Adam's learning rates: each rate of a small grid (half-decades around the usual
/// choices) trains from the common start for a short budget, and the rate with the lowest
/// validation loss seen along the way wins. The test set plays no part.
/// </summary>
internal static class LearningRateGrid
{
    public static readonly double[] Sgd = [0.01, 0.03, 0.1, 0.3];
    public static readonly double[] Adam = [1e-3, 3e-3, 1e-2, 3e-2];

    /// <summary>The grid of <paramref name="optimizer"/> ("sgd" or "adam").</summary>
    public static double[] For(string optimizer) => optimizer == "sgd" ? Sgd : Adam;

    /// <summary>The best rate and, per rate, the lowest validation loss it reached.</summary>
    public static (double Rate, List<(double Rate, double ValidationLoss)> Trials) Tune(
        double[] rates, Func<double, IOptimizer> create, TimeSpan budget, Evaluator validation)
    {
        var trials = new List<(double, double)>();
        double bestRate = rates[0];
        double bestLoss = double.PositiveInfinity;
        foreach (double rate in rates)
        {
            IOptimizer optimizer = create(rate);
            double lowest = validation.Evaluate(optimizer.Parameters).Loss;
            TimeSpan due = budget / 20;
            try
            {
                TrainingLoop.Run(optimizer, budget, int.MaxValue, progress =>
                {
                    if (progress.Elapsed >= due)
                    {
                        lowest = Math.Min(lowest, validation.Evaluate(optimizer.Parameters).Loss);
                        due = progress.Elapsed + (budget / 20);
                    }

                    return true;
                });
                lowest = Math.Min(lowest, validation.Evaluate(optimizer.Parameters).Loss);
            }
            catch (ArithmeticException)
            {
                // The rate diverged (the loss overflowed): keep what it reached before.
            }

            trials.Add((rate, lowest));
            if (lowest < bestLoss)
            {
                (bestRate, bestLoss) = (rate, lowest);
            }
        }

        return (bestRate, trials);
    }
}
