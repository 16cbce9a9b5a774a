using SampleSupport;

namespace Benchmarks;

/// <summary>Which tanh chains to time, and how.</summary>
internal sealed record BenchmarkOptions(
    int[] Widths, int[] Depths, int[] Batches, int Repeats, double BudgetSeconds, int DenseLimit, double Epsilon,
    bool Target, string CsvPath, bool ComparePaths, int Soak, bool MatrixFree, bool ReluBatch)
{
    public const string Usage = """
        Benchmarks: times the structured second-order steps on tanh chains (depth - 1 TanhLayer
        hidden layers, then softmax cross-entropy), and a dense LU solve where the network is small.

        Usage: dotnet run --project samples/Benchmarks -c Release -- [options]

          --widths LIST      per-example widths (default 8,16)
          --depths LIST      depths, the loss layer included (default 8,32,128,512)
          --batches LIST     batch sizes (default 1,8)
          --repeats N        runs per timing, more for steps under 50 ms; the median is reported (default 5)
          --budget SECONDS   stop repeating a timing once it has taken this long (default 3)
          --dense-limit N    time the dense solve only up to N parameters (default 4000)
          --eps X            damping of the factorization (default 0.001)
          --no-target        skip the depth-64 target line
          --csv PATH         where to write the table as CSV (default BenchmarkResults/tanh-chains.csv)
          --soak N           only solve N random chains of the standard layers (eps 1e-10 to 10) and check
                             every backward error is at most 1e-14 (the test suite runs 300)
          --compare-paths    only time the Riccati recursion against the banded LU, per configuration
          --matrix-free      only time Dx^T P Dx by the sparse kernels against the generated products
          --relu-batch       only report where the time and memory of issue 7's batch-64 ReLU network go
          --quick            a subset for a smoke run: --widths 8 --depths 8,32 --batches 1 --repeats 3
          --help             print this text
        """;

    /// <summary>Reads the options, or returns null when --help was asked for.</summary>
    /// <exception cref="UsageException">An option is unknown or its value is out of range.</exception>
    public static BenchmarkOptions? Parse(string[] args)
    {
        var reader = new OptionReader(args);
        if (reader.Flag("help"))
        {
            return null;
        }

        bool quick = reader.Flag("quick");
        var options = new BenchmarkOptions(
            Widths: reader.IntegerList("widths", quick ? [8] : [8, 16], min: 1),
            Depths: reader.IntegerList("depths", quick ? [8, 32] : [8, 32, 128, 512], min: 2),
            Batches: reader.IntegerList("batches", quick ? [1] : [1, 8], min: 1),
            Repeats: reader.Integer("repeats", quick ? 3 : 5, min: 1, max: 1000),
            BudgetSeconds: reader.Number("budget", 3.0, min: 0.0),
            DenseLimit: reader.Integer("dense-limit", 4000, min: 0),
            Epsilon: reader.Number("eps", 1e-3, min: 0.0),
            Target: !reader.Flag("no-target"),
            CsvPath: reader.Text("csv", "BenchmarkResults/tanh-chains.csv")!,
            ComparePaths: reader.Flag("compare-paths"),
            Soak: reader.Integer("soak", 0, min: 0, max: 1_000_000),
            MatrixFree: reader.Flag("matrix-free"),
            ReluBatch: reader.Flag("relu-batch"));
        reader.RejectRest();
        return options;
    }
}
