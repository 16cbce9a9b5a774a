using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using HessianCodegen.Optimization;
using Spectre.Console;

namespace Training;

/// <summary>
/// The live view while optimizers run: one line per optimizer with its step, its time, the loss on
/// its last batch and the latest validation accuracy. Redrawn at most ten times a second; where the
/// console is not interactive (redirected output), one plain line per finished run instead.
/// </summary>
internal sealed class ProgressDisplay
{
    private readonly Table table = new();
    private readonly Dictionary<string, int> rows = [];
    private readonly Stopwatch sinceRedraw = Stopwatch.StartNew();
    private readonly bool interactive = AnsiConsole.Profile.Capabilities.Interactive;
    private LiveDisplayContext? context;

    public ProgressDisplay(IEnumerable<string> names)
    {
        table.AddColumns("optimizer", "step", "time (s)", "batch loss", "val. accuracy", "note");
        foreach (string name in names)
        {
            rows[name] = rows.Count;
            table.AddRow(name, "", "", "", "", "waiting");
        }
    }

    /// <summary>Runs <paramref name="work"/> with the display live.</summary>
    public void Show(Action work)
    {
        if (!interactive)
        {
            work();
            return;
        }

        AnsiConsole.Live(table).Start(live =>
        {
            context = live;
            work();
            live.Refresh();
        });
    }

    public void Note(string name, string note)
    {
        table.UpdateCell(rows[name], 5, Markup.Escape(note));
        context?.Refresh();
        if (!interactive)
        {
            Console.WriteLine($"{name}: {note}");
        }
    }

    public void Update(RunRecord record, TrainingProgress progress, Evaluation? latest)
    {
        if (!interactive || (latest is null && sinceRedraw.ElapsedMilliseconds < 100))
        {
            return;
        }

        int row = rows[record.Name];
        table.UpdateCell(row, 1, progress.Step.ToString(CultureInfo.InvariantCulture));
        table.UpdateCell(row, 2, progress.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture));
        table.UpdateCell(row, 3, progress.Last.Loss.ToString("0.0000", CultureInfo.InvariantCulture));
        if (record.Evaluations.Count > 0)
        {
            table.UpdateCell(row, 4, record.Evaluations[^1].ValidationAccuracy.ToString("0.000", CultureInfo.InvariantCulture));
        }

        table.UpdateCell(row, 5, "running");
        context?.Refresh();
        sinceRedraw.Restart();
    }

    public void Finish(RunRecord record)
    {
        Evaluation? best = record.Best;
        string note = record.Failure is null ? "done" : "stopped: " + record.Failure;
        if (interactive)
        {
            int row = rows[record.Name];
            table.UpdateCell(row, 1, record.Steps.Count.ToString(CultureInfo.InvariantCulture));
            if (record.Steps.Count > 0)
            {
                table.UpdateCell(row, 2, record.Steps[^1].Seconds.ToString("0.0", CultureInfo.InvariantCulture));
                table.UpdateCell(row, 3, record.Steps[^1].BatchLoss.ToString("0.0000", CultureInfo.InvariantCulture));
            }

            table.UpdateCell(row, 4, record.Evaluations[^1].ValidationAccuracy.ToString("0.000", CultureInfo.InvariantCulture));
            table.UpdateCell(row, 5, Markup.Escape(note));
            context?.Refresh();
            return;
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{record.Name}: {record.Steps.Count} steps, {(record.Steps.Count > 0 ? record.Steps[^1].Seconds : 0):0.0} s, best test loss {best?.TestLoss:0.0000}; {note}"));
    }
}
