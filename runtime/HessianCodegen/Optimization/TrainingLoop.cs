using System;
using System.Diagnostics;

namespace HessianCodegen.Optimization;

/// <summary>
/// Runs an optimizer for a budget of its own time or of steps, reporting every step to a callback.
/// The callback's time (evaluating held-out data, drawing a display) is not charged to the optimizer.
/// </summary>
public static class TrainingLoop
{
    /// <summary>
    /// Steps <paramref name="optimizer"/> until <paramref name="budget"/> of its time has passed,
    /// <paramref name="maxSteps"/> steps were taken, or <paramref name="progress"/> returns false.
    /// </summary>
    /// <returns>The progress after the last step (step 0 when none was taken).</returns>
    /// <exception cref="ArgumentOutOfRangeException">The budget is negative or the step limit below 0.</exception>
    public static TrainingProgress Run(IOptimizer optimizer, TimeSpan budget, int maxSteps, Func<TrainingProgress, bool>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        if (budget < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(budget), budget, $"budget is {budget}; expected a duration >= 0.");
        }

        if (maxSteps < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(maxSteps), maxSteps, $"maxSteps is {maxSteps}; expected a count >= 0.");
        }

        var state = default(TrainingProgress);
        TimeSpan elapsed = TimeSpan.Zero;
        var timings = default(StepTimings);
        for (int step = 1; step <= maxSteps && elapsed < budget; step++)
        {
            long start = Stopwatch.GetTimestamp();
            OptimizerStep last = optimizer.Step();
            elapsed += Stopwatch.GetElapsedTime(start);
            timings += last.Timings;
            state = new TrainingProgress(step, elapsed, last, timings);
            if (progress is not null && !progress(state))
            {
                break;
            }
        }

        return state;
    }
}
