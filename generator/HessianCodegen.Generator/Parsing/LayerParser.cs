using System.Collections.Generic;
using System.Linq;
using HessianCodegen.Generator.Diagnostics;
using HessianCodegen.Generator.Helpers;
using HessianCodegen.Generator.Model;
using HessianCodegen.Generator.Symbolic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace HessianCodegen.Generator.Parsing;

/// <summary>
/// Reads a <c>[HessianLayer]</c> class: checks its shape (partial, top-level, non-generic, a primary
/// constructor of int sizes), its tensor fields and its single math member, then hands the math to
/// <see cref="ExpressionParser"/>. Produces a <see cref="LayerModel"/> or diagnostics, never both.
/// </summary>
internal static class LayerParser
{
    public static LayerParseResult Parse(ClassDeclarationSyntax declaration, INamedTypeSymbol type, SemanticModel semanticModel)
    {
        var diagnostics = new List<DiagnosticInfo>();
        LayerModel? model = ParseLayer(declaration, type, semanticModel, diagnostics);
        return new LayerParseResult(diagnostics.Count == 0 ? model : null, diagnostics.ToEquatableArray());
    }

    private static LayerModel? ParseLayer(ClassDeclarationSyntax declaration, INamedTypeSymbol type, SemanticModel semanticModel, List<DiagnosticInfo> diagnostics)
    {
        if (type.ContainingType is not null || type.TypeParameters.Length > 0)
        {
            string what = type.ContainingType is not null ? "nested in '" + type.ContainingType.Name + "'" : "generic";
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NestedOrGeneric, declaration.Identifier, type.Name, what));
            return null;
        }

        if (!declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ClassNotPartial, declaration.Identifier, type.Name));
        }

        List<ClassDeclarationSyntax> parts = type.DeclaringSyntaxReferences
            .Select(reference => reference.GetSyntax())
            .OfType<ClassDeclarationSyntax>()
            .ToList();
        Compilation compilation = semanticModel.Compilation;
        SemanticModel ModelOf(SyntaxNode node) =>
            node.SyntaxTree == semanticModel.SyntaxTree ? semanticModel : compilation.GetSemanticModel(node.SyntaxTree);

        List<string> sizes = ParseSizes(declaration, parts, diagnostics);
        List<TensorDeclaration> tensors = ParseTensors(declaration, parts, sizes, ModelOf, diagnostics);

        List<MethodDeclarationSyntax> outputs = Members(parts, "Output");
        List<MethodDeclarationSyntax> losses = Members(parts, "Loss");
        if (outputs.Count + losses.Count != 1)
        {
            string problem = outputs.Count + losses.Count == 0
                ? $"The layer '{type.Name}' declares neither Output(int i) nor Loss()"
                : $"The layer '{type.Name}' declares more than one of Output(int i) and Loss()";
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MissingOutput, declaration.Identifier, problem));
            return null;
        }

        bool isLoss = losses.Count == 1;
        MethodDeclarationSyntax method = isLoss ? losses[0] : outputs[0];
        SemanticModel methodModel = ModelOf(method);
        if (!CheckSignature(method, isLoss, methodModel, diagnostics))
        {
            return null;
        }

        if (!isLoss)
        {
            foreach (TensorDeclaration data in tensors.Where(t => t.IsData))
            {
                VariableDeclaratorSyntax declarator = parts.SelectMany(p => p.Members.OfType<FieldDeclarationSyntax>())
                    .SelectMany(f => f.Declaration.Variables).First(v => v.Identifier.ValueText == data.Name);
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.DataInHiddenLayer, declarator.Identifier, data.Name));
            }
        }

        var parser = new ExpressionParser(methodModel, sizes, tensors, diagnostics);
        Node expression;
        Extent? outputRange = null;
        if (isLoss)
        {
            expression = parser.ParseLoss(method.ExpressionBody!.Expression);
        }
        else
        {
            (expression, outputRange) = parser.ParseOutput(method.ExpressionBody!.Expression, method.ParameterList.Parameters[0].Identifier);
        }

        string? ns = type.ContainingNamespace.IsGlobalNamespace ? null : type.ContainingNamespace.ToDisplayString();
        // The generated fields must not take a name the user's part declares (sorted: a value, compared across runs).
        var memberNames = type.GetMembers().Where(member => !member.IsImplicitlyDeclared).Select(member => member.Name)
            .Distinct().OrderBy(name => name, System.StringComparer.Ordinal).ToEquatableArray();
        return new LayerModel(ns, type.Name, sizes.ToEquatableArray(), tensors.ToEquatableArray(), isLoss, outputRange, expression, parser.IndexNames.ToEquatableArray(), memberNames);
    }

    private static List<string> ParseSizes(ClassDeclarationSyntax declaration, List<ClassDeclarationSyntax> parts, List<DiagnosticInfo> diagnostics)
    {
        var sizes = new List<string>();
        ClassDeclarationSyntax? withConstructor = parts.FirstOrDefault(p => p.ParameterList is not null);
        if (withConstructor is null)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidTensorDeclaration, declaration.Identifier,
                $"The layer '{declaration.Identifier.ValueText}' has no primary constructor; declare its sizes as one, e.g. 'partial class {declaration.Identifier.ValueText}(int inputs, int outputs)'"));
            return sizes;
        }

        foreach (ParameterSyntax parameter in withConstructor.ParameterList!.Parameters)
        {
            if (parameter.Type is PredefinedTypeSyntax predefined && predefined.Keyword.IsKind(SyntaxKind.IntKeyword))
            {
                sizes.Add(parameter.Identifier.ValueText);
            }
            else
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidTensorDeclaration, parameter,
                    $"The primary-constructor parameter '{parameter.Identifier.ValueText}' is not an int size"));
            }
        }

        return sizes;
    }

    private static List<TensorDeclaration> ParseTensors(
        ClassDeclarationSyntax declaration,
        List<ClassDeclarationSyntax> parts,
        List<string> sizes,
        System.Func<SyntaxNode, SemanticModel> modelOf,
        List<DiagnosticInfo> diagnostics)
    {
        var tensors = new List<TensorDeclaration>();
        foreach (FieldDeclarationSyntax field in parts.SelectMany(p => p.Members.OfType<FieldDeclarationSyntax>()))
        {
            string? typeName = modelOf(field).GetTypeInfo(field.Declaration.Type).Type?.ToDisplayString();
            if (typeName is not (RuntimeTypeNames.Vector or RuntimeTypeNames.Matrix or RuntimeTypeNames.Label))
            {
                continue;
            }

            foreach (VariableDeclaratorSyntax variable in field.Declaration.Variables)
            {
                TensorDeclaration? tensor = ParseTensor(variable, sizes, modelOf(variable), diagnostics);
                if (tensor is null)
                {
                    continue;
                }

                if (tensor.Kind == TensorKind.Input && tensors.Any(t => t.Kind == TensorKind.Input))
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidTensorDeclaration, variable,
                        $"'{tensor.Name}' is a second Input; a layer has exactly one input vector"));
                    continue;
                }

                tensors.Add(tensor);
            }
        }

        if (!tensors.Any(t => t.Kind == TensorKind.Input) && !diagnostics.Any(d => d.Descriptor == DiagnosticDescriptors.InvalidTensorDeclaration))
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidTensorDeclaration, declaration.Identifier,
                $"The layer '{declaration.Identifier.ValueText}' declares no input; add a field such as 'private readonly Vector z = Input(inputs);'"));
        }

        return tensors;
    }

    private static TensorDeclaration? ParseTensor(VariableDeclaratorSyntax variable, List<string> sizes, SemanticModel model, List<DiagnosticInfo> diagnostics)
    {
        string name = variable.Identifier.ValueText;
        if (variable.Initializer?.Value is not InvocationExpressionSyntax invocation ||
            model.GetSymbolInfo(invocation).Symbol is not IMethodSymbol method ||
            method.ContainingType.ToDisplayString() != RuntimeTypeNames.LayerMath ||
            method.Name is not ("Input" or "Parameter" or "Target" or "ClassLabel"))
        {
            SyntaxNode at = (SyntaxNode?)variable.Initializer?.Value ?? variable;
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidTensorDeclaration, at,
                $"The field '{name}' is not initialized by a tensor declaration"));
            return null;
        }

        var dimensions = new List<Extent>();
        bool valid = true;
        foreach (ArgumentSyntax argument in invocation.ArgumentList.Arguments)
        {
            Extent? extent = argument.Expression switch
            {
                IdentifierNameSyntax identifier when sizes.Contains(identifier.Identifier.ValueText) => Extent.Of(identifier.Identifier.ValueText),
                LiteralExpressionSyntax { Token.Value: int literal } when literal > 0 => Extent.Of(literal),
                _ => null,
            };

            if (extent is null)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidTensorDeclaration, argument,
                    $"The size '{argument}' of '{name}' is not a primary-constructor size parameter or a positive integer literal"));
                valid = false;
            }
            else
            {
                dimensions.Add(extent);
            }
        }

        TensorKind kind = method.Name switch
        {
            "Input" => TensorKind.Input,
            "Parameter" => TensorKind.Parameter,
            "Target" => TensorKind.Target,
            _ => TensorKind.ClassLabel,
        };
        return valid ? new TensorDeclaration(name, kind, dimensions.ToEquatableArray()) : null;
    }

    private static List<MethodDeclarationSyntax> Members(List<ClassDeclarationSyntax> parts, string name) =>
        parts.SelectMany(p => p.Members.OfType<MethodDeclarationSyntax>()).Where(m => m.Identifier.ValueText == name).ToList();

    private static bool CheckSignature(MethodDeclarationSyntax method, bool isLoss, SemanticModel model, List<DiagnosticInfo> diagnostics)
    {
        ITypeSymbol? returnType = model.GetTypeInfo(method.ReturnType).Type;
        if (returnType is not null && returnType.SpecialType != SpecialType.System_Double)
        {
            if (returnType.SpecialType is SpecialType.System_Single or SpecialType.System_Decimal or SpecialType.System_Int32 or SpecialType.System_Int64)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NonDoubleType, method.ReturnType,
                    $"'{method.Identifier.ValueText}'", returnType.ToDisplayString()));
            }
            else
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MissingOutput, method.ReturnType,
                    $"'{method.Identifier.ValueText}' returns '{returnType.ToDisplayString()}' instead of double"));
            }

            return false;
        }

        int expectedParameters = isLoss ? 0 : 1;
        bool parametersOk = method.ParameterList.Parameters.Count == expectedParameters &&
            (isLoss || method.ParameterList.Parameters[0].Type is PredefinedTypeSyntax { Keyword.RawKind: (int)SyntaxKind.IntKeyword });
        if (!parametersOk || method.TypeParameterList is not null)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MissingOutput, method.ParameterList,
                $"'{method.Identifier.ValueText}{method.ParameterList}' has the wrong parameters (expected {(isLoss ? "none" : "one int output index")})"));
            return false;
        }

        if (method.ExpressionBody is null)
        {
            SyntaxNode at = (SyntaxNode?)method.Body ?? method;
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.StatementInMath, at, "A block body"));
            return false;
        }

        return true;
    }
}
