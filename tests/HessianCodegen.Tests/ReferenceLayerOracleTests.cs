using HessianCodegen.Tests.Infrastructure;
using HessianCodegen.Tests.ReferenceLayers;
using Xunit.Abstractions;

namespace HessianCodegen.Tests;

/// <summary>
/// The runtime on hand-written reference layers against the PyTorch answer key: independent of the
/// generator, so a failure here is the runtime's (or the reference layers').
/// </summary>
public sealed class ReferenceLayerOracleTests(ITestOutputHelper output) : OracleTests(output)
{
    protected override ReferenceCase Load(string name) =>
        ReferenceCase.Load(OracleFiles.PathOf(name), ReferenceLayerFactory.Create);
}
