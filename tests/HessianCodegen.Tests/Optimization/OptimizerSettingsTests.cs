using System;
using System.Linq;
using HessianCodegen.Layers;
using HessianCodegen.Optimization;
using Xunit;

namespace HessianCodegen.Tests.Optimization;

/// <summary>Seeds make runs repeatable, and bad settings are refused with a message that names them.</summary>
public sealed class OptimizerSettingsTests
{
    [Fact]
    public void SameSeedSameRunOtherSeedOtherRun()
    {
        (Network network, Batch batch, double[] start) = Classifier();
        double[] Run(int seed)
        {
            var adam = new Adam(network, start, new MinibatchSampler(batch, seed), batchSize: 3, learningRate: 0.01);
            TrainingLoop.Run(adam, TimeSpan.MaxValue, maxSteps: 20);
            return adam.Parameters.ToArray();
        }

        Assert.Equal(Run(4), Run(4));
        Assert.NotEqual(Run(4), Run(5));
    }

    [Fact]
    public void CurvatureBatchLargerThanGradientBatchIsRefused()
    {
        (Network network, Batch batch, double[] start) = Classifier();
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new TrustRegionOptimizer(network, start, new MinibatchSampler(batch, 1),
            new TrustRegionSettings { GradientBatchSize = 4, CurvatureBatchSize = 8 }));
        Assert.Contains("CurvatureBatchSize is 8; expected at most GradientBatchSize (4)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GaussNewtonOnAFusedLossLayerSaysHowToSplitIt()
    {
        var network = new Network(new TanhLayer(2, 3), new SoftmaxCrossEntropyLayer(3, 2));
        Batch batch = Batch.WithLabels(new double[,] { { 0, 1 }, { 1, 0 } }, [0, 1]);
        var e = Assert.Throws<InvalidOperationException>(() => new LevenbergMarquardtOptimizer(network, network.RandomParameters(1),
            new MinibatchSampler(batch, 1), new LevenbergMarquardtSettings()));
        Assert.Contains("LinearLayer(3, 2) followed by SoftmaxCrossEntropyLoss(2)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NegativeLearningRateIsRefusedByName()
    {
        (Network network, Batch batch, double[] start) = Classifier();
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new MomentumSgd(network, start, new MinibatchSampler(batch, 1), 2, learningRate: -0.1));
        Assert.Contains("learningRate is -0.1; expected a finite number > 0", e.Message, StringComparison.Ordinal);
    }

    private static (Network, Batch, double[]) Classifier()
    {
        var network = new Network(new TanhLayer(2, 3), new LinearLayer(3, 2), new SoftmaxCrossEntropyLoss(2));
        var random = new Random(2);
        var inputs = new double[12, 2];
        var labels = new int[12];
        for (int n = 0; n < 12; n++)
        {
            inputs[n, 0] = random.NextDouble();
            inputs[n, 1] = random.NextDouble();
            labels[n] = n % 2;
        }

        return (network, Batch.WithLabels(inputs, labels), network.RandomParameters(3));
    }
}
