using System;

namespace HessianCodegen;

/// <summary>The length checks of the batched <see cref="IHessianLayer"/> members: <c>count</c> rows of a known width.</summary>
internal static class BatchSpans
{
    /// <summary>Checks the arguments every batched member takes: the parameters, the inputs and the data.</summary>
    public static void Require(IHessianLayer layer, int count, ReadOnlySpan<double> parameters, ReadOnlySpan<double> inputs,
        ReadOnlySpan<double> data)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        Require(parameters, 1, layer.ParameterCount, nameof(parameters));
        Require(inputs, count, layer.InputSize, nameof(inputs));
        Require(data, count, layer.DataSize, nameof(data));
    }

    /// <summary>Checks that <paramref name="span"/> holds <paramref name="rows"/> rows of <paramref name="width"/>.</summary>
    public static void Require(ReadOnlySpan<double> span, int rows, int width, string name)
    {
        if (span.Length != rows * width)
        {
            throw new ArgumentException(
                $"The span '{name}' has length {span.Length}; expected {rows} x {width} = {rows * width}.", name);
        }
    }

    /// <summary>Like <see cref="Require(ReadOnlySpan{double}, int, int, string)"/>, but an empty span (not wanted) passes too.</summary>
    public static void RequireOptional(ReadOnlySpan<double> span, int rows, int width, string name)
    {
        if (!span.IsEmpty)
        {
            Require(span, rows, width, name);
        }
    }
}
