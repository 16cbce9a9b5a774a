using System.CommandLine;
using SampleSupport;

namespace Training;

/// <summary>What the training comparison runs and where it writes.</summary>
internal sealed record TrainingOptions(
    int Depth, int Width, double Seconds, string[] Optimizers, int Seed, string Out,
    int Batch, int GradientBatch, int CurvatureBatch, double TuneSeconds, string DataPath)
{
    /// <summary>Every optimizer the sample knows, in the order it runs them.</summary>
    public static readonly string[] AllOptimizers = ["sgd", "adam", "trust-region", "trust-region-gn", "gauss-newton", "newton"];

    /// <summary>What runs without --optimizers: all but the trust region on Gauss-Newton, to stay near two minutes.</summary>
    public static readonly string[] DefaultOptimizers = ["sgd", "adam", "trust-region", "gauss-newton", "newton"];

    /// <summary>Reads the options; null (with the exit code) after --help or a bad command line.</summary>
    public static TrainingOptions? Parse(string[] args, out int exitCode)
    {
        Option<int> depth = SampleOptions.Integer("depth", 8, min: 2, "layers with parameters: depth - 1 tanh layers, then a linear layer to the 10 classes", max: 1000);
        Option<int> width = SampleOptions.Integer("width", 16, min: 1, "activations of every tanh layer", max: 1000);
        Option<double> seconds = SampleOptions.Number("seconds", 20, min: 0, "wall-clock budget of each optimizer, its own time only (evaluation excluded)");
        Option<string[]> optimizers = SampleOptions.NameList("optimizers", DefaultOptimizers, AllOptimizers, "which optimizers to run");
        Option<int> seed = SampleOptions.Integer("seed", 1, min: 0, "seed of the split, the start and the minibatch order");
        Option<string> output = SampleOptions.Text("out", "TrainingResults", "folder for steps.csv and the two SVG plots");
        Option<int> batch = SampleOptions.Integer("batch", 32, min: 1, "minibatch of SGD and Adam");
        Option<int> gradientBatch = SampleOptions.Integer("gradient-batch", 0, min: 0, "batch of the second-order methods' gradient and ratio test, 0 for the whole training set");
        Option<int> curvatureBatch = SampleOptions.Integer("curvature-batch", 16, min: 1,
            "examples of that batch the curvature is computed on (16 did best for Gauss-Newton among 4, 16, 32 and 64)");
        Option<double> tuneSeconds = SampleOptions.Number("tune-seconds", 2, min: 0, "budget of each learning rate of the SGD and Adam grids");
        Option<string> data = SampleOptions.Text("data", "Data/digits.csv.gz beside the program", "the digits data");
        var command = new RootCommand(
            "Training: exact-curvature methods (trust region on H, Gauss-Newton with Levenberg-Marquardt, damped Newton) " +
            "against SGD and Adam on the digits data, for the same wall-clock budget each.")
        {
            depth, width, seconds, optimizers, seed, output, batch, gradientBatch, curvatureBatch, tuneSeconds, data,
        };

        if (SampleOptions.Parse(command, args, out exitCode) is not { } result)
        {
            return null;
        }

        string dataPath = result.GetValue(data)!;
        return new TrainingOptions(
            result.GetValue(depth), result.GetValue(width), result.GetValue(seconds), result.GetValue(optimizers)!,
            result.GetValue(seed), result.GetValue(output)!, result.GetValue(batch), result.GetValue(gradientBatch),
            result.GetValue(curvatureBatch), result.GetValue(tuneSeconds),
            dataPath.StartsWith("Data/digits.csv.gz beside", System.StringComparison.Ordinal) ? DigitsData.DefaultPath : dataPath);
    }
}
