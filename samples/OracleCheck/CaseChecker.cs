using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using HessianCodegen;

namespace OracleCheck;

/// <summary>
/// Compares the library with one PyTorch reference case: loss, gradient, H v, every solve of
/// <c>(H + eps I) x = rhs</c> and, where the case has it, the dense Hessian.
/// </summary>
internal static class CaseChecker
{
    public const string Usage = """
        OracleCheck: compares HessianCodegen with the PyTorch reference cases (../shared/oracle/README.md).

        Usage: dotnet run --project samples/OracleCheck -c Release -- [CASE.json ...]

        With no file, checks every *.json in ../shared/oracle (relative to the current directory).
        Prints, per case and quantity, the relative error (2-norm; Frobenius for the Hessian) and its
        tolerance: 1e-12 for loss, gradient, H v and the Hessian; 1e-12 + 100 * cond * 1.1e-16 for a
        solve with condition number cond. Ends with 'N passed, M failed'; exits 1 if anything failed
        or a file could not be read.
        """;

    private const double DerivativeTolerance = 1e-12;

    public static void Check(string file, CheckTally tally, TextWriter output)
    {
        ReferenceCase reference;
        NetworkPoint point;
        try
        {
            reference = ReferenceCase.Load(file);
            point = reference.Network.At(reference.Parameters, reference.Batch);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException
                                      or ArgumentException or ArithmeticException or NotSupportedException)
        {
            output.WriteLine($"{file}: FAILED to load: {e.Message}");
            tally.Record(false);
            return;
        }

        output.WriteLine(Invariant(
            $"{reference.Name} ({file}): {reference.Network.ParameterCount} parameters, depth {reference.Network.Depth}, batch {reference.Batch.Count}"));
        Report(output, tally, "loss", RelativeError([point.Loss], [reference.Loss]), DerivativeTolerance);
        Report(output, tally, "gradient", RelativeError(point.Gradient(), reference.Gradient), DerivativeTolerance);
        Report(output, tally, "H v", RelativeError(point.HessianVector(reference.Direction), reference.HessianVector), DerivativeTolerance);

        HessianDerivatives derivatives = point.Derivatives();
        foreach (ReferenceSolve solve in reference.Solves)
        {
            string label = Invariant($"solve eps={solve.Epsilon:G3} (cond {solve.ConditionNumber:0.0E+00})");
            try
            {
                var solution = new double[reference.RightHandSide.Length];
                SolveReport report = derivatives.Factorize(solve.Epsilon).SolveRefined(reference.RightHandSide, solution);
                double[] expected = [.. solve.Solution];
                Report(output, tally, label, RelativeError(solution, expected), solve.Tolerance,
                    Invariant($"backward error {report.BackwardError:0.0E+00}{(report.Refined ? ", refined" : "")}"));
            }
            catch (ArithmeticException e)
            {
                output.WriteLine($"  {label,-38} FAILED: {e.Message}");
                tally.Record(false);
            }
        }

        if (reference.Hessian is { } hessian)
        {
            Report(output, tally, "dense Hessian", RelativeError(Flatten(point.DenseHessian()), Flatten(hessian)), DerivativeTolerance);
        }
    }

    private static void Report(TextWriter output, CheckTally tally, string quantity, double error, double tolerance, string note = "")
    {
        // NaN compares false, so a NaN error fails.
        bool passed = error <= tolerance;
        tally.Record(passed);
        output.WriteLine(Invariant(
            $"  {quantity,-38} rel. error {error,9:0.0E+00}   tolerance {tolerance,9:0.0E+00}   {(passed ? "pass" : "FAIL")}{(note.Length > 0 ? "   " + note : "")}"));
    }

    // ||actual - expected|| / ||expected|| in the 2-norm; the absolute error if expected is zero.
    private static double RelativeError(IReadOnlyList<double> actual, IReadOnlyList<double> expected)
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

    private static double[] Flatten(double[,] matrix)
    {
        var values = new double[matrix.Length];
        int i = 0;
        foreach (double value in matrix)
        {
            values[i++] = value;
        }

        return values;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
