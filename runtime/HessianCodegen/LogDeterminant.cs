using System;

namespace HessianCodegen;

/// <summary>
/// A determinant as <c>Sign * exp(LogAbsoluteValue)</c>, which neither overflows nor underflows: the
/// determinant of <c>H + eps I</c> with thousands of parameters is far outside the range of a double.
/// </summary>
/// <param name="LogAbsoluteValue">The natural logarithm of <c>|det|</c> (negative infinity for a singular matrix).</param>
/// <param name="Sign">+1 or -1, the sign of the determinant (0 for a singular matrix).</param>
public readonly record struct LogDeterminant(double LogAbsoluteValue, int Sign)
{
    /// <summary>The determinant itself, <c>Sign * exp(LogAbsoluteValue)</c>: infinity or zero when out of range.</summary>
    public double Value => Sign * Math.Exp(LogAbsoluteValue);

    /// <summary>The determinant of a product from its factors': logarithms add, signs multiply.</summary>
    public static LogDeterminant operator +(LogDeterminant left, LogDeterminant right) =>
        new(left.LogAbsoluteValue + right.LogAbsoluteValue, left.Sign * right.Sign);
}
