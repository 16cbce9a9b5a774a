using System.Threading;
using HessianCodegen.LinearAlgebra;

namespace HessianCodegen.Tests.Infrastructure;

/// <summary>
/// A <see cref="TwoCoreWorker"/> kept from the next forks, as a worker descheduled on a busy machine: held in an offered half
/// (<see cref="TwoCoreWorker.InvokeShared"/>) until let go, so that the halves offered meanwhile are withdrawn.
/// </summary>
internal static class HeldWorker
{
    /// <summary>Holds <paramref name="worker"/>'s thread in an offered half; returns once it is held, with the event that lets it go.</summary>
    public static ManualResetEventSlim Hold(TwoCoreWorker worker)
    {
        using var held = new ManualResetEventSlim();
        var letGo = new ManualResetEventSlim();
        worker.InvokeShared(() => held.Wait(), () =>
        {
            held.Set();
            letGo.Wait();
        });
        return letGo;
    }

    /// <summary>
    /// Returns once a let-go worker has passed any half withdrawn while it was held: two forks, since the pass that ran the held
    /// half reads the offered half before the posted one, so that it may take the first fork's; the second is taken only by a pass
    /// that read the offered half first.
    /// </summary>
    public static void PassWithdrawnHalves(TwoCoreWorker worker)
    {
        worker.Invoke(() => { }, () => { });
        worker.Invoke(() => { }, () => { });
    }
}
