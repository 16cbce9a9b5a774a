using System;
using HessianCodegen.Generator.Diagnostics;
using HessianCodegen.Generator.Emission;
using HessianCodegen.Generator.Helpers;
using HessianCodegen.Generator.Model;
using HessianCodegen.Generator.Parsing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace HessianCodegen.Generator;

/// <summary>
/// Turns every <c>[HessianLayer]</c> partial class into the members of <c>IHessianLayer</c>:
/// parse (syntax and symbols to a value model), differentiate and emit. Diagnostics are reported
/// from their own output so that the source output re-runs only when a model changes.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class HessianLayerGenerator : IIncrementalGenerator
{
    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        IncrementalValuesProvider<LayerParseResult> results = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                RuntimeTypeNames.HessianLayerAttribute,
                static (node, _) => node is ClassDeclarationSyntax,
                static (attributeContext, cancellationToken) => Parse(attributeContext))
            .WithTrackingName(TrackingNames.Parse);

        IncrementalValuesProvider<EquatableArray<DiagnosticInfo>> diagnostics = results
            .Select(static (result, _) => result.Diagnostics)
            .WithTrackingName(TrackingNames.Diagnostics);

        IncrementalValuesProvider<LayerModel> models = results
            .Select(static (result, _) => result.Model)
            .Where(static model => model is not null)
            .Select(static (model, _) => model!)
            .WithTrackingName(TrackingNames.Model);

        IncrementalValuesProvider<GeneratedOrFailed> sources = models
            .Select(static (model, _) => Emit(model))
            .WithTrackingName(TrackingNames.Source);

        context.RegisterSourceOutput(diagnostics, static (production, infos) =>
        {
            foreach (DiagnosticInfo info in infos)
            {
                production.ReportDiagnostic(info.ToDiagnostic());
            }
        });

        context.RegisterSourceOutput(sources, static (production, result) =>
        {
            if (result.Source is not null)
            {
                production.AddSource(result.Source.HintName, SourceText.From(result.Source.Text, System.Text.Encoding.UTF8));
            }
            else
            {
                production.ReportDiagnostic(result.Failure!.ToDiagnostic());
            }
        });
    }

    private static LayerParseResult Parse(GeneratorAttributeSyntaxContext context)
    {
        var declaration = (ClassDeclarationSyntax)context.TargetNode;
        try
        {
            StageFaults.ThrowIfInjected(TrackingNames.Parse);
            return LayerParser.Parse(declaration, (INamedTypeSymbol)context.TargetSymbol, context.SemanticModel);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // A generator that throws gives the user one cryptic warning and no output: report instead.
            DiagnosticInfo internalError = DiagnosticInfo.Create(
                DiagnosticDescriptors.InternalError, declaration.Identifier, declaration.Identifier.ValueText, exception.ToString());
            return new LayerParseResult(null, new EquatableArray<DiagnosticInfo>(new[] { internalError }));
        }
    }

    private static GeneratedOrFailed Emit(LayerModel model)
    {
        try
        {
            StageFaults.ThrowIfInjected(TrackingNames.Source);
            return new GeneratedOrFailed(LayerEmitter.Emit(model), null);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            var failure = new DiagnosticInfo(
                DiagnosticDescriptors.InternalError, string.Empty, default, default,
                new EquatableArray<string>(new[] { model.TypeName, exception.ToString() }));
            return new GeneratedOrFailed(null, failure);
        }
    }

    /// <summary>The outcome of emitting one layer: its source, or the internal error that stopped it.</summary>
    private sealed record GeneratedOrFailed(GeneratedSource? Source, DiagnosticInfo? Failure);
}
