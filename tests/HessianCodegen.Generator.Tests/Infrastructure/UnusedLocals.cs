using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace HessianCodegen.Generator.Tests.Infrastructure;

/// <summary>
/// Dead code in emitted methods, the way IDE0059, CS0219 and CS0168 see it: a local declared in a
/// method body (or a loop variable) whose value is never read there.
/// </summary>
internal static class UnusedLocals
{
    /// <summary>One line per unused local: the method, the local and its declaration.</summary>
    public static IReadOnlyList<string> In(Compilation compilation, SyntaxTree tree)
    {
        SemanticModel model = compilation.GetSemanticModel(tree);
        var found = new List<string>();
        foreach (BaseMethodDeclarationSyntax method in tree.GetRoot().DescendantNodes().OfType<BaseMethodDeclarationSyntax>())
        {
            if (method.Body is null)
            {
                continue;
            }

            DataFlowAnalysis? flow = model.AnalyzeDataFlow(method.Body);
            if (flow is null || !flow.Succeeded)
            {
                found.Add($"{Name(method)}: data flow analysis failed");
                continue;
            }

            foreach (ISymbol local in flow.VariablesDeclared.Except(flow.ReadInside, SymbolEqualityComparer.Default))
            {
                string declaration = local.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax().ToString() ?? local.Name;
                found.Add($"{Name(method)}: '{local.Name}' is never read ({declaration})");
            }
        }

        return found;
    }

    private static string Name(BaseMethodDeclarationSyntax method) =>
        method is MethodDeclarationSyntax named ? named.Identifier.ValueText : method.Kind().ToString();
}
