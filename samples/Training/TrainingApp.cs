using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using HessianCodegen;
using HessianCodegen.Optimization;
using Spectre.Console;

namespace Training;

/// <summary>The sample's whole run, callable in-process (the smoke test calls it with a tiny budget).</summary>
internal static class TrainingApp
{
    public static int Run(string[] args)
    {
        // Exit codes: 0 done, 1 the data could not be read or the output not written (message on stderr), 2 bad command line.
        TrainingOptions? options = TrainingOptions.Parse(args, out int exitCode);
        if (options is null)
        {
            return exitCode;
        }

        LabeledSet all;
        try
        {
            all = DigitsData.Load(options.DataPath);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }

        DataSplit split = DataSplit.Stratified(all, options.Seed);
        Network network = DigitsNetwork.Create(options.Depth, options.Width);
        double[] start = network.RandomParameters(options.Seed);
        Batch train = Batch.WithLabels(split.Train.Inputs, split.Train.Labels);
        var test = new Evaluator(network, split.Test);
        var validation = new Evaluator(network, split.Validation);
        var catalog = new OptimizerCatalog(network, start, train, options);
        TimeSpan budget = TimeSpan.FromSeconds(options.Seconds);
        string caption = string.Create(CultureInfo.InvariantCulture,
            $"digits, {options.Depth - 1} tanh layers of width {options.Width} + linear + softmax cross-entropy, {network.ParameterCount} parameters, {options.Seconds:0.#} s each");
        if (!AnsiConsole.Profile.Capabilities.Interactive)
        {
            AnsiConsole.Profile.Width = 200;
        }

        Console.WriteLine($"Training: {caption}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  data: {all.Count} digits split {split.Train.Count} / {split.Validation.Count} / {split.Test.Count} (train / validation / test), seed {options.Seed}"));

        var records = new List<RunRecord>();
        var tuning = new List<string>();
        string[] names = TrainingOptions.AllOptimizers.Where(options.Optimizers.Contains).ToArray();
        var display = new ProgressDisplay(names);
        display.Show(() =>
        {
            foreach (string name in names)
            {
                IOptimizer optimizer;
                string settings;
                if (name is "sgd" or "adam")
                {
                    display.Note(name, "tuning the learning rate on the validation set");
                    (double rate, List<(double Rate, double ValidationLoss)> trials) = LearningRateGrid.Tune(
                        LearningRateGrid.For(name), r => catalog.FirstOrder(name, r), TimeSpan.FromSeconds(options.TuneSeconds), validation);
                    tuning.Add($"{name}: " + string.Join(", ", trials.Select(t => string.Create(CultureInfo.InvariantCulture,
                        $"rate {t.Rate} -> {t.ValidationLoss:0.0000}"))) + string.Create(CultureInfo.InvariantCulture, $"; chose {rate}"));
                    optimizer = catalog.FirstOrder(name, rate);
                    settings = string.Create(CultureInfo.InvariantCulture,
                        $"rate {rate}, batch {options.Batch}{(name == "sgd" ? ", momentum 0.9" : "")}");
                }
                else
                {
                    (optimizer, settings) = catalog.SecondOrder(name);
                }

                display.Note(name, "running");
                RunRecord record = OptimizerRun.Run(optimizer, settings, budget, test, validation, display.Update);
                (optimizer as IDisposable)?.Dispose(); // its last derivatives' storage, for the next optimizer's
                display.Finish(record);
                records.Add(record);
            }
        });

        if (tuning.Count > 0)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Learning rates (lowest validation loss within {options.TuneSeconds:0.#} s per rate):"));
            tuning.ForEach(line => Console.WriteLine("  " + line));
        }

        AnsiConsole.Write(SummaryTable.Build(records));
        Console.WriteLine("Times are each optimizer's own (evaluations excluded); 'to ...' is when its test loss first reached Adam's best.");
        try
        {
            Directory.CreateDirectory(options.Out);
            CsvOutput.Write(Path.Combine(options.Out, "steps.csv"), records);
            PlotOutput.Write(options.Out, records, caption);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }

        Console.WriteLine($"Wrote {Path.GetFullPath(Path.Combine(options.Out, "steps.csv"))} and the two SVG plots beside it.");
        return 0;
    }
}
