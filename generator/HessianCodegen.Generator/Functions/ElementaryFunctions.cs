using System;
using System.Collections.Generic;
using System.Linq;
using HessianCodegen.Generator.Symbolic;

namespace HessianCodegen.Generator.Functions;

/// <summary>
/// Everything the generator knows about one elementary function, in one place: its name in the
/// layer language, its value (for constant folding), its local derivative written with the node's
/// own value where that is cheaper (<c>tanh' = 1 - tanh^2</c>), the C# it emits, what a call costs
/// and the local a shared call is named by. The parser, simplifier, differentiator, emitter, cost
/// model and diagnostics all read this table (after CasADi's <c>calculus.hpp</c>).
/// </summary>
internal sealed class ElementaryFunction
{
    public ElementaryFunction(
        FunctionKind kind, string? name, Func<double, double> evaluate, Func<FunctionCall, Node> derivative,
        Func<string, string> emit, double cost, bool hoistable, string? batchKernel = null)
    {
        Kind = kind;
        Name = name;
        Evaluate = evaluate;
        Derivative = derivative;
        Emit = emit;
        Cost = cost;
        Hoistable = hoistable;
        BatchKernel = batchKernel;
    }

    public FunctionKind Kind { get; }

    /// <summary>The <c>LayerMath</c> method the user calls, or null for a function only derivatives produce (the step).</summary>
    public string? Name { get; }

    public Func<double, double> Evaluate { get; }

    /// <summary>d f(u) / du at the call, as IR.</summary>
    public Func<FunctionCall, Node> Derivative { get; }

    /// <summary>The emitted C# for a call, given its argument's code.</summary>
    public Func<string, string> Emit { get; }

    /// <summary>The cost of one call in the loop-order model, in units of one multiply-add.</summary>
    public double Cost { get; }

    /// <summary>Whether a call shared by several loops is computed once into a temporary.</summary>
    public bool Hoistable { get; }

    /// <summary>
    /// The <c>BatchKernels</c> method computing the function and its derivative (written with the value, as
    /// <see cref="Derivative"/> is) over a block of sums, vectorized; null where there is none.
    /// </summary>
    public string? BatchKernel { get; }

    /// <summary>The name of a local or temporary holding a call's value.</summary>
    public string LocalName => Kind.ToString().ToLowerInvariant();
}

/// <summary>The table of <see cref="ElementaryFunction"/>s, one entry per <see cref="FunctionKind"/>.</summary>
internal static class ElementaryFunctions
{
    private const double Transcendental = 20.0;

    private static readonly ElementaryFunction[] Table =
    {
        new(FunctionKind.Tanh, "Tanh", Math.Tanh,
            call => Expr.Subtract(Expr.One, Expr.Power(call, 2.0)),
            x => "global::System.Math.Tanh(" + x + ")", Transcendental, hoistable: true, batchKernel: "Tanh"),
        new(FunctionKind.Sigmoid, "Sigmoid", x => 1.0 / (1.0 + Math.Exp(-x)),
            call => Expr.Multiply(call, Expr.Subtract(Expr.One, call)),
            x => "global::HessianCodegen.LayerMath.Sigmoid(" + x + ")", Transcendental, hoistable: true, batchKernel: "Sigmoid"),
        new(FunctionKind.Softplus, "Softplus", x => x > 0 ? x + Math.Log(1.0 + Math.Exp(-x)) : Math.Log(1.0 + Math.Exp(x)),
            call => Expr.Function(FunctionKind.Sigmoid, call.Argument),
            x => "global::HessianCodegen.LayerMath.Softplus(" + x + ")", Transcendental, hoistable: true),
        new(FunctionKind.Exp, "Exp", Math.Exp,
            call => call,
            x => "global::System.Math.Exp(" + x + ")", Transcendental, hoistable: true),
        new(FunctionKind.Log, "Log", Math.Log,
            call => Expr.Power(call.Argument, -1.0),
            x => "global::System.Math.Log(" + x + ")", Transcendental, hoistable: true),
        new(FunctionKind.Sqrt, "Sqrt", Math.Sqrt,
            call => Expr.Multiply(Expr.Constant(0.5), Expr.Power(call, -1.0)),
            x => "global::System.Math.Sqrt(" + x + ")", Transcendental, hoistable: true),
        new(FunctionKind.Relu, "Relu", x => x > 0 ? x : 0.0,
            call => Expr.Function(FunctionKind.Step, call.Argument),
            x => "global::HessianCodegen.LayerMath.Relu(" + x + ")", Transcendental, hoistable: true, batchKernel: "Relu"),

        // Relu's derivative, almost everywhere: 1 for u > 0, else 0; its own derivative is zero.
        new(FunctionKind.Step, null, x => x > 0 ? 1.0 : 0.0,
            _ => Expr.Zero,
            x => "(" + x + " > 0.0 ? 1.0 : 0.0)", Transcendental, hoistable: false),
    };

    private static readonly Dictionary<string, ElementaryFunction> ByName =
        Table.Where(function => function.Name is not null).ToDictionary(function => function.Name!, StringComparer.Ordinal);

    /// <summary>The entry of a function.</summary>
    public static ElementaryFunction Of(FunctionKind kind) => Table[(int)kind].Kind == kind
        ? Table[(int)kind]
        : Table.First(function => function.Kind == kind);

    /// <summary>The function a <c>LayerMath</c> method of one argument names, if it is elementary.</summary>
    public static bool TryFind(string name, out ElementaryFunction function) => ByName.TryGetValue(name, out function!);

    /// <summary>The names the layer language accepts, for diagnostics: "Tanh, Sigmoid, ...".</summary>
    public static string Names => string.Join(", ", Table.Where(function => function.Name is not null).Select(function => function.Name));
}
