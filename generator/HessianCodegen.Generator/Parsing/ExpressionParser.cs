using System.Collections.Generic;
using System.Linq;
using HessianCodegen.Generator.Diagnostics;
using HessianCodegen.Generator.Functions;
using HessianCodegen.Generator.Model;
using HessianCodegen.Generator.Symbolic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace HessianCodegen.Generator.Parsing;

/// <summary>
/// Turns the C# expression of <c>Output</c> or <c>Loss</c> into IR. Calls are resolved through the
/// semantic model (only members of <c>HessianCodegen.LayerMath</c> are math), index ranges are
/// inferred from the subscripts, and every unsupported construct becomes a diagnostic on its syntax.
/// </summary>
internal sealed class ExpressionParser
{
    private readonly SemanticModel _semanticModel;
    private readonly Dictionary<string, TensorDeclaration> _tensors;
    private readonly HashSet<string> _sizes;
    private readonly List<DiagnosticInfo> _diagnostics;
    private readonly IndexScope _scope = new();
    private readonly List<UserIndex> _indexNames = new();

    public ExpressionParser(SemanticModel semanticModel, IEnumerable<string> sizes, IEnumerable<TensorDeclaration> tensors, List<DiagnosticInfo> diagnostics)
    {
        _semanticModel = semanticModel;
        _tensors = tensors.ToDictionary(t => t.Name);
        _sizes = new HashSet<string>(sizes);
        _diagnostics = diagnostics;
    }

    /// <summary>Parses a hidden layer's <c>Output(int i)</c> body; also returns the inferred output range.</summary>
    public (Node Value, Extent? OutputRange) ParseOutput(ExpressionSyntax body, SyntaxToken outputIndex)
    {
        IndexVariable output = _scope.Push(outputIndex.ValueText, outputIndex, LayerModel.OutputIndex);
        int position = _indexNames.Count;
        Node value = Parse(body);
        _scope.Pop();
        if (output.Range is null)
        {
            Report(DiagnosticDescriptors.IndexRangeUnknown, outputIndex, output.UserName);
        }
        else
        {
            _indexNames.Insert(position, new UserIndex(output.UserName, output.Range));
        }

        return (value, output.Range);
    }

    /// <summary>The user's index names, in the order they were parsed (the output index first).</summary>
    public IReadOnlyList<UserIndex> IndexNames => _indexNames;

    /// <summary>Parses a loss layer's <c>Loss()</c> body.</summary>
    public Node ParseLoss(ExpressionSyntax body) => Parse(body);

    private Node Parse(ExpressionSyntax syntax)
    {
        switch (syntax)
        {
            case ParenthesizedExpressionSyntax parenthesized:
                return Parse(parenthesized.Expression);
            case LiteralExpressionSyntax literal when literal.IsKind(SyntaxKind.NumericLiteralExpression):
                return ParseLiteral(literal);
            case BinaryExpressionSyntax binary:
                return ParseBinary(binary);
            case PrefixUnaryExpressionSyntax unary when unary.IsKind(SyntaxKind.UnaryMinusExpression):
                return Expr.Negate(Parse(unary.Operand));
            case PrefixUnaryExpressionSyntax unary when unary.IsKind(SyntaxKind.UnaryPlusExpression):
                return Parse(unary.Operand);
            case PrefixUnaryExpressionSyntax unary when unary.IsKind(SyntaxKind.PreIncrementExpression) || unary.IsKind(SyntaxKind.PreDecrementExpression):
                return Fail(DiagnosticDescriptors.StatementInMath, unary, "The increment or decrement '" + unary + "'");
            case PostfixUnaryExpressionSyntax postfix when postfix.IsKind(SyntaxKind.PostIncrementExpression) || postfix.IsKind(SyntaxKind.PostDecrementExpression):
                return Fail(DiagnosticDescriptors.StatementInMath, postfix, "The increment or decrement '" + postfix + "'");
            case AssignmentExpressionSyntax assignment:
                return Fail(DiagnosticDescriptors.StatementInMath, assignment, "The assignment '" + assignment + "'");
            case ElementAccessExpressionSyntax access:
                return ParseElement(access);
            case InvocationExpressionSyntax invocation:
                return ParseInvocation(invocation);
            case IdentifierNameSyntax identifier:
                return ParseIdentifierAsValue(identifier);
            case MemberAccessExpressionSyntax member when ConstantOf(member) is { } constant:
                return constant;
            case CastExpressionSyntax cast when _semanticModel.GetTypeInfo(cast.Type).Type?.SpecialType == SpecialType.System_Double:
                return Parse(cast.Expression);
            default:
                return Fail(DiagnosticDescriptors.UnsupportedExpression, syntax, Describe(syntax));
        }
    }

    private Node ParseLiteral(LiteralExpressionSyntax literal)
    {
        object? value = literal.Token.Value;
        return value switch
        {
            double number => Expr.Constant(number),
            int number => Expr.Constant(number),
            long number => Expr.Constant(number),
            _ => Fail(DiagnosticDescriptors.NonDoubleType, literal, "The literal '" + literal + "'", value?.GetType().Name ?? "unknown"),
        };
    }

    private Node ParseBinary(BinaryExpressionSyntax binary)
    {
        SyntaxKind kind = binary.Kind();
        if (kind is not (SyntaxKind.AddExpression or SyntaxKind.SubtractExpression or SyntaxKind.MultiplyExpression or SyntaxKind.DivideExpression))
        {
            return Fail(DiagnosticDescriptors.UnsupportedExpression, binary, "The operator '" + binary.OperatorToken.Text + "'");
        }

        Node left = Parse(binary.Left);
        Node right = Parse(binary.Right);
        ITypeSymbol? type = _semanticModel.GetTypeInfo(binary).Type;
        if (type is not null && type.SpecialType != SpecialType.System_Double && type.TypeKind != TypeKind.Error)
        {
            return Fail(DiagnosticDescriptors.NonDoubleType, binary, "The expression '" + binary + "'", type.ToDisplayString());
        }

        return kind switch
        {
            SyntaxKind.AddExpression => Expr.Add(left, right),
            SyntaxKind.SubtractExpression => Expr.Subtract(left, right),
            SyntaxKind.MultiplyExpression => Expr.Multiply(left, right),
            _ => Expr.Divide(left, right),
        };
    }

    private Node ParseIdentifierAsValue(IdentifierNameSyntax identifier)
    {
        string name = identifier.Identifier.ValueText;
        if (_scope.Find(name) is not null)
        {
            return Fail(DiagnosticDescriptors.NonDoubleType, identifier, "The index '" + name + "' used as a value", "int");
        }

        if (_tensors.TryGetValue(name, out TensorDeclaration? tensor))
        {
            return tensor.Kind == TensorKind.ClassLabel
                ? Fail(DiagnosticDescriptors.LabelUsedAsValue, identifier, name)
                : Fail(DiagnosticDescriptors.WrongIndexRank, identifier, $"'{name}' has rank {tensor.Dimensions.Count} but is used without subscripts");
        }

        ISymbol? symbol = _semanticModel.GetSymbolInfo(identifier).Symbol;
        if (symbol is IParameterSymbol && _sizes.Contains(name))
        {
            // A size is a run-time value: the generated code reads it from a tensor declared with it.
            return _tensors.Values.Any(t => t.Dimensions.Any(d => d.Parameter == name))
                ? Expr.Size(Extent.Of(name))
                : Fail(DiagnosticDescriptors.UnsupportedName, identifier, name,
                    $"is a size that no tensor is declared with, so the generated code cannot read it; declare a tensor with it, e.g. 'Parameter({name})', or use a const double field");
        }

        if (ConstantOf(identifier) is { } constant)
        {
            return constant;
        }

        string problem = symbol switch
        {
            IFieldSymbol { IsConst: true } field => $"is a constant of type '{field.Type.ToDisplayString()}'; declare it 'const double'",
            IFieldSymbol field => $"is a field that is not const; declare it 'private const double {field.Name} = ...;' or write its value",
            IPropertySymbol => "is a property; layer math reads only tensor fields, sizes and const double fields",
            IParameterSymbol => "is a primary-constructor parameter that is not an int size; use an int size or a const double field",
            _ => "is not a tensor field, an index variable, a size or a const double field",
        };
        return Fail(DiagnosticDescriptors.UnsupportedName, identifier, name, problem);
    }

    /// <summary>A const field of numeric type (<c>const double eps = 1e-3</c>, <c>Math.PI</c>) as its value, else null.</summary>
    private Node? ConstantOf(ExpressionSyntax syntax)
    {
        if (_semanticModel.GetSymbolInfo(syntax).Symbol is not IFieldSymbol { IsConst: true } field)
        {
            return null;
        }

        Optional<object?> value = _semanticModel.GetConstantValue(syntax);
        return value.HasValue && value.Value is double or float or int or long or short or byte or sbyte or ushort or uint or ulong
            && field.Type.SpecialType != SpecialType.System_Decimal
            ? Expr.Constant(System.Convert.ToDouble(value.Value, System.Globalization.CultureInfo.InvariantCulture))
            : null;
    }

    private Node ParseElement(ElementAccessExpressionSyntax access)
    {
        if (access.Expression is not IdentifierNameSyntax target || !_tensors.TryGetValue(target.Identifier.ValueText, out TensorDeclaration? tensor))
        {
            return Fail(DiagnosticDescriptors.UnsupportedExpression, access, "The subscript '" + access + "' of something other than a tensor field");
        }

        SeparatedSyntaxList<ArgumentSyntax> arguments = access.ArgumentList.Arguments;
        if (tensor.Kind == TensorKind.ClassLabel)
        {
            return Fail(DiagnosticDescriptors.WrongIndexRank, access, $"The label '{tensor.Name}' cannot be subscripted");
        }

        if (arguments.Count != tensor.Dimensions.Count)
        {
            return Fail(DiagnosticDescriptors.WrongIndexRank, access,
                $"'{tensor.Name}' has rank {tensor.Dimensions.Count} but '{access}' gives {arguments.Count} subscript{(arguments.Count == 1 ? string.Empty : "s")}");
        }

        var indices = new IndexRef[arguments.Count];
        bool valid = true;
        for (int k = 0; k < arguments.Count; k++)
        {
            IndexRef? index = ParseSubscript(arguments[k].Expression, tensor.Dimensions[k]);
            valid &= index is not null;
            indices[k] = index ?? IndexRef.Loop("?");
        }

        return valid ? Expr.Element(tensor.ToTensorRef(), indices) : Expr.Zero;
    }

    private IndexRef? ParseSubscript(ExpressionSyntax subscript, Extent dimension)
    {
        if (subscript is IdentifierNameSyntax identifier)
        {
            string name = identifier.Identifier.ValueText;
            if (_scope.Find(name) is { } variable)
            {
                if (variable.Range is null)
                {
                    variable.Range = dimension;
                }
                else if (!variable.Range.Equals(dimension))
                {
                    Report(DiagnosticDescriptors.ConflictingIndexRange, identifier, name, dimension.ToString(), variable.Range.ToString());
                    return null;
                }

                return IndexRef.Loop(variable.IrName);
            }

            if (_tensors.TryGetValue(name, out TensorDeclaration? label) && label.Kind == TensorKind.ClassLabel)
            {
                if (!label.Dimensions[0].Equals(dimension))
                {
                    Report(DiagnosticDescriptors.ConflictingIndexRange, identifier, name, dimension.ToString(), label.Dimensions[0].ToString());
                    return null;
                }

                return IndexRef.Label(name);
            }

            if (_sizes.Contains(name) && _semanticModel.GetSymbolInfo(identifier).Symbol is IParameterSymbol)
            {
                Report(DiagnosticDescriptors.WrongIndexRank, subscript,
                    $"The size '{name}' is a number, not an index; subscript with an index variable that ranges over it, e.g. Sum(k => ...[k])");
                return null;
            }
        }

        Report(DiagnosticDescriptors.WrongIndexRank, subscript, $"The subscript '{subscript}' is not an index variable or a label");
        return null;
    }

    private Node ParseInvocation(InvocationExpressionSyntax invocation)
    {
        SymbolInfo info = _semanticModel.GetSymbolInfo(invocation);
        var method = (info.Symbol ?? info.CandidateSymbols.FirstOrDefault()) as IMethodSymbol;
        string displayName = method is null ? invocation.Expression.ToString() : method.ContainingType.Name + "." + method.Name;
        if (method is null || method.ContainingType.ToDisplayString() != RuntimeTypeNames.LayerMath)
        {
            bool isSystem = method?.ContainingNamespace?.ToDisplayString() == "System";
            return Fail(isSystem ? DiagnosticDescriptors.UnsupportedFunction : DiagnosticDescriptors.UserCodeCall, invocation, displayName);
        }

        SeparatedSyntaxList<ArgumentSyntax> arguments = invocation.ArgumentList.Arguments;
        switch (method.Name)
        {
            case "Sum" or "LogSumExp" when arguments.Count == 1:
                return ParseReduction(method.Name == "Sum" ? ReductionKind.Sum : ReductionKind.LogSumExp, arguments[0].Expression);
            case "Square" when arguments.Count == 1:
                return Expr.Power(Parse(arguments[0].Expression), 2.0);
            case "Pow" when arguments.Count == 2:
                Node @base = Parse(arguments[0].Expression);
                Optional<object?> exponent = _semanticModel.GetConstantValue(arguments[1].Expression);
                return exponent.HasValue && exponent.Value is double or int or float or long
                    ? Expr.Power(@base, System.Convert.ToDouble(exponent.Value, System.Globalization.CultureInfo.InvariantCulture))
                    : Fail(DiagnosticDescriptors.NonConstantExponent, arguments[1].Expression, arguments[1].Expression.ToString());
            default:
                if (ElementaryFunctions.TryFind(method.Name, out ElementaryFunction function) && arguments.Count == 1)
                {
                    return Expr.Function(function.Kind, Parse(arguments[0].Expression));
                }

                return Fail(DiagnosticDescriptors.UnsupportedExpression, invocation, "The declaration '" + method.Name + "' inside the math");
        }
    }

    private Node ParseReduction(ReductionKind reduction, ExpressionSyntax argument)
    {
        (SyntaxToken parameter, CSharpSyntaxNode body) = argument switch
        {
            SimpleLambdaExpressionSyntax simple => (simple.Parameter.Identifier, simple.Body),
            ParenthesizedLambdaExpressionSyntax { ParameterList.Parameters.Count: 1 } parenthesized =>
                (parenthesized.ParameterList.Parameters[0].Identifier, parenthesized.Body),
            _ => (default, null!),
        };

        if (body is null)
        {
            return Fail(DiagnosticDescriptors.UnsupportedExpression, argument, "The argument '" + argument + "' (write a lambda such as j => W[i, j] * z[j])");
        }

        if (body is not ExpressionSyntax expression)
        {
            return Fail(DiagnosticDescriptors.StatementInMath, body, "A block body in a lambda");
        }

        IndexVariable variable = _scope.Push(parameter.ValueText, parameter);
        Node value = Parse(expression);
        _scope.Pop();
        if (variable.Range is null)
        {
            Report(DiagnosticDescriptors.IndexRangeUnknown, parameter, variable.UserName);
            return Expr.Zero;
        }

        _indexNames.Add(new UserIndex(variable.UserName, variable.Range));
        return Expr.Reduce(reduction, variable.IrName, variable.Range, value, variable.UserName);
    }

    private static string Describe(ExpressionSyntax syntax) => syntax switch
    {
        ConditionalExpressionSyntax => "The conditional expression '" + syntax + "'",
        CastExpressionSyntax => "The cast '" + syntax + "'",
        MemberAccessExpressionSyntax => "The member access '" + syntax + "'",
        LiteralExpressionSyntax => "The literal " + syntax,
        _ => "The expression '" + syntax + "'",
    };

    private Node Fail(DiagnosticDescriptor descriptor, SyntaxNode at, params string[] arguments)
    {
        _diagnostics.Add(DiagnosticInfo.Create(descriptor, at, arguments));
        return Expr.Zero;
    }

    private void Report(DiagnosticDescriptor descriptor, SyntaxNodeOrToken at, params string[] arguments) =>
        _diagnostics.Add(DiagnosticInfo.Create(descriptor, at, arguments));
}
