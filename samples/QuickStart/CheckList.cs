using System;
using System.Globalization;

namespace QuickStart;

/// <summary>
/// The quick start's checks: each quantity against its tolerance. A failure is named on stderr
/// and makes the run exit non-zero, so that a wrong answer cannot pass as a printed number.
/// </summary>
internal sealed class CheckList
{
    /// <summary>Whether every check so far was within its tolerance.</summary>
    public bool Passed { get; private set; } = true;

    /// <summary>Records <paramref name="value"/> against <paramref name="tolerance"/> (NaN fails).</summary>
    public void Require(string quantity, double value, double tolerance)
    {
        if (value <= tolerance)
        {
            return;
        }

        Passed = false;
        string message = string.Create(CultureInfo.InvariantCulture,
            $"check failed: {quantity} is {value:0.0E+00}; expected at most {tolerance:0.0E+00}");
        Console.Error.WriteLine("error: " + message);
    }
}
