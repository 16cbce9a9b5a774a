using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace HessianCodegen.Generator.Tests.Infrastructure;

/// <summary>The ways <see cref="SourceMutator"/> breaks a layer source.</summary>
public enum Mutation
{
    /// <summary>Deletes one token.</summary>
    DeleteToken,

    /// <summary>Writes one token twice.</summary>
    DuplicateToken,

    /// <summary>Swaps two neighbouring tokens.</summary>
    SwapTokens,

    /// <summary>Replaces a layer-math function with <c>Math.Abs</c>, <c>Math.Max</c> or a name that does not exist.</summary>
    ReplaceFunction,

    /// <summary>Changes a <c>double</c> to <c>float</c> or <c>int</c>, or a tensor type to an array.</summary>
    ChangeType,

    /// <summary>Drops <c>partial</c> (or <c>sealed</c>, or the attribute's brackets).</summary>
    DropModifier,

    /// <summary>Turns the expression body into a block with an extra statement.</summary>
    InsertStatement,

    /// <summary>Indexes a tensor with the wrong number of indices, or a vector with a matrix index.</summary>
    BadIndexRank,

    /// <summary>Replaces an index or a number with another literal, variable or expression.</summary>
    ReplaceOperand,

    /// <summary>Cuts the source at a random character.</summary>
    Truncate,
}

/// <summary>
/// Deterministic, seeded mutations of a layer source, working on Roslyn tokens so that each edit
/// is a plausible typo or misuse rather than random bytes.
/// </summary>
internal static class SourceMutator
{
    private static readonly string[] LayerMathFunctions = ["Tanh", "Sigmoid", "Softplus", "Relu", "Sum", "LogSumExp", "Square", "Exp", "Log"];

    private static readonly string[] ReplacementFunctions = ["Math.Abs", "Math.Max", "Math.Sin", "Frobnicate", "Sqrt", "Exp", "Pow"];

    private static readonly string[] ReplacementOperands = ["0", "1", "-1", "i", "j", "k", "label", "inputs", "z.Length", "i + 1", "2.5", "double.NaN", "1e308", "W[0, 0]"];

    /// <summary>The source after one <paramref name="mutation"/>, chosen by <paramref name="seed"/>.</summary>
    public static string Mutate(string source, Mutation mutation, int seed)
    {
        var random = new Random(seed);
        var root = CSharpSyntaxTree.ParseText(source).GetRoot();
        var tokens = root.DescendantTokens().Where(token => token.Span.Length > 0).ToArray();
        T Pick<T>(IReadOnlyList<T> items) => items[random.Next(items.Count)];

        switch (mutation)
        {
            case Mutation.DeleteToken:
                return Replace(source, Pick(tokens).Span, "");
            case Mutation.DuplicateToken:
            {
                var token = Pick(tokens);
                return Replace(source, token.Span, token.Text + " " + token.Text);
            }

            case Mutation.SwapTokens:
            {
                int index = random.Next(tokens.Length - 1);
                var (first, second) = (tokens[index], tokens[index + 1]);
                string between = source[first.Span.End..second.SpanStart];
                return Replace(source, TextSpan.FromBounds(first.SpanStart, second.Span.End), second.Text + between + first.Text);
            }

            case Mutation.ReplaceFunction:
            {
                var calls = tokens.Where(token => token.IsKind(SyntaxKind.IdentifierToken) && LayerMathFunctions.Contains(token.Text)).ToArray();
                return Replace(source, Pick(calls).Span, Pick(ReplacementFunctions));
            }

            case Mutation.ChangeType:
            {
                var types = tokens.Where(token => token.IsKind(SyntaxKind.DoubleKeyword) || token.Text is "Vector" or "Matrix" or "Label").ToArray();
                var type = Pick(types);
                string replacement = type.IsKind(SyntaxKind.DoubleKeyword) ? Pick(["float", "int", "decimal"]) : Pick(["double[]", "float", "Vector", "Matrix"]);
                return Replace(source, type.Span, replacement);
            }

            case Mutation.DropModifier:
            {
                var modifiers = tokens.Where(token => token.IsKind(SyntaxKind.PartialKeyword) || token.IsKind(SyntaxKind.SealedKeyword)
                    || token.IsKind(SyntaxKind.ReadOnlyKeyword) || token.IsKind(SyntaxKind.PrivateKeyword)).ToArray();
                return Replace(source, Pick(modifiers).Span, Pick(["", "static", "public", "internal"]));
            }

            case Mutation.InsertStatement:
            {
                var body = root.DescendantNodes().OfType<MethodDeclarationSyntax>().Single().ExpressionBody!;
                string statement = Pick(["int unused = 0;", "System.Console.WriteLine();", "if (i > 0) return 0.0;", "var q = z[0];", "throw new System.Exception();", "for (;;) { }"]);
                string returned = body.Expression.ToString();
                var declaration = (MethodDeclarationSyntax)body.Parent!;
                return Replace(source, TextSpan.FromBounds(body.SpanStart, declaration.Span.End), $"{{ {statement} return {returned}; }}");
            }

            case Mutation.BadIndexRank:
            {
                var accesses = root.DescendantNodes().OfType<ElementAccessExpressionSyntax>().ToArray();
                var access = Pick(accesses);
                var arguments = access.ArgumentList.Arguments;
                string replacement = arguments.Count == 2
                    ? Pick([$"[{arguments[0]}]", $"[{arguments[0]}, {arguments[1]}, {arguments[1]}]", $"[{arguments[1]}, {arguments[0]}]"])
                    : Pick([$"[{arguments[0]}, {arguments[0]}]", "[]", $"[{arguments[0]}][0]"]);
                return Replace(source, access.ArgumentList.Span, replacement);
            }

            case Mutation.ReplaceOperand:
            {
                var operands = tokens.Where(token => token.IsKind(SyntaxKind.NumericLiteralToken)
                    || (token.IsKind(SyntaxKind.IdentifierToken) && token.Parent is IdentifierNameSyntax && token.Text is "i" or "j" or "k" or "z" or "c" or "label" or "target")).ToArray();
                return Replace(source, Pick(operands).Span, Pick(ReplacementOperands));
            }

            case Mutation.Truncate:
                return source[..random.Next(source.Length)];

            default:
                throw new ArgumentOutOfRangeException(nameof(mutation), mutation, "Unknown mutation.");
        }
    }

    private static string Replace(string source, TextSpan span, string replacement) =>
        string.Concat(source.AsSpan(0, span.Start), replacement, source.AsSpan(span.End));
}
