using System;

namespace HessianCodegen.Optimization;

/// <summary>Where a training run stands after a step, as handed to the progress callback.</summary>
/// <param name="Step">Steps taken so far (rejected ones included), from 1.</param>
/// <param name="Elapsed">The optimizer's own time so far: the sum of its steps, callbacks excluded.</param>
/// <param name="Last">The step just taken.</param>
/// <param name="Timings">Where the time so far went, summed over the steps.</param>
public readonly record struct TrainingProgress(int Step, TimeSpan Elapsed, OptimizerStep Last, StepTimings Timings);
