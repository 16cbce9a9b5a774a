using System.CommandLine;
using SampleSupport;

namespace QuickStart;

/// <summary>What the QuickStart run builds and how it reports.</summary>
internal sealed record QuickStartOptions(int Depth, int Width, int Batch, double Epsilon, int Seed, bool Timings)
{
    /// <summary>
    /// Reads the options; null after --help (exit code 0) or a bad command line (its one-line error
    /// written to stderr, exit code 2).
    /// </summary>
    public static QuickStartOptions? Parse(string[] args, out int exitCode)
    {
        Option<int> depth = SampleOptions.Integer("depth", 12, min: 2, "layers, the loss layer included", max: 100_000);
        Option<int> width = SampleOptions.Integer("width", 8, min: 1, "activations per example in every hidden layer", max: 1_000);
        Option<int> batch = SampleOptions.Integer("batch", 4, min: 1, "examples in the synthetic batch", max: 100_000);
        Option<double> epsilon = SampleOptions.Number("eps", 1e-3, min: 0.0, "damping epsilon, a finite number >= 0");
        Option<int> seed = SampleOptions.Integer("seed", 1, min: 0, "seed of the parameters and the batch");
        Option<bool> noTimings = SampleOptions.Flag("no-timings", "print only the results, no timings (for comparing builds)");
        var command = new RootCommand("QuickStart: one damped Newton direction (H + eps I)^-1 g for a tall-skinny network.")
        {
            depth, width, batch, epsilon, seed, noTimings,
        };

        if (SampleOptions.Parse(command, args, out exitCode) is not { } result)
        {
            return null;
        }

        return new QuickStartOptions(
            result.GetValue(depth), result.GetValue(width), result.GetValue(batch), result.GetValue(epsilon),
            result.GetValue(seed), Timings: !result.GetValue(noTimings));
    }
}
