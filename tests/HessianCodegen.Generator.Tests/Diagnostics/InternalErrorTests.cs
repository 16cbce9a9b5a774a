using System.Linq;
using HessianCodegen.Generator.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Xunit;
using static HessianCodegen.Generator.Tests.Diagnostics.DiagnosticAssert;

namespace HessianCodegen.Generator.Tests.Diagnostics;

/// <summary>
/// HCG9999: an exception inside a pipeline stage becomes this diagnostic, never a crash. A fault
/// injected into the stage (<see cref="StageFaults"/>) stands in for a generator bug.
/// </summary>
public sealed class InternalErrorTests
{
    private const string ValidMath = "    private double Output(int i) => Tanh(Sum(j => W[i, j] * z[j]) + c[i]);";

    [Fact]
    public void HCG9999_ParseStageThrows()
    {
        using (StageFaults.Inject(TrackingNames.Parse))
        {
            Reports("HCG9999", Layer(ValidMath, "public sealed partial class [|Probe|](int inputs, int outputs)"));
        }
    }

    [Fact]
    public void HCG9999_EmitStageThrows()
    {
        GeneratorRun run;
        using (StageFaults.Inject(TrackingNames.Source))
        {
            run = GeneratorHarness.Run(GeneratorHarness.Compile("Probe.cs", Layer(ValidMath)));
        }

        Diagnostic error = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("HCG9999", error.Id);
        Assert.Equal(DiagnosticSeverity.Error, error.Severity);
        Assert.Contains("'Probe'", error.GetMessage(), System.StringComparison.Ordinal);
        Assert.Contains("Fault injected into the Source stage", error.GetMessage(), System.StringComparison.Ordinal);
        Assert.Empty(run.GeneratedSources);
    }

    [Fact]
    public void WithoutAnInjectedFaultTheSameLayerGenerates()
    {
        // The control for the two tests above: the fault, not the layer, made them fail.
        GeneratorRun run = GeneratorHarness.Run(GeneratorHarness.Compile("Probe.cs", Layer(ValidMath)));

        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Single(run.GeneratedSources);
        Assert.Empty(run.OutputErrors);
    }
}
