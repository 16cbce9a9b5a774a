using System;

namespace HessianCodegen.Optimization;

/// <summary>Checks of optimizer settings; every message names the setting, its value and what was expected.</summary>
internal static class OptimizerGuard
{
    public static void BatchSize(int value, string name)
    {
        if (value < 1)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} is {value}; expected a batch size >= 1.");
        }
    }

    public static void Positive(double value, string name)
    {
        if (!(value > 0) || !double.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} is {value}; expected a finite number > 0.");
        }
    }

    public static void Fraction(double value, string name)
    {
        if (!(value >= 0 && value < 1))
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} is {value}; expected a number in [0, 1).");
        }
    }
}
