using System;
using HessianCodegen.Optimization;

namespace Training;

/// <summary>
/// Runs one optimizer for its budget and records every step, evaluating the held-out sets about a
/// hundred times along the way (and at the start and the end). The evaluations are not charged to
/// the optimizer's clock.
/// </summary>
internal static class OptimizerRun
{
    private const int Evaluations = 100;

    /// <summary>What a display is told after every step.</summary>
    public delegate void Report(RunRecord record, TrainingProgress progress, Evaluation? latest);

    public static RunRecord Run(IOptimizer optimizer, string settings, TimeSpan budget, Evaluator test, Evaluator validation, Report? report)
    {
        var record = new RunRecord(optimizer.Name, settings);
        TimeSpan interval = budget / Evaluations;
        TimeSpan due = interval;
        record.Evaluations.Add(Evaluate(optimizer, 0, TimeSpan.Zero, test, validation));
        TrainingProgress end = default;
        try
        {
            end = TrainingLoop.Run(optimizer, budget, int.MaxValue, progress =>
            {
                Evaluation? evaluation = null;
                if (progress.Elapsed >= due)
                {
                    evaluation = Evaluate(optimizer, progress.Step, progress.Elapsed, test, validation);
                    record.Evaluations.Add(evaluation);
                    due = progress.Elapsed + interval;
                }

                OptimizerStep last = progress.Last;
                record.Steps.Add(new StepRow(progress.Step, progress.Elapsed.TotalSeconds, last.Loss, last.Accepted, last.Scale,
                    last.Factorizations, last.Timings, evaluation));
                record.Timings = progress.Timings;
                report?.Invoke(record, progress, evaluation);
                return true;
            });
        }
        catch (ArithmeticException e)
        {
            // A step that cannot be computed (a singular system, a search that did not converge) ends
            // this optimizer's run, not the comparison.
            record.Failure = e.Message;
        }

        if (record.Steps.Count > 0 && record.Steps[^1].Evaluation is null)
        {
            StepRow last = record.Steps[^1];
            Evaluation final = Evaluate(optimizer, last.Step, TimeSpan.FromSeconds(last.Seconds), test, validation);
            record.Evaluations.Add(final);
            record.Steps[^1] = last with { Evaluation = final };
            report?.Invoke(record, end, final);
        }

        return record;
    }

    private static Evaluation Evaluate(IOptimizer optimizer, int step, TimeSpan elapsed, Evaluator test, Evaluator validation)
    {
        (double testLoss, double testAccuracy) = test.Evaluate(optimizer.Parameters);
        (double validationLoss, double validationAccuracy) = validation.Evaluate(optimizer.Parameters);
        return new Evaluation(step, elapsed.TotalSeconds, testLoss, testAccuracy, validationLoss, validationAccuracy);
    }
}
