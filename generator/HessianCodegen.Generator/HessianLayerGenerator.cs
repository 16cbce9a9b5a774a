using Microsoft.CodeAnalysis;

namespace HessianCodegen.Generator;

/// <summary>
/// Turns every <c>[HessianLayer]</c> partial class into the members of <c>IHessianLayer</c>.
/// Placeholder: the pipeline (parse, differentiate, emit) lands with issue 2.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class HessianLayerGenerator : IIncrementalGenerator
{
    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
    }
}
