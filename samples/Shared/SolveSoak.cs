using System;
using System.Collections.Generic;
using HessianCodegen;
using HessianCodegen.Layers;
using MathNet.Numerics.LinearAlgebra;

namespace SampleSupport;

/// <summary>
/// Random chains of the standard layers (random depths, widths, batches, parameter and input
/// scales, damping from 1e-10 to 10), each solved with <c>HessianFactorization.SolveRefined</c>
/// and checked independently: the residual from a matrix-free <c>H x</c>, scaled by the exact
/// <c>||H + eps I||_2</c> of the dense Hessian (MathNet). Shared by the test suite (a few hundred
/// chains) and the benchmark program (<c>--soak N</c>, thousands).
/// </summary>
public static class SolveSoak
{
    private const int MaxDepth = 6;
    private const int MaxWidth = 6;
    private const int MaxBatch = 4;

    /// <summary>
    /// What a soak found: counts, the worst backward errors, and a line per chain that failed.
    /// <paramref name="Unverifiable"/> counts the points where the matrix-free <c>H x</c> cannot certify the
    /// limit: there even the dense LU solution (MathNet) of the materialized <c>H + eps I</c>, measured the
    /// same way, has a backward error above it (a nearly saturated network computes <c>H x</c> with
    /// cancellations larger than its result). At those points a solution must do as well as the dense one.
    /// </summary>
    public sealed record Summary(
        int Chains, int Solved, int Singular, int Overflowed, int Unverifiable, int FallbackFactorizations, int FallbackSolves,
        double WorstReportedBackwardError, double WorstCheckedBackwardError, double WorstDenseBackwardError, IReadOnlyList<string> Failures);

    /// <summary>
    /// Solves <paramref name="chains"/> random chains from <paramref name="seed"/> on; a chain fails when its
    /// solution has a NaN or a backward error above <paramref name="limit"/> (or, where the check cannot
    /// certify the limit, above the dense solution's).
    /// </summary>
    public static Summary Run(int seed, int chains, double limit)
    {
        var failures = new List<string>();
        int solved = 0;
        int singular = 0;
        int overflowed = 0;
        int unverifiable = 0;
        double worstDense = 0;
        int fallbackFactorizations = 0;
        int fallbackSolves = 0;
        double worstReported = 0;
        double worstChecked = 0;
        for (int chain = 0; chain < chains; chain++)
        {
            var random = new Random(seed + chain);
            (Network network, string description) = RandomChain(random);
            int count = random.Next(1, MaxBatch + 1);
            double parameterScale = Math.Pow(10, (2 * random.NextDouble()) - 1);
            double inputScale = Math.Pow(10, (2 * random.NextDouble()) - 1);
            double epsilon = Math.Pow(10, -10 + (11 * random.NextDouble()));
            string label = $"chain {seed + chain}: {description}, batch {count}, parameter scale {parameterScale:G3}, input scale {inputScale:G3}, eps {epsilon:G3}";

            double[] parameters = network.RandomParameters(seed + chain);
            for (int i = 0; i < parameters.Length; i++)
            {
                parameters[i] *= parameterScale;
            }

            NetworkPoint point;
            try
            {
                point = network.At(parameters, RandomBatch(network, count, inputScale, random));
            }
            catch (ArithmeticException)
            {
                overflowed++;
                continue;
            }

            var rhs = new double[network.ParameterCount];
            for (int i = 0; i < rhs.Length; i++)
            {
                rhs[i] = (2 * random.NextDouble()) - 1;
            }

            var x = new double[rhs.Length];
            SolveReport report;
            HessianFactorization factorization;
            try
            {
                factorization = point.Derivatives().Factorize(epsilon);
                report = factorization.SolveRefined(rhs, x);
            }
            catch (SingularSystemException)
            {
                singular++;
                continue;
            }

            solved++;
            fallbackFactorizations += factorization.Path == FactorizationPath.BandedLU ? 1 : 0;
            fallbackSolves += factorization.Path == FactorizationPath.Riccati && report.Path == FactorizationPath.BandedLU ? 1 : 0;
            double[,] hessian = point.DenseHessian();
            double checkedError = CheckedBackwardError(point, hessian, epsilon, rhs, x);
            double denseError = CheckedBackwardError(point, hessian, epsilon, rhs, DenseSolution(hessian, epsilon, rhs));
            double allowed = limit;
            if (denseError > limit)
            {
                unverifiable++;
                worstDense = Math.Max(worstDense, denseError);
                allowed = denseError;
            }
            else
            {
                worstReported = Math.Max(worstReported, report.BackwardError);
                worstChecked = Math.Max(worstChecked, checkedError);
            }

            if (Array.Exists(x, value => !double.IsFinite(value)) || !(report.BackwardError <= allowed) || !(checkedError <= allowed))
            {
                failures.Add($"{label}: backward error reported {report.BackwardError:E2}, checked {checkedError:E2} " +
                    $"(the dense solution's {denseError:E2}), path {report.Path}, " +
                    $"{report.RefinementSteps} refinement steps");
            }
        }

        return new Summary(chains, solved, singular, overflowed, unverifiable, fallbackFactorizations, fallbackSolves,
            worstReported, worstChecked, worstDense, failures);
    }

    /// <summary><c>||rhs - (H + eps I) x|| / (||H + eps I||_2 ||x|| + ||rhs||)</c>, the residual from a matrix-free <c>H x</c>.</summary>
    private static double CheckedBackwardError(NetworkPoint point, double[,] hessian, double epsilon, double[] rhs, double[] x)
    {
        double[] product = point.HessianVector(x);
        double residual = 0;
        for (int i = 0; i < rhs.Length; i++)
        {
            double r = rhs[i] - product[i] - (epsilon * x[i]);
            residual += r * r;
        }

        Matrix<double> damped = Matrix<double>.Build.DenseOfArray(hessian) + (epsilon * Matrix<double>.Build.DenseIdentity(rhs.Length));
        double denominator = (damped.L2Norm() * Vector<double>.Build.DenseOfArray(x).L2Norm()) + Vector<double>.Build.DenseOfArray(rhs).L2Norm();
        return Math.Sqrt(residual) / denominator;
    }

    private static double[] DenseSolution(double[,] hessian, double epsilon, double[] rhs) =>
        (Matrix<double>.Build.DenseOfArray(hessian) + (epsilon * Matrix<double>.Build.DenseIdentity(rhs.Length)))
            .LU().Solve(Vector<double>.Build.DenseOfArray(rhs)).ToArray();

    private static (Network Network, string Description) RandomChain(Random random)
    {
        int depth = random.Next(1, MaxDepth + 1);
        var layers = new IHessianLayer[depth];
        int width = random.Next(1, MaxWidth + 1);
        for (int l = 0; l + 1 < depth; l++)
        {
            int outputs = random.Next(1, MaxWidth + 1);
            layers[l] = random.Next(5) switch
            {
                0 => new LinearLayer(width, outputs),
                1 => new TanhLayer(width, outputs),
                2 => new SigmoidLayer(width, outputs),
                3 => new SoftplusLayer(width, outputs),
                _ => new ReluLayer(width, outputs),
            };
            width = outputs;
        }

        int classes = random.Next(1, 5);
        layers[^1] = random.Next(2) == 0 ? new SoftmaxCrossEntropyLayer(width, classes + 1) : new MeanSquaredErrorLayer(width, classes);
        var network = new Network(layers);
        return (network, string.Join(" -> ", Array.ConvertAll(layers, layer => $"{layer.GetType().Name}({layer.InputSize}, {layer.OutputSize})")));
    }

    private static Batch RandomBatch(Network network, int count, double scale, Random random)
    {
        IHessianLayer first = network.Layers[0];
        IHessianLayer loss = network.Layers[^1];
        var inputs = new double[count, first.InputSize];
        for (int n = 0; n < count; n++)
        {
            for (int j = 0; j < first.InputSize; j++)
            {
                inputs[n, j] = scale * ((2 * random.NextDouble()) - 1);
            }
        }

        if (loss is SoftmaxCrossEntropyLayer)
        {
            int classes = loss.ParameterCount / (loss.InputSize + 1);
            var labels = new int[count];
            for (int n = 0; n < count; n++)
            {
                labels[n] = random.Next(classes);
            }

            return Batch.WithLabels(inputs, labels);
        }

        int outputs = loss.ParameterCount / (loss.InputSize + 1);
        var targets = new double[count, outputs];
        for (int n = 0; n < count; n++)
        {
            for (int k = 0; k < outputs; k++)
            {
                targets[n, k] = (2 * random.NextDouble()) - 1;
            }
        }

        return Batch.WithTargets(inputs, targets);
    }
}
