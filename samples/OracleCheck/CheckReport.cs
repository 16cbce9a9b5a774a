using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using HessianCodegen;

namespace OracleCheck;

/// <summary>The report lines of one check, each recorded in the tally, and the relative error they use.</summary>
internal static class CheckReport
{
    /// <summary>Passes when <paramref name="error"/> is at most <paramref name="tolerance"/> (a NaN error fails).</summary>
    public static void Error(TextWriter output, CheckTally tally, string quantity, double error, double tolerance, string note = "") =>
        Error(output, tally, quantity, error, tolerance, passedOtherwise: true, note);

    /// <summary>As above, and passes only if <paramref name="passedOtherwise"/> too (a second condition the note states).</summary>
    public static void Error(TextWriter output, CheckTally tally, string quantity, double error, double tolerance, bool passedOtherwise, string note)
    {
        // NaN compares false, so a NaN error fails.
        bool passed = error <= tolerance && passedOtherwise;
        tally.Record(passed);
        output.WriteLine(Invariant(
            $"  {quantity,-38} rel. error {error,9:0.0E+00}   tolerance {tolerance,9:0.0E+00}   {Verdict(passed)}{(note.Length > 0 ? "   " + note : "")}"));
    }

    /// <summary>Passes when the two inertias are equal, count for count.</summary>
    public static void Counts(TextWriter output, CheckTally tally, string quantity, Inertia actual, Inertia expected)
    {
        bool passed = actual == expected;
        tally.Record(passed);
        output.WriteLine(Invariant(
            $"  {quantity,-38} (+, -, 0) {Format(actual),-16} expected {Format(expected),-16} {Verdict(passed)}"));
    }

    /// <summary>A quantity the library could not give on the path it took: neither a pass nor a failure.</summary>
    public static void NotCheckable(TextWriter output, CheckTally tally, string quantity, string reason)
    {
        tally.RecordNotCheckable();
        output.WriteLine($"  {quantity,-38} not checkable: {reason}");
    }

    /// <summary>A check that could not run (the library threw): a failure.</summary>
    public static void Failed(TextWriter output, CheckTally tally, string quantity, string reason)
    {
        tally.Record(false);
        output.WriteLine($"  {quantity,-38} FAILED: {reason}");
    }

    /// <summary><c>||actual - expected|| / ||expected||</c> in the 2-norm; the absolute error if expected is zero.</summary>
    public static double RelativeError(IReadOnlyList<double> actual, IReadOnlyList<double> expected)
    {
        if (actual.Count != expected.Count)
        {
            return double.PositiveInfinity;
        }

        double difference = 0;
        double scale = 0;
        for (int i = 0; i < actual.Count; i++)
        {
            difference += (actual[i] - expected[i]) * (actual[i] - expected[i]);
            scale += expected[i] * expected[i];
        }

        return scale > 0 ? Math.Sqrt(difference / scale) : Math.Sqrt(difference);
    }

    public static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static string Verdict(bool passed) => passed ? "pass" : "FAIL";

    private static string Format(Inertia inertia) => Invariant($"({inertia.Positive}, {inertia.Negative}, {inertia.Zero})");
}
