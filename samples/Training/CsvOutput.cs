using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;

namespace Training;

/// <summary>steps.csv: one row per step of every optimizer; the held-out columns are filled where it was evaluated.</summary>
internal static class CsvOutput
{
    public const string Header =
        "optimizer,step,seconds,batch_loss,accepted,scale,factorizations,gradient_s,derivatives_s,factorization_s,solve_s," +
        "test_loss,test_accuracy,validation_loss,validation_accuracy";

    public static void Write(string path, IReadOnlyList<RunRecord> records)
    {
        var text = new StringBuilder().AppendLine(Header);
        foreach (RunRecord record in records)
        {
            foreach (StepRow row in record.Steps)
            {
                Evaluation? e = row.Evaluation;
                text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                    $"{record.Name},{row.Step},{row.Seconds:R},{row.BatchLoss:R},{(row.Accepted ? 1 : 0)},{row.Scale:R},{row.Factorizations}," +
                    $"{row.Timings.Gradient.TotalSeconds:R},{row.Timings.Derivatives.TotalSeconds:R},{row.Timings.Factorization.TotalSeconds:R}," +
                    $"{row.Timings.Solve.TotalSeconds:R},{e?.TestLoss:R},{e?.TestAccuracy:R},{e?.ValidationLoss:R},{e?.ValidationAccuracy:R}"));
            }
        }

        File.WriteAllText(path, text.ToString());
    }
}
