using System.Linq;
using HessianCodegen.Generator.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Xunit;

namespace HessianCodegen.Generator.Tests;

/// <summary>
/// The generated part declares fields for the sizes, the parameter count and the offsets; a layer
/// whose own part already declares members of those names still compiles, the generated fields
/// taking other names.
/// </summary>
public sealed class MemberNameTests
{
    [Fact]
    public void GeneratedFieldsLeaveTheUsersMembersAlone()
    {
        const string layer = """
            using HessianCodegen;
            using static HessianCodegen.LayerMath;

            namespace Samples;

            [HessianLayer]
            public sealed partial class Owned(int inputs, int outputs)
            {
                private readonly int inputs = inputs;
                private readonly Vector z = Input(inputs);
                private readonly Matrix W = Parameter(outputs, inputs);
                private readonly Vector c = Parameter(outputs);

                public int parameterCount => W.Rows * inputs + c.Length;

                private double Output(int i) => Tanh(Sum(j => W[i, j] * z[j]) + c[i]);
            }
            """;

        GeneratorRun run = GeneratorHarness.Run(GeneratorHarness.Compile("Owned.cs", layer));
        string emitted = run.Result.GeneratedTrees.Single().ToString();

        Assert.Empty(run.Output.GetDiagnostics().Where(diagnostic => diagnostic.Severity >= DiagnosticSeverity.Warning));
        Assert.Contains("private readonly int inputs1 = inputs;", emitted);
        Assert.Contains("private readonly int parameterCount1 = ", emitted);
    }
}
