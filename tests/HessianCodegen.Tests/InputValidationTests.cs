using System;
using HessianCodegen.Tests.Infrastructure;
using HessianCodegen.Tests.ReferenceLayers;
using Xunit;

namespace HessianCodegen.Tests;

/// <summary>Bad input fails early with a message naming the quantity, what was given and what was expected.</summary>
public sealed class InputValidationTests
{
    private static readonly double[,] Inputs = { { 0.5, -1.0, 2.0 }, { 0.1, 0.2, 0.3 } };
    private static readonly int[] Labels = [0, 2];

    private static Network Classifier() => new(
        new DenseReferenceLayer(Activation.Tanh, 3, 4),
        new SoftmaxCrossEntropyReferenceLayer(4, 3));

    private static Network Regression() => new(
        new DenseReferenceLayer(Activation.Tanh, 3, 4),
        new MeanSquaredErrorReferenceLayer(4, 2));

    private static NetworkPoint Point()
    {
        Network network = Classifier();
        return network.At(network.RandomParameters(1), Batch.WithLabels(Inputs, Labels));
    }

    [Fact]
    public void ParametersOfTheWrongLength()
    {
        Network network = Classifier();
        var error = Assert.Throws<ArgumentException>(() => network.At(new double[network.ParameterCount - 1], Batch.WithLabels(Inputs, Labels)));
        AssertMentions(error, "parameters", $"{network.ParameterCount - 1}", $"{network.ParameterCount}");
    }

    [Fact]
    public void DirectionOfTheWrongLength()
    {
        NetworkPoint point = Point();
        var error = Assert.Throws<ArgumentException>(() => point.HessianVector(new double[3]));
        AssertMentions(error, "v", "3", $"{point.Network.ParameterCount}");
    }

    [Fact]
    public void RightHandSideOfTheWrongLength()
    {
        NetworkPoint point = Point();
        HessianFactorization factorization = point.Derivatives().Factorize(0.1);
        var error = Assert.Throws<ArgumentException>(() => factorization.Solve(new double[5]));
        AssertMentions(error, "rhs", "5", $"{point.Network.ParameterCount}");
    }

    [Fact]
    public void ResultSpansOfTheWrongLength()
    {
        NetworkPoint point = Point();
        int n = point.Network.ParameterCount;
        HessianFactorization factorization = point.Derivatives().Factorize(0.1);

        var gradient = Assert.Throws<ArgumentException>(() => point.Gradient(new double[n + 1]));
        AssertMentions(gradient, "result", $"{n + 1}", $"{n}");
        var product = Assert.Throws<ArgumentException>(() => point.HessianVector(new double[n], new double[n - 1]));
        AssertMentions(product, "result", $"{n - 1}", $"{n}");
        var solve = Assert.Throws<ArgumentException>(() => factorization.Solve(new double[n], new double[2]));
        AssertMentions(solve, "result", "2", $"{n}");
        var refined = Assert.Throws<ArgumentException>(() => factorization.SolveRefined(new double[n], new double[n + 3]));
        AssertMentions(refined, "result", $"{n + 3}", $"{n}");
    }

    [Fact]
    public void BatchRowsOfTheWrongWidth()
    {
        Network network = Classifier();
        var error = Assert.Throws<ArgumentException>(() =>
            network.At(network.RandomParameters(1), Batch.WithLabels(new double[,] { { 1, 2 } }, [0])));
        AssertMentions(error, "batch rows", "2", "3");
    }

    [Theory]
    [InlineData(3)]
    [InlineData(-1)]
    public void LabelsOutsideTheClassRange(int label)
    {
        Network network = Classifier();
        var error = Assert.ThrowsAny<ArgumentException>(() =>
            network.At(network.RandomParameters(1), Batch.WithLabels(Inputs, [0, label])));
        AssertMentions(error, "label", $"{label}", "class index");
    }

    [Fact]
    public void TargetRowsOfTheWrongLength()
    {
        Network network = Regression();
        var error = Assert.Throws<ArgumentException>(() =>
            network.At(network.RandomParameters(1), Batch.WithTargets(Inputs, new double[2, 3])));
        AssertMentions(error, "has 3 data values per example", "expected 2", "target");
    }

    [Fact]
    public void LabelsForALossThatReadsTargets()
    {
        Network network = Regression();
        var error = Assert.Throws<ArgumentException>(() => network.At(network.RandomParameters(1), Batch.WithLabels(Inputs, Labels)));
        AssertMentions(error, "has 1 data values per example", "expected 2", "target");
    }

    [Fact]
    public void NotFiniteInput()
    {
        var error = Assert.Throws<ArgumentException>(() => Batch.WithLabels(new double[,] { { 1, double.NaN, 3 } }, [0]));
        AssertMentions(error, "inputs[0, 1]", "NaN", "finite");
    }

    [Fact]
    public void NotFiniteTarget()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            Batch.WithTargets(new double[,] { { 1, 2, 3 } }, new double[,] { { 0, double.PositiveInfinity } }));
        AssertMentions(error, "targets[0, 1]", "Infinity", "finite");
    }

    [Fact]
    public void NotFiniteParameter()
    {
        Network network = Classifier();
        double[] parameters = network.RandomParameters(1);
        parameters[4] = double.NegativeInfinity;
        var error = Assert.Throws<ArgumentException>(() => network.At(parameters, Batch.WithLabels(Inputs, Labels)));
        AssertMentions(error, "parameters[4]", "finite");
    }

    [Fact]
    public void NotFiniteRightHandSide()
    {
        NetworkPoint point = Point();
        var rhs = new double[point.Network.ParameterCount];
        rhs[7] = double.NaN;
        var error = Assert.Throws<ArgumentException>(() => point.Derivatives().Factorize(0.1).Solve(rhs));
        AssertMentions(error, "rhs[7]", "NaN", "finite");
    }

    [Theory]
    [InlineData(-1e-3)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void EpsilonNegativeOrNotFinite(double epsilon)
    {
        HessianDerivatives derivatives = Point().Derivatives();
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => derivatives.Factorize(epsilon));
        AssertMentions(error, "epsilon", $"{epsilon}", ">= 0");
    }

    [Fact]
    public void UndefinedFactorizationPath()
    {
        HessianDerivatives derivatives = Point().Derivatives();
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => derivatives.Factorize(0.1, (FactorizationPath)7));
        AssertMentions(error, "path", "7", "Riccati or BandedLU");
    }

    [Fact]
    public void RefinedSolveOfTheWrongLength()
    {
        NetworkPoint point = Point();
        HessianFactorization factorization = point.Derivatives().Factorize(0.1);
        var error = Assert.Throws<ArgumentException>(() => factorization.SolveRefined(new double[point.Network.ParameterCount], new double[2]));
        AssertMentions(error, "result", "2", $"{point.Network.ParameterCount}");
    }

    [Fact]
    public void WidthsThatDoNotChain()
    {
        var error = Assert.Throws<ArgumentException>(() => new Network(
            new DenseReferenceLayer(Activation.Tanh, 3, 4),
            new SoftmaxCrossEntropyReferenceLayer(5, 3)));
        AssertMentions(error, "layer 1", "takes 5 inputs", "returns 4", "chain");
    }

    [Fact]
    public void LastLayerNotALoss()
    {
        var error = Assert.Throws<ArgumentException>(() => new Network(
            new DenseReferenceLayer(Activation.Tanh, 3, 4),
            new DenseReferenceLayer(Activation.Tanh, 4, 4)));
        AssertMentions(error, "last layer", "not a loss layer", "Loss()");
    }

    [Fact]
    public void LossLayerInTheMiddle()
    {
        var error = Assert.Throws<ArgumentException>(() => new Network(
            new SoftmaxCrossEntropyReferenceLayer(3, 1),
            new SoftmaxCrossEntropyReferenceLayer(1, 3)));
        AssertMentions(error, "layer 0", "loss layer at position 0", "only at the end");
    }

    [Fact]
    public void NoLayers()
    {
        var error = Assert.Throws<ArgumentException>(() => new Network());
        AssertMentions(error, "layers", "empty");
    }

    [Fact]
    public void EmptyBatch()
    {
        var error = Assert.Throws<ArgumentException>(() => Batch.WithLabels(new double[0, 3], []));
        AssertMentions(error, "inputs", "0 x 3", "at least one example");
    }

    [Fact]
    public void LabelCountDiffersFromRowCount()
    {
        var error = Assert.Throws<ArgumentException>(() => Batch.WithLabels(Inputs, [1]));
        AssertMentions(error, "labels", "1 entries", "(2)");
    }

    [Fact]
    public void LabelThatIsNotAWholeNumber()
    {
        Network network = Classifier();
        var error = Assert.Throws<ArgumentException>(() =>
            network.At(network.RandomParameters(1), Batch.WithData(Inputs, new double[,] { { 0 }, { 1.5 } })));
        AssertMentions(error, "label of example 1", "1.5", "class index in [0, 3)");
    }

    [Fact]
    public void ReferenceCaseThatIsNotOne()
    {
        var error = Assert.Throws<System.IO.InvalidDataException>(() =>
            ReferenceCase.Parse("{\"name\": \"broken\", \"layers\": []}", StandardLayers.Create));
        AssertMentions(error, "not a reference case", "oracle's JSON format");
    }

    [Fact]
    public void ReferenceCaseWithoutAField()
    {
        string json = System.IO.File.ReadAllText(OracleFiles.PathOf("tiny-tanh")).Replace("\"solves\"", "\"renamed\"");
        var error = Assert.Throws<System.IO.InvalidDataException>(() => ReferenceCase.Parse(json, StandardLayers.Create));
        AssertMentions(error, "the field 'solves' is missing");
    }

    private static void AssertMentions(Exception error, params string[] fragments)
    {
        foreach (string fragment in fragments)
        {
            Assert.Contains(fragment, error.Message, StringComparison.Ordinal);
        }
    }
}
