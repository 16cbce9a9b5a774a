using System;

namespace HessianCodegen.Optimization;

/// <summary>
/// An optimizer of a network's parameters that moves one step at a time. First- and second-order
/// methods share it, so that one training loop runs them all on the same footing.
/// </summary>
public interface IOptimizer
{
    /// <summary>A short name for tables and plots ("adam", "trust-region").</summary>
    string Name { get; }

    /// <summary>The current parameters.</summary>
    ReadOnlySpan<double> Parameters { get; }

    /// <summary>Takes one step (a rejected step of a second-order method counts as one) and says what it cost.</summary>
    OptimizerStep Step();
}
