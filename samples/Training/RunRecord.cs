using System.Collections.Generic;
using HessianCodegen.Optimization;

namespace Training;

/// <summary>One evaluation of the parameters on the held-out sets, at a step and a time of the optimizer.</summary>
internal sealed record Evaluation(int Step, double Seconds, double TestLoss, double TestAccuracy, double ValidationLoss, double ValidationAccuracy);

/// <summary>One optimizer step as the CSV holds it.</summary>
internal sealed record StepRow(int Step, double Seconds, double BatchLoss, bool Accepted, double Scale, int Factorizations,
    StepTimings Timings, Evaluation? Evaluation);

/// <summary>Everything one optimizer's run produced.</summary>
internal sealed class RunRecord(string name, string settings)
{
    public string Name { get; } = name;

    /// <summary>The optimizer's settings in a few words ("rate 0.003, batch 32").</summary>
    public string Settings { get; } = settings;

    public List<StepRow> Steps { get; } = [];

    public List<Evaluation> Evaluations { get; } = [];

    public StepTimings Timings { get; set; }

    /// <summary>Why the run ended early, or null.</summary>
    public string? Failure { get; set; }

    public Evaluation? Best
    {
        get
        {
            Evaluation? best = null;
            foreach (Evaluation evaluation in Evaluations)
            {
                if (best is null || evaluation.TestLoss < best.TestLoss)
                {
                    best = evaluation;
                }
            }

            return best;
        }
    }

    /// <summary>The first evaluation whose test loss is at most <paramref name="target"/>, or null.</summary>
    public Evaluation? FirstReaching(double target) => Evaluations.Find(evaluation => evaluation.TestLoss <= target);
}
