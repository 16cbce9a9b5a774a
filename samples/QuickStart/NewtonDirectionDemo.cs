using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using HessianCodegen;
using HessianCodegen.Layers;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Factorization;
using SampleSupport;

namespace QuickStart;

/// <summary>
/// Builds a tall-skinny network (SiLU and tanh layers alternating, then softmax cross-entropy),
/// computes one damped Newton direction on a synthetic batch and checks it two independent ways.
/// </summary>
internal static class NewtonDirectionDemo
{
    private const int Classes = 3;

    // Above this many parameters the dense check (P Hessian-vector products, then an O(P^3) LU)
    // would take more than a few seconds, so it is skipped.
    private const int DenseCheckLimit = 1500;

    internal const int TimingRepeats = 3;

    // The checks the run must pass. At the default options and those of .ci/aot-check the residual
    // is a few 1e-16 times ||g|| and the dense LU agrees to about 1e-13; the bounds leave a factor of
    // about 20 and 100. A much smaller --eps makes H + eps I ill-conditioned and can legitimately
    // exceed them: the run then says which check failed and exits with 3.
    internal const double ResidualTolerance = 1e-14;

    internal const double DenseAgreementTolerance = 1e-11;

    /// <summary>Runs the demo; false when the residual or the dense agreement is above its tolerance.</summary>
    public static bool Run(QuickStartOptions options, TextWriter output)
    {
        Network network = BuildNetwork(options.Depth, options.Width);
        double[] parameters = network.RandomParameters(options.Seed);
        Batch batch = SyntheticBatch(options.Width, options.Batch, options.Seed);
        int parametersPerLayer = (options.Width * options.Width) + options.Width;
        int batchWidth = options.Batch * options.Width;

        output.WriteLine(Invariant(
            $"QuickStart: depth {options.Depth} ({options.Depth - 1} hidden layers, SiLU and tanh alternating, then softmax cross-entropy over {Classes} classes)"));
        output.WriteLine(Invariant(
            $"  width {options.Width}, batch {options.Batch}, eps {options.Epsilon}, seed {options.Seed}, {network.ParameterCount} parameters"));
        output.WriteLine(Invariant(
            $"  block of a hidden layer: p + 2a = {parametersPerLayer} + 2 * {batchWidth} = {parametersPerLayer + (2 * batchWidth)} (a = batch * width)"));
        output.WriteLine();

        var timings = new StepTimings();
        NetworkPoint point = timings.Measure("loss (forward + backward pass)", () => network.At(parameters, batch));
        double[] gradient = timings.Measure("gradient", point.Gradient);
        HessianDerivatives derivatives = timings.Measure("derivatives at the point (Dx, Dz, Xxx, Xzx, Xzz)", () => point.Derivatives());
        HessianFactorization factorization =
            timings.Measure("factorization of H + eps I", () => derivatives.Factorize(options.Epsilon));
        double[] direction = timings.Measure("solve, one right-hand side", () => factorization.Solve(gradient));
        double[] product = timings.Measure("H x, matrix-free (for the residual)", () => point.HessianVector(direction));

        // Independent check 1: the residual of (H + eps I) x = g with H x from the matrix-free product.
        var residual = new double[gradient.Length];
        for (int i = 0; i < residual.Length; i++)
        {
            residual[i] = product[i] + (options.Epsilon * direction[i]) - gradient[i];
        }

        output.WriteLine("Results");
        output.WriteLine(Row("loss", point.Loss.ToString("G12", CultureInfo.InvariantCulture)));
        output.WriteLine(Row("gradient norm ||g||", Norm(gradient).ToString("G10", CultureInfo.InvariantCulture)));
        output.WriteLine(Row("Newton direction norm ||x||, x = (H + eps I)^-1 g", Norm(direction).ToString("G10", CultureInfo.InvariantCulture)));
        output.WriteLine(Row("g . x (> 0: -x is a descent direction)", Dot(gradient, direction).ToString("G10", CultureInfo.InvariantCulture)));
        output.WriteLine(Row("factorization path", factorization.Path.ToString()));
        output.WriteLine(Row("inertia of H + eps I (positive, negative, zero)", factorization.Inertia is Inertia inertia
            ? Invariant($"({inertia.Positive}, {inertia.Negative}, {inertia.Zero})")
            : "unknown (a pivot block was singular)"));
        output.WriteLine(Row("log |det(H + eps I)|, sign of det", Invariant(
            $"{factorization.LogDeterminant.LogAbsoluteValue:G10}, {factorization.LogDeterminant.Sign:+0;-0}")));
        double relativeResidual = Norm(residual) / Norm(gradient);
        var checks = new CheckList();
        output.WriteLine(Row("residual ||(H + eps I) x - g|| / ||g||", relativeResidual.ToString("0.0E+00", CultureInfo.InvariantCulture)));
        checks.Require("residual", relativeResidual, ResidualTolerance);

        // The library's own check: backward error, refined with H x until at most 1e-15 or no longer decreasing.
        SolveReport report = factorization.SolveRefined(gradient, new double[gradient.Length]);
        output.WriteLine(Row("backward error reported by SolveRefined",
            report.BackwardError.ToString("0.0E+00", CultureInfo.InvariantCulture) + (report.Refined ? $" (after {report.RefinementSteps} refinement step{(report.RefinementSteps == 1 ? "" : "s")})" : "")));

        // Independent check 2: a dense LU solve of the materialized Hessian, where that is affordable.
        if (network.ParameterCount <= DenseCheckLimit)
        {
            double[,] hessian = timings.Measure("dense Hessian (P products H e_j)", point.DenseHessian, repeats: 1);
            Matrix<double> dense = DampedHessian.Of(hessian, options.Epsilon);
            LU<double> lu = timings.Measure("dense LU with partial pivoting (MathNet)", dense.LU, repeats: 1);
            double[] denseDirection = lu.Solve(Vector<double>.Build.DenseOfArray(gradient)).ToArray();
            double agreement = Distance(direction, denseDirection) / Norm(denseDirection);
            output.WriteLine(Row("dense solve agreement ||x - x_dense|| / ||x_dense||", agreement.ToString("0.0E+00", CultureInfo.InvariantCulture)));
            checks.Require("dense solve agreement", agreement, DenseAgreementTolerance);
        }
        else
        {
            output.WriteLine(Row("dense solve agreement", Invariant($"skipped: {network.ParameterCount} parameters > {DenseCheckLimit}")));
        }

        if (options.Timings)
        {
            output.WriteLine();
            output.WriteLine(Invariant($"Timings at depth {options.Depth} (median of {TimingRepeats} runs; dense steps run once)"));
            timings.WriteTo(output);
        }

        return checks.Passed;
    }

    private static Network BuildNetwork(int depth, int width)
    {
        var layers = new IHessianLayer[depth];
        for (int l = 0; l + 1 < depth; l++)
        {
            layers[l] = l % 2 == 0 ? new SiluLayer(width, width) : new TanhLayer(width, width);
        }

        layers[depth - 1] = new SoftmaxCrossEntropyLayer(width, Classes);
        return new Network(layers);
    }

    private static Batch SyntheticBatch(int width, int count, int seed)
    {
        var random = new Random(seed + 1);
        var inputs = new double[count, width];
        var labels = new int[count];
        for (int n = 0; n < count; n++)
        {
            for (int j = 0; j < width; j++)
            {
                inputs[n, j] = (2.0 * random.NextDouble()) - 1.0;
            }

            labels[n] = random.Next(Classes);
        }

        return Batch.WithLabels(inputs, labels);
    }

    internal static string Row(string label, string value) => $"  {label,-56} {value}";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static double Dot(double[] x, double[] y)
    {
        double sum = 0;
        for (int i = 0; i < x.Length; i++)
        {
            sum += x[i] * y[i];
        }

        return sum;
    }

    private static double Norm(double[] x) => Math.Sqrt(Dot(x, x));

    private static double Distance(double[] x, double[] y)
    {
        double sum = 0;
        for (int i = 0; i < x.Length; i++)
        {
            sum += (x[i] - y[i]) * (x[i] - y[i]);
        }

        return Math.Sqrt(sum);
    }
}
