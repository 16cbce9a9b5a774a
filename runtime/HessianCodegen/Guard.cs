using System;

namespace HessianCodegen;

/// <summary>
/// Input checks shared by the public entry points. Every message names the quantity, what was
/// given and what was expected, so a caller can fix the call without reading the source.
/// </summary>
internal static class Guard
{
    public static void Length(ReadOnlySpan<double> values, int expected, string quantity)
    {
        if (values.Length != expected)
        {
            throw new ArgumentException(
                $"{quantity} has length {values.Length}; expected {expected}.", quantity);
        }
    }

    public static void Finite(ReadOnlySpan<double> values, string quantity)
    {
        int index = IndexOfNonFinite(values);
        if (index >= 0)
        {
            throw new ArgumentException(
                $"{quantity}[{index}] is {values[index]}; expected a finite number.", quantity);
        }
    }

    public static int IndexOfNonFinite(ReadOnlySpan<double> values)
    {
        for (int i = 0; i < values.Length; i++)
        {
            if (!double.IsFinite(values[i]))
            {
                return i;
            }
        }

        return -1;
    }
}
