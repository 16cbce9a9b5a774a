using System.Collections.Generic;

namespace HessianCodegen.Generator.Symbolic;

/// <summary>The elementary functions of the IR (LayerMath's, plus the step that Relu differentiates to).</summary>
internal enum FunctionKind
{
    Tanh,
    Sigmoid,
    Softplus,
    Exp,
    Log,
    Sqrt,
    Relu,
    Step,
}

/// <summary>An elementary function applied to one argument.</summary>
internal sealed class FunctionCall : Node
{
    internal FunctionCall(FunctionKind function, Node argument)
        : base(NodeKind.Function, (argument.GetHashCode() * 31) + (int)function, argument.FreeIndices, argument.HasDelta, argument.BinderDepth)
    {
        Function = function;
        Argument = argument;
    }

    public FunctionKind Function { get; }

    public Node Argument { get; }

    public override IEnumerable<Node> Children => new[] { Argument };

    protected override bool EqualsCore(Node other) =>
        ((FunctionCall)other).Function == Function && ((FunctionCall)other).Argument.Equals(Argument);

    public override string ToString() => $"{Function}({Argument})";
}
