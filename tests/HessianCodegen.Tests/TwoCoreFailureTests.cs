using System;
using System.Threading;
using System.Threading.Tasks;
using HessianCodegen.Layers;
using HessianCodegen.LinearAlgebra;
using HessianCodegen.Tests.Infrastructure;
using Xunit;

namespace HessianCodegen.Tests;

/// <summary>Runs alone: the fault it injects (<see cref="SharedFork.FaultForTests"/>) would reach any two-core fork.</summary>
[CollectionDefinition(nameof(TwoCoreFailureTests), DisableParallelization = true)]
public sealed class TwoCoreFailureCollection;

/// <summary>
/// An exception in either half of a two-core fork of the recursion reaches the caller, instead of leaving the other core waiting
/// for it forever, and the kept worker serves the next factorization (the same bits as one core).
/// </summary>
[Collection(nameof(TwoCoreFailureTests))]
public sealed class TwoCoreFailureTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AThrowInEitherHalfReachesTheCallerAndTheWorkerServesTheNext(bool workersHalf)
    {
        if (Environment.ProcessorCount < 2)
        {
            return; // one core: no fork
        }

        const int width = 8, count = 64;
        var network = new Network(new TanhLayer(width, width), new TanhLayer(width, width), new SoftmaxCrossEntropyLayer(width, 4));
        NetworkPoint point = network.At(network.RandomParameters(seed: 34), RandomValues.LabeledBatch(new Random(33), count, width, classes: 4));
        HessianDerivatives derivatives = point.Derivatives();
        Assert.Equal(RiccatiFactorization.TwoCoreStateOrder, count * width);

        // The fault comes as a side takes a piece. The worker's: the caller, taking its first piece, waits until the worker has
        // failed in one, lest it take them all (a worker that takes no piece fails nothing: the caller does not wait for it).
        using var workerFailed = new ManualResetEventSlim();
        SharedFork.FaultForTests = fromEnd =>
        {
            if (fromEnd == workersHalf)
            {
                workerFailed.Set();
                throw new InjectedFault();
            }

            // Shorter than the hang guard, so that a worker that never came fails with its own message.
            if (workersHalf && !workerFailed.Wait(TimeSpan.FromSeconds(20)))
            {
                throw new TimeoutException("The worker took no piece within 20 s, so its fault was never injected.");
            }
        };
        try
        {
            // The hang guard: a fork whose other core waits forever never completes.
            Task<RiccatiFactorization?> failing = Task.Run(() => RiccatiFactorization.Create(derivatives, 1.0, out _));
            Assert.Same(failing, await Task.WhenAny(failing, Task.Delay(TimeSpan.FromSeconds(30))));
            await Assert.ThrowsAsync<InjectedFault>(() => failing);
        }
        finally
        {
            SharedFork.FaultForTests = null;
        }

        RiccatiFactorization oneCore = RiccatiFactorization.Create(derivatives, 1.0, out _, allowTwoCores: false)!;
        Task<RiccatiFactorization?> next = Task.Run(() => RiccatiFactorization.Create(derivatives, 1.0, out _));
        Assert.Same(next, await Task.WhenAny(next, Task.Delay(TimeSpan.FromSeconds(30))));
        RiccatiFactorization twoCores = (await next)!;
        Assert.Equal(oneCore.LogDeterminant, twoCores.LogDeterminant);
        oneCore.Release();
        twoCores.Release();
    }

    private sealed class InjectedFault : Exception;
}
