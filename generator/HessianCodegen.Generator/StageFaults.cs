using System;
using System.Threading;

namespace HessianCodegen.Generator;

/// <summary>
/// A test-only way to make one pipeline stage throw, so that tests can see the generator turn an
/// exception into HCG9999 instead of crashing. Nothing in the generator sets it; it lives in an
/// <see cref="AsyncLocal{T}"/>, so a test injecting a fault affects only its own generator runs, and
/// it never enters a model, so incrementality and the emitted code are untouched.
/// </summary>
internal static class StageFaults
{
    private static readonly AsyncLocal<string?> FailingStage = new();

    /// <summary>Makes <paramref name="stage"/> (a <see cref="TrackingNames"/> constant) throw until the result is disposed.</summary>
    internal static IDisposable Inject(string stage)
    {
        FailingStage.Value = stage;
        return new Reset();
    }

    /// <summary>Throws when a test injected a fault into <paramref name="stage"/>.</summary>
    internal static void ThrowIfInjected(string stage)
    {
        if (FailingStage.Value == stage)
        {
            throw new InvalidOperationException($"Fault injected into the {stage} stage by a test.");
        }
    }

    private sealed class Reset : IDisposable
    {
        public void Dispose() => FailingStage.Value = null;
    }
}
