using System;
using System.Collections.Generic;
using System.Linq;
using HessianCodegen.Layers;
using HessianCodegen.Tests.Infrastructure;
using HessianCodegen.Tests.ReferenceLayers;
using MathNet.Numerics.LinearAlgebra;
using Xunit;
using Xunit.Abstractions;

namespace HessianCodegen.Tests.GaussNewton;

/// <summary>
/// Gauss-Newton products and solves against a dense <c>J^T Lambda J</c> built in the test
/// (<see cref="DenseGaussNewton"/>: finite differences of the logits, <c>Lambda</c> by hand), on random
/// chains of the generated layers with both parameterless losses, some with a parameterless hidden layer.
/// </summary>
public sealed class GaussNewtonDenseTests(ITestOutputHelper output)
{
    /// <summary>
    /// What the extrapolated differences leave in <c>G</c>: about 1e-12 relative at the step used, measured
    /// 3e-13 to 1.4e-12 on these cases; a wrong block is off by O(1).
    /// </summary>
    private const double DifferenceTolerance = 1e-10;

    public static TheoryData<int, int, int, bool, bool, double> Cases() => new()
    {
        // seed, hidden layers, batch, regression, a parameterless hidden layer, eps
        { 1, 1, 1, false, false, 1e-3 },
        { 2, 3, 3, false, false, 1e-2 },
        { 3, 2, 2, true, false, 1e-3 },
        { 4, 4, 4, true, true, 1e-1 },
        { 5, 3, 2, false, true, 1e-4 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void ProductsAndSolvesMatchTheDenseGaussNewtonMatrix(int seed, int hidden, int batchSize, bool regression,
        bool parameterlessHidden, double epsilon)
    {
        NetworkPoint point = RandomSplitPoint(seed, hidden, batchSize, regression, parameterlessHidden);
        int size = point.Network.ParameterCount;
        Matrix<double> dense = Matrix<double>.Build.DenseOfArray(DenseGaussNewton.Build(point.Network, point.Parameters, point.Batch));

        // The reference is what Gauss-Newton promises: symmetric and positive semi-definite.
        double scale = dense.L2Norm();
        Assert.InRange((dense - dense.Transpose()).L2Norm() / scale, 0, DifferenceTolerance);
        double smallest = dense.Evd(MathNet.Numerics.LinearAlgebra.Symmetricity.Symmetric).EigenValues.Min(value => value.Real);
        Assert.True(smallest >= -DifferenceTolerance * scale, $"the smallest eigenvalue of G is {smallest}; expected >= 0");

        Vector<double> v = Vector<double>.Build.DenseOfArray(RandomNetworks.Vector(seed + 10, size));
        double productError = Norms.RelativeError(point.GaussNewtonVector(v.ToArray()), (dense * v).ToArray());

        Vector<double> rhs = Vector<double>.Build.DenseOfArray(RandomNetworks.Vector(seed + 20, size));
        Matrix<double> damped = dense + (epsilon * Matrix<double>.Build.DenseIdentity(size));
        double[] expected = damped.LU().Solve(rhs).ToArray();
        double condition = damped.ConditionNumber();
        var x = new double[size];
        SolveReport report = point.Derivatives(Curvature.GaussNewton).Factorize(epsilon).SolveRefined(rhs.ToArray(), x);
        double solveError = Norms.RelativeError(x, expected);
        output.WriteLine(
            $"seed {seed}: P = {size}, G v {productError:E2}, solve {solveError:E2} (cond {condition:E2}), " +
            $"backward error {report.BackwardError:E2}, smallest eigenvalue {smallest:E2} of ||G|| {scale:E2}");

        Assert.InRange(productError, 0, DifferenceTolerance);
        Assert.InRange(solveError, 0, DifferenceTolerance * condition);
        Assert.InRange(report.BackwardError, 0, 1e-14);
    }

    [Fact]
    public void GaussNewtonDiffersFromTheHessian()
    {
        // Guards the comparison above against a G that is secretly H: away from a minimum they differ.
        NetworkPoint point = RandomSplitPoint(6, 2, 3, regression: false, parameterlessHidden: false);
        double[] v = RandomNetworks.Vector(60, point.Network.ParameterCount);
        double difference = Norms.RelativeError(point.GaussNewtonVector(v), point.HessianVector(v));
        output.WriteLine($"||G v - H v|| / ||H v|| = {difference:E2}");
        Assert.True(difference > 1e-3, $"G v and H v differ by {difference:E2}; expected them to differ");
    }

    /// <summary>
    /// Random generated hidden layers, then <c>LinearLayer</c> and a parameterless loss; optionally a
    /// parameterless tanh among the hidden layers.
    /// </summary>
    private static NetworkPoint RandomSplitPoint(int seed, int hidden, int batchSize, bool regression, bool parameterlessHidden)
    {
        var random = new Random(seed);
        Func<int, int, IHessianLayer>[] kinds =
        [
            (inputs, outputs) => new TanhLayer(inputs, outputs),
            (inputs, outputs) => new SigmoidLayer(inputs, outputs),
            (inputs, outputs) => new SoftplusLayer(inputs, outputs),
            (inputs, outputs) => new LinearLayer(inputs, outputs),
        ];
        int inputs = random.Next(2, 5);
        int width = inputs;
        var layers = new List<IHessianLayer>();
        for (int l = 0; l < hidden; l++)
        {
            int outputs = random.Next(2, 5);
            layers.Add(kinds[random.Next(kinds.Length)](width, outputs));
            width = outputs;
            if (parameterlessHidden && l == hidden / 2)
            {
                layers.Add(new ParameterlessTanhReferenceLayer(width));
            }
        }

        int classes = random.Next(2, 5);
        layers.Add(new LinearLayer(width, classes));
        layers.Add(regression ? new SquaredErrorLoss(classes) : new SoftmaxCrossEntropyLoss(classes));
        var network = new Network(layers.ToArray());

        var rows = new double[batchSize, inputs];
        var targets = new double[batchSize, classes];
        var labels = new int[batchSize];
        for (int n = 0; n < batchSize; n++)
        {
            for (int j = 0; j < inputs; j++)
            {
                rows[n, j] = (random.NextDouble() * 4) - 2;
            }

            for (int k = 0; k < classes; k++)
            {
                targets[n, k] = (random.NextDouble() * 2) - 1;
            }

            labels[n] = random.Next(classes);
        }

        double[] parameters = network.RandomParameters(seed).Select(value => 2 * value).ToArray();
        return network.At(parameters, regression ? Batch.WithTargets(rows, targets) : Batch.WithLabels(rows, labels));
    }
}
