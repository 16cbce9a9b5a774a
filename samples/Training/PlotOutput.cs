using System;
using System.Collections.Generic;
using System.IO;
using OxyPlot;
using OxyPlot.Axes;
using OxyPlot.Legends;
using OxyPlot.Series;

namespace Training;

/// <summary>The two plots, as SVG (OxyPlot's own exporter, no native code): test loss against time and against steps.</summary>
internal static class PlotOutput
{
    public static void Write(string folder, IReadOnlyList<RunRecord> records, string caption)
    {
        Write(Path.Combine(folder, "test-loss-vs-time.svg"), records, caption, "optimizer time (s)", evaluation => evaluation.Seconds);
        Write(Path.Combine(folder, "test-loss-vs-steps.svg"), records, caption, "steps", evaluation => evaluation.Step);
    }

    private static void Write(string path, IReadOnlyList<RunRecord> records, string caption, string xTitle, Func<Evaluation, double> x)
    {
        var model = new PlotModel { Title = "Test loss", Subtitle = caption, Background = OxyColors.White };
        model.Legends.Add(new Legend { LegendPosition = LegendPosition.RightTop, LegendPlacement = LegendPlacement.Inside });
        model.Axes.Add(new LinearAxis { Position = AxisPosition.Bottom, Title = xTitle, MajorGridlineStyle = LineStyle.Dot });
        model.Axes.Add(new LogarithmicAxis { Position = AxisPosition.Left, Title = "test loss (mean cross-entropy)", MajorGridlineStyle = LineStyle.Dot });
        foreach (RunRecord record in records)
        {
            var series = new LineSeries { Title = record.Name, StrokeThickness = 1.5 };
            foreach (Evaluation evaluation in record.Evaluations)
            {
                if (evaluation.TestLoss > 0 && double.IsFinite(evaluation.TestLoss))
                {
                    series.Points.Add(new DataPoint(x(evaluation), evaluation.TestLoss));
                }
            }

            model.Series.Add(series);
        }

        var exporter = new SvgExporter { Width = 800, Height = 450 };
        using FileStream stream = File.Create(path);
        exporter.Export(model, stream);
    }
}
