using System;
using System.Linq;
using HessianCodegen.Generator.Functions;
using HessianCodegen.Generator.Symbolic;
using Xunit;

namespace HessianCodegen.Generator.Tests;

/// <summary>
/// The table of elementary functions is complete and agrees with the runtime: every function kind
/// has its entry, every one-argument LayerMath function is in it (Square is a power), and the value
/// the generator folds constants with is the runtime's.
/// </summary>
public sealed class ElementaryFunctionTableTests
{
    [Fact]
    public void EveryFunctionKindHasItsEntry()
    {
        foreach (FunctionKind kind in Enum.GetValues<FunctionKind>())
        {
            Assert.Equal(kind, ElementaryFunctions.Of(kind).Kind);
        }
    }

    [Fact]
    public void EveryOneArgumentLayerMathFunctionIsInTheTable()
    {
        var oneArgument = typeof(LayerMath).GetMethods()
            .Where(method => method.IsStatic && method.ReturnType == typeof(double)
                && method.GetParameters() is [{ ParameterType: var type }] && type == typeof(double))
            .Select(method => method.Name)
            .Where(name => name != nameof(LayerMath.Square))
            .ToList();

        Assert.NotEmpty(oneArgument);
        Assert.All(oneArgument, name => Assert.True(ElementaryFunctions.TryFind(name, out _), $"LayerMath.{name} has no entry in ElementaryFunctions"));
    }

    [Theory]
    [InlineData(-2.5)]
    [InlineData(-0.3)]
    [InlineData(0.7)]
    [InlineData(3.0)]
    public void FoldedValuesAreTheRuntimes(double x)
    {
        foreach (var method in typeof(LayerMath).GetMethods().Where(method => ElementaryFunctions.TryFind(method.Name, out _)))
        {
            ElementaryFunctions.TryFind(method.Name, out ElementaryFunction function);
            if (x > 0 || method.Name is not ("Log" or "Sqrt"))
            {
                Assert.Equal((double)method.Invoke(null, [x])!, function.Evaluate(x));
            }
        }
    }
}
