using Microsoft.CodeAnalysis;

namespace HessianCodegen.Generator.Diagnostics;

/// <summary>
/// Every diagnostic the generator reports. Ids are stable (the README lists them); each message says
/// what to write instead. All are errors: a layer the generator cannot differentiate must not build.
/// </summary>
internal static class DiagnosticDescriptors
{
    private const string Category = "HessianCodegen";

    private static readonly string SupportedExpressions =
        "+, -, *, /, unary -, numeric literals, const double fields, sizes as numbers (Sum(j => z[j]) / inputs), casts to double, parentheses, tensor elements such as W[i, j] or z[j], " +
        "Sum(j => ...), LogSumExp(k => ...) and the LayerMath functions " + Functions.ElementaryFunctions.Names + ", Square and Pow(x, constant)";

    public static readonly DiagnosticDescriptor ClassNotPartial = Create(
        "HCG0001", "Layer class must be partial",
        "The [HessianLayer] class '{0}' must be declared partial so that the generator can add the IHessianLayer members; write 'partial class {0}'");

    public static readonly DiagnosticDescriptor UnsupportedFunction = Create(
        "HCG0002", "Unsupported function in layer math",
        "'{0}' cannot be differentiated by the generator; use the smooth LayerMath functions instead (" + Functions.ElementaryFunctions.Names + ", Square, Pow, LogSumExp), e.g. Softplus or LogSumExp for a maximum, Sqrt(Square(x) + eps) for an absolute value");

    public static readonly DiagnosticDescriptor StatementInMath = Create(
        "HCG0003", "Layer math must be a single expression",
        "{0} is not allowed in layer math; write the math as one expression-bodied member ('=> ...') without statements, loops or assignments");

    public static readonly DiagnosticDescriptor UserCodeCall = Create(
        "HCG0004", "Layer math calls user code",
        "Layer math cannot call '{0}': the generator only sees the expression, not the method body; inline the math or use the LayerMath functions");

    public static readonly DiagnosticDescriptor WrongIndexRank = Create(
        "HCG0005", "Wrong tensor subscript",
        "{0}; index a vector as v[j] and a matrix as W[i, j], where each subscript is an index variable or a label");

    public static readonly DiagnosticDescriptor IndexRangeUnknown = Create(
        "HCG0006", "Index range cannot be inferred",
        "The range of index '{0}' cannot be inferred because it never subscripts a tensor; use it as a subscript, e.g. W[{0}, j]");

    public static readonly DiagnosticDescriptor LabelUsedAsValue = Create(
        "HCG0007", "Data used as a value",
        "The label '{0}' is data and is never differentiated; use it only as a subscript, e.g. W[{0}, j]");

    public static readonly DiagnosticDescriptor MissingOutput = Create(
        "HCG0008", "Layer math member missing or malformed",
        "{0}; a hidden layer declares 'private double Output(int i) => ...' and a loss layer 'private double Loss() => ...', exactly one of them");

    public static readonly DiagnosticDescriptor NonDoubleType = Create(
        "HCG0009", "Layer math must be double-valued",
        "{0} has type '{1}'; layer math is computed in double: use double literals (2.0) and double-valued expressions, e.g. (double)inputs * outputs for a product of sizes");

    public static readonly DiagnosticDescriptor InvalidTensorDeclaration = Create(
        "HCG0010", "Invalid tensor declaration",
        "{0}; declare tensors as fields initialized with Input(size), Parameter(size), Parameter(rows, columns), Target(size) or ClassLabel(classes), where a size is an int primary-constructor parameter or a positive integer literal");

    public static readonly DiagnosticDescriptor NonConstantExponent = Create(
        "HCG0011", "Pow exponent must be constant",
        "The exponent '{0}' of Pow is not a compile-time constant; write a constant such as Pow(x, 3.0), or Exp(y * Log(x)) for a variable exponent");

    public static readonly DiagnosticDescriptor ConflictingIndexRange = Create(
        "HCG0012", "Conflicting index ranges",
        "Index '{0}' ranges over '{1}' here but over '{2}' elsewhere; use tensors whose dimensions share the same size parameter");

    public static readonly DiagnosticDescriptor DataInHiddenLayer = Create(
        "HCG0013", "Data declared in a hidden layer",
        "'{0}' is data (Target or ClassLabel) but the layer declares Output(int i); only a loss layer ('double Loss() => ...') reads data");

    public static readonly DiagnosticDescriptor UnsupportedExpression = Create(
        "HCG0014", "Unsupported expression in layer math",
        "{0} is not supported in layer math; supported are " + SupportedExpressions);

    public static readonly DiagnosticDescriptor NestedOrGeneric = Create(
        "HCG0015", "Layer class must be top-level and non-generic",
        "The [HessianLayer] class '{0}' is {1}; declare it as a non-generic class directly in a namespace");

    public static readonly DiagnosticDescriptor UnsupportedName = Create(
        "HCG0016", "Name cannot be used in layer math",
        "'{0}' {1}");

    public static readonly DiagnosticDescriptor InternalError = Create(
        "HCG9999", "Internal generator error",
        "Internal error in the HessianCodegen generator while processing '{0}', please report it: {1}");

    private static DiagnosticDescriptor Create(string id, string title, string message) =>
        new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true);
}
