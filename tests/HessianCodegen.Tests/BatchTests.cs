using System;
using Xunit;

namespace HessianCodegen.Tests;

/// <summary>What a batch hands back: its size, each example's input row and data, copied in.</summary>
public sealed class BatchTests
{
    private static readonly double[,] Inputs = { { 0.5, -1.0, 2.0 }, { 0.1, 0.2, 0.3 } };

    [Fact]
    public void LabelsAreStoredAsOneDataSlotPerExample()
    {
        Batch batch = Batch.WithLabels(Inputs, [2, 0]);

        Assert.Equal(2, batch.Count);
        Assert.Equal(3, batch.InputSize);
        Assert.Equal(1, batch.DataSize);
        Assert.Equal([0.1, 0.2, 0.3], batch.Input(1).ToArray());
        Assert.Equal([2.0], batch.Data(0).ToArray());
        Assert.Equal([0.0], batch.Data(1).ToArray());
    }

    [Fact]
    public void DataRowsAreStoredAsGivenAndCopied()
    {
        var data = new double[,] { { 1, 0.5, -0.5 }, { 0, 1.5, 2.5 } };
        Batch batch = Batch.WithData(Inputs, data);
        data[0, 0] = 99;

        Assert.Equal(2, batch.Count);
        Assert.Equal(3, batch.DataSize);
        Assert.Equal([0.5, -1.0, 2.0], batch.Input(0).ToArray());
        Assert.Equal([1.0, 0.5, -0.5], batch.Data(0).ToArray());
        Assert.Equal([0.0, 1.5, 2.5], batch.Data(1).ToArray());
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(2)]
    public void ExampleOutsideTheBatchIsRejected(int example)
    {
        Batch batch = Batch.WithTargets(Inputs, new double[,] { { 1 }, { 2 } });

        var input = Assert.Throws<ArgumentOutOfRangeException>(() => batch.Input(example));
        var data = Assert.Throws<ArgumentOutOfRangeException>(() => batch.Data(example));
        Assert.Equal("example", input.ParamName);
        Assert.Contains("[0, 2)", input.Message, StringComparison.Ordinal);
        Assert.Equal("example", data.ParamName);
    }
}
