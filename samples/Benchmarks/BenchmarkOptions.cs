using System.CommandLine;
using SampleSupport;

namespace Benchmarks;

/// <summary>Which tanh chains to time, and how.</summary>
internal sealed record BenchmarkOptions(
    int[] Widths, int[] Depths, int[] Batches, int Repeats, double BudgetSeconds, int DenseLimit, double Epsilon,
    bool Target, string CsvPath, bool ComparePaths, int Soak, bool MatrixFree, bool BatchScale, string? OpenBlasDriver, bool ReluBatch,
    bool Gradient, bool PyTorch, bool GemmRates, bool HessianVector, bool DepthScaling = false, bool RiccatiPhases = false, bool Disposal = false)
{
    /// <summary>
    /// Reads the options; null after --help (exit code 0) or a bad command line (its one-line error
    /// written to stderr, exit code 2). --quick changes the defaults of the options not given.
    /// </summary>
    public static BenchmarkOptions? Parse(string[] args, out int exitCode)
    {
        Option<int[]> widths = SampleOptions.IntegerList("widths", [8, 16], min: 1, "per-example widths (--quick: 8)");
        Option<int[]> depths = SampleOptions.IntegerList("depths", [8, 32, 128, 512], min: 2, "depths, the loss layer included (--quick: 8,32)");
        Option<int[]> batches = SampleOptions.IntegerList("batches", [1, 8], min: 1, "batch sizes (--quick: 1)");
        Option<int> repeats = SampleOptions.Integer("repeats", 5, min: 1,
            "runs per timing, more for steps under 50 ms; the median is reported (--quick: 3)", max: 1000);
        Option<double> budget = SampleOptions.Number("budget", 3.0, min: 0.0, "stop repeating a timing once it has taken this many seconds");
        Option<int> denseLimit = SampleOptions.Integer("dense-limit", 4000, min: 0, "time the dense solve only up to this many parameters");
        Option<double> epsilon = SampleOptions.Number("eps", 1e-3, min: 0.0, "damping of the factorization");
        Option<bool> noTarget = SampleOptions.Flag("no-target", "skip the depth-64 target line");
        Option<string> csv = SampleOptions.Text("csv", "BenchmarkResults/tanh-chains.csv", "where to write the table as CSV");
        Option<int> soak = SampleOptions.Integer("soak", 0, min: 0,
            "only solve this many random chains of the standard layers (eps 1e-10 to 10) and check every backward error is at most 1e-14 (the test suite runs 300)",
            max: 1_000_000);
        Option<bool> comparePaths = SampleOptions.Flag("compare-paths", "only time the Riccati recursion against the banded LU, per configuration");
        Option<bool> matrixFree = SampleOptions.Flag("matrix-free", "only time Dx^T P Dx by the sparse kernels against the generated products");
        Option<bool> batchScale = SampleOptions.Flag("batch-scale",
            "only the batch-scale report (issue 7): the batch-64 ReLU network, depth 16 at batch 64 and depth 64 at batch 1 against the banded LU, kernel rates");
        var openBlas = new Option<string?>("--openblas")
        {
            Description = "the OpenBLAS driver built by samples/Benchmarks/lapack/build.sh, for the dgetrf and kernel-rate comparisons of --batch-scale",
        };
        Option<bool> reluBatch = SampleOptions.Flag("relu-batch",
            "only report where the time and memory of issue 7's batch-64 ReLU network go, layer by layer");
        Option<bool> gradient = SampleOptions.Flag("gradient",
            "only time the gradient (network.LossAndGradient, and network.At + Gradient) of issue 9's four tanh chains, batched against per-example");
        Option<bool> pyTorch = SampleOptions.Flag("pytorch",
            "with --gradient: also run pytorch/gradient.py (/usr/bin/python3, python3-torch) on the same chains in this session");
        Option<bool> gemmRates = SampleOptions.Flag("gemm",
            "only time Gemm.Multiply at the shapes the factorization and the batched layers use, on one core and on all, beside OpenBLAS dgemm (with --openblas)");
        Option<bool> hessianVector = SampleOptions.Flag("hessian-vector",
            "only time H v (NetworkPoint.HessianVector) on issue 9's depth-64 width-16 batch-8 chain and the gradient report's chains, batched against per-example");
        Option<bool> depthScaling = SampleOptions.Flag("depth-scaling",
            "only time the factorization and one solve per layer over depths (default 64,128,256,512,1024), with the bytes a solve reads and a streaming read's rate");
        Option<bool> riccatiPhases = SampleOptions.Flag("riccati-phases",
            "only time each phase of one layer's Riccati step at issue 7's state order 512 (depth 16, width 8, batch 64)");
        Option<bool> disposal = SampleOptions.Flag("disposal",
            "only time a loop of new derivatives + factorization + solve with each step's results disposed against left to the collector");
        Option<bool> quick = SampleOptions.Flag("quick", "a subset for a smoke run: --widths 8 --depths 8,32 --batches 1 --repeats 3");
        var command = new RootCommand(
            "Benchmarks: times the structured second-order steps on tanh chains (depth - 1 TanhLayer hidden layers, " +
            "then softmax cross-entropy), and a dense LU solve where the network is small.")
        {
            widths, depths, batches, repeats, budget, denseLimit, epsilon, noTarget, csv, soak, comparePaths, matrixFree, batchScale, openBlas, reluBatch, gradient, pyTorch, gemmRates, hessianVector, depthScaling, riccatiPhases, disposal, quick,
        };

        if (SampleOptions.Parse(command, args, out exitCode) is not { } result)
        {
            return null;
        }

        bool isQuick = result.GetValue(quick);
        T Pick<T>(Option<T> option, T quickValue) => isQuick && !SampleOptions.Given(result, option) ? quickValue : result.GetValue(option)!;
        return new BenchmarkOptions(
            Widths: Pick(widths, [8]),
            Depths: result.GetValue(depthScaling) && !SampleOptions.Given(result, depths) ? DepthScalingReport.DefaultDepths : Pick(depths, [8, 32]),
            Batches: Pick(batches, [1]),
            Repeats: Pick(repeats, 3),
            BudgetSeconds: result.GetValue(budget),
            DenseLimit: result.GetValue(denseLimit),
            Epsilon: result.GetValue(epsilon),
            Target: !result.GetValue(noTarget),
            CsvPath: result.GetValue(csv)!,
            ComparePaths: result.GetValue(comparePaths),
            Soak: result.GetValue(soak),
            MatrixFree: result.GetValue(matrixFree),
            BatchScale: result.GetValue(batchScale),
            OpenBlasDriver: result.GetValue(openBlas),
            ReluBatch: result.GetValue(reluBatch),
            Gradient: result.GetValue(gradient),
            PyTorch: result.GetValue(pyTorch),
            GemmRates: result.GetValue(gemmRates),
            HessianVector: result.GetValue(hessianVector),
            DepthScaling: result.GetValue(depthScaling),
            RiccatiPhases: result.GetValue(riccatiPhases),
            Disposal: result.GetValue(disposal));
    }
}
