using HessianCodegen.Generator.Diagnostics;
using HessianCodegen.Generator.Helpers;

namespace HessianCodegen.Generator.Model;

/// <summary>What parsing one layer produced: a model (when there were no errors) and the diagnostics.</summary>
internal sealed record LayerParseResult(LayerModel? Model, EquatableArray<DiagnosticInfo> Diagnostics);
