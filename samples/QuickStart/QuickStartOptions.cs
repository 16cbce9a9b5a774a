using SampleSupport;

namespace QuickStart;

/// <summary>What the QuickStart run builds and how it reports.</summary>
internal sealed record QuickStartOptions(int Depth, int Width, int Batch, double Epsilon, int Seed, bool Timings)
{
    public const string Usage = """
        QuickStart: one damped Newton direction (H + eps I)^-1 g for a tall-skinny network.

        Usage: dotnet run --project samples/QuickStart -c Release -- [options]

          --depth N       layers, the loss layer included (default 12, at least 2)
          --width N       activations per example in every hidden layer (default 8)
          --batch N       examples in the synthetic batch (default 4)
          --eps X         damping epsilon, a finite number >= 0 (default 0.001)
          --seed N        seed of the parameters and the batch (default 1)
          --no-timings    print only the results, no timings (for comparing builds)
          --help          print this text
        """;

    /// <summary>Reads the options, or returns null when --help was asked for.</summary>
    /// <exception cref="UsageException">An option is unknown or its value is out of range.</exception>
    public static QuickStartOptions? Parse(string[] args)
    {
        var reader = new OptionReader(args);
        if (reader.Flag("help"))
        {
            return null;
        }

        var options = new QuickStartOptions(
            Depth: reader.Integer("depth", 12, min: 2, max: 100_000),
            Width: reader.Integer("width", 8, min: 1, max: 1_000),
            Batch: reader.Integer("batch", 4, min: 1, max: 100_000),
            Epsilon: reader.Number("eps", 1e-3, min: 0.0),
            Seed: reader.Integer("seed", 1, min: 0),
            Timings: !reader.Flag("no-timings"));
        reader.RejectRest();
        return options;
    }
}
