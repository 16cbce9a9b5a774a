using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using HessianCodegen.Optimization;
using Spectre.Console;

namespace Training;

/// <summary>
/// The final comparison: per optimizer the best test loss and the test accuracy there, when it first
/// reached Adam's best test loss, its steps, and for the second-order methods where the time went.
/// </summary>
internal static class SummaryTable
{
    public static Table Build(IReadOnlyList<RunRecord> records)
    {
        RunRecord? adam = records.FirstOrDefault(record => record.Name == "adam");
        double? target = adam?.Best?.TestLoss;
        var table = new Table()
            .AddColumns("optimizer", "settings", "best test loss", "test acc.", "at (s)",
                target is null ? "to Adam's best (s)" : string.Create(CultureInfo.InvariantCulture, $"to {target:0.0000} (s)"),
                "steps", "rejected", "grad. (s)", "deriv. (s)", "factor. (s)", "solve (s)");
        foreach (RunRecord record in records)
        {
            Evaluation? best = record.Best;
            Evaluation? reached = target is null ? null : record.FirstReaching(target.Value);
            bool secondOrder = record.Timings.Factorization > System.TimeSpan.Zero;
            StepTimings t = record.Timings;
            table.AddRow(
                record.Name,
                Markup.Escape(record.Settings),
                best is null ? "-" : F(best.TestLoss, "0.0000"),
                best is null ? "-" : F(best.TestAccuracy, "0.000"),
                best is null ? "-" : F(best.Seconds, "0.0"),
                reached is null ? "not reached" : F(reached.Seconds, "0.0"),
                record.Steps.Count.ToString(CultureInfo.InvariantCulture),
                record.Steps.Count(step => !step.Accepted).ToString(CultureInfo.InvariantCulture),
                F(t.Gradient.TotalSeconds, "0.0"),
                secondOrder ? F(t.Derivatives.TotalSeconds, "0.0") : "-",
                secondOrder ? F(t.Factorization.TotalSeconds, "0.0") : "-",
                secondOrder ? F(t.Solve.TotalSeconds, "0.0") : "-");
        }

        return table;
    }

    private static string F(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);
}
