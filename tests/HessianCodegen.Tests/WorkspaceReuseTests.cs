using System;
using System.Threading;
using Xunit;

namespace HessianCodegen.Tests;

/// <summary>
/// The workspace's promises, which the generated per-example members lean on when layers of different sizes
/// take turns on <see cref="LayerWorkspace.ForThisThread"/>: a buffer asked for with another length is zero,
/// a kept buffer of another length is refused, a discarded result is zero, and each thread has its own.
/// </summary>
public sealed class WorkspaceReuseTests
{
    [Fact]
    public void ABufferAskedForWithAnotherLengthIsZeroEvenWhenItsMemoryIsReused()
    {
        var workspace = new LayerWorkspace();
        workspace.Buffer("sums", 8).Fill(3.0);

        Span<double> shorter = workspace.Buffer("sums", 4);

        Assert.Equal(new double[4], shorter.ToArray());
    }

    [Fact]
    public void ABufferAskedForWithTheSameLengthKeepsItsValues()
    {
        var workspace = new LayerWorkspace();
        workspace.Buffer("sums", 3).Fill(2.0);

        Assert.Equal(new[] { 2.0, 2.0, 2.0 }, workspace.Kept("sums", 3).ToArray());
        Assert.Equal(new[] { 2.0, 2.0, 2.0 }, workspace.Buffer("sums", 3).ToArray());
    }

    [Fact]
    public void KeptRefusesALengthTheLastWriteDidNotHave()
    {
        var workspace = new LayerWorkspace();
        workspace.Buffer("sums", 8);
        workspace.Buffer("sums", 4);

        Assert.Throws<InvalidOperationException>(() => workspace.Kept("sums", 8).Length);
    }

    [Fact]
    public void ADiscardedResultIsZeroAtEveryCallAndApartFromTheBufferOfItsName()
    {
        var workspace = new LayerWorkspace();
        workspace.Buffer("result", 2).Fill(5.0);
        workspace.Discarded("result", 2).Fill(1.0);

        Assert.Equal(new double[2], workspace.Discarded("result", 2).ToArray());
        Assert.Equal(new[] { 5.0, 5.0 }, workspace.Kept("result", 2).ToArray());
    }

    [Fact]
    public void EachThreadHasItsOwnScratchWorkspace()
    {
        LayerWorkspace mine = LayerWorkspace.ForThisThread;
        LayerWorkspace? other = null;
        var thread = new Thread(() => other = LayerWorkspace.ForThisThread);
        thread.Start();
        thread.Join();

        Assert.Same(mine, LayerWorkspace.ForThisThread);
        Assert.NotNull(other);
        Assert.NotSame(mine, other);
    }
}
