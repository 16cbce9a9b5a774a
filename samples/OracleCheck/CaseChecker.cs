using System;
using System.Collections.Generic;
using System.IO;
using System.Text.Json;
using HessianCodegen;
using static OracleCheck.CheckReport;

namespace OracleCheck;

/// <summary>
/// Compares the library with one PyTorch reference case: loss, gradient, H v, every solve of
/// <c>(H + eps I) x = rhs</c> with the inertia and log-determinant of <c>H + eps I</c>, where the case
/// has it the dense Hessian, then the Gauss-Newton fields (<see cref="GaussNewtonChecker"/>).
/// </summary>
internal static class CaseChecker
{
    public const string Usage = """
        OracleCheck: compares HessianCodegen with the PyTorch reference cases (../shared/oracle/README.md).

        Usage: dotnet run --project samples/OracleCheck -c Release -- [--banded-lu] [CASE.json ...]

        With no file, checks every *.json in ../shared/oracle (relative to the current directory).
        Prints, per case and quantity, the relative error (2-norm; Frobenius for the Hessian) and its
        tolerance: 1e-12 for loss, gradient, H v, the Hessian and Gauss-Newton's G v;
        1e-12 + 100 * cond * 1.1e-16 for a solve (of H + eps I or G + eps I) with condition number cond;
        1e-10 for log |det| (whose sign must be (-1)^negative eigenvalues); exact counts for the inertia
        of H + eps I. Gauss-Newton is checked on the case rebuilt with its loss as its own layer.
        --banded-lu solves H + eps I and takes its log |det| from the banded LU instead of the Riccati
        recursion (the inertia still comes from the recursion, run on first read). Where the recursion
        meets a singular pivot block and falls back to the banded LU, there is no inertia: that check is
        reported as not checkable, neither passed nor failed.
        Ends with 'N passed, M failed' (and ', K not checkable' if any); exits 1 if anything failed or
        a file could not be read.
        """;

    private const double DerivativeTolerance = 1e-12;
    private const double LogDeterminantTolerance = 1e-10;

    /// <summary>
    /// Checks one case; <paramref name="path"/> is <see cref="FactorizationPath.Riccati"/> (with its
    /// fallback, which gives no inertia) or <see cref="FactorizationPath.BandedLU"/> (the inertia from the recursion).
    /// </summary>
    public static void Check(string file, FactorizationPath path, CheckTally tally, TextWriter output)
    {
        ReferenceCase reference;
        IReadOnlyList<SolveSpectrum> spectra;
        NetworkPoint point;
        try
        {
            reference = ReferenceCase.Load(file);
            spectra = SolveSpectrum.Load(file);
            for (int k = 0; k < reference.Solves.Count; k++)
            {
                if (k >= spectra.Count || spectra[k].Epsilon != reference.Solves[k].Epsilon)
                {
                    throw new InvalidDataException($"{file}: solve {k} has no inertia and log-determinant of its own.");
                }
            }

            point = reference.Network.At(reference.Parameters, reference.Batch);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException
                                      or JsonException or KeyNotFoundException or InvalidOperationException
                                      or ArgumentException or ArithmeticException or NotSupportedException)
        {
            output.WriteLine($"{file}: FAILED to load: {e.Message}");
            tally.Record(false);
            return;
        }

        int parameterCount = reference.Network.ParameterCount;
        output.WriteLine(Invariant(
            $"{reference.Name} ({file}): {parameterCount} parameters, depth {reference.Network.Depth}, batch {reference.Batch.Count}"));
        Error(output, tally, "loss", RelativeError([point.Loss], [reference.Loss]), DerivativeTolerance);
        Error(output, tally, "gradient", RelativeError(point.Gradient(), reference.Gradient), DerivativeTolerance);
        Error(output, tally, "H v", RelativeError(point.HessianVector(reference.Direction), reference.HessianVector), DerivativeTolerance);

        HessianDerivatives derivatives = point.Derivatives();
        for (int k = 0; k < reference.Solves.Count; k++)
        {
            ReferenceSolve solve = reference.Solves[k];
            SolveSpectrum spectrum = spectra[k];
            string solveLabel = Invariant($"solve eps={solve.Epsilon:G3} (cond {solve.ConditionNumber:0.0E+00})");
            string inertiaLabel = Invariant($"inertia eps={solve.Epsilon:G3}");
            string determinantLabel = Invariant($"log |det| eps={solve.Epsilon:G3}");
            HessianFactorization factorization;
            try
            {
                factorization = derivatives.Factorize(solve.Epsilon, path);
            }
            catch (ArithmeticException e)
            {
                Failed(output, tally, solveLabel, e.Message);
                Failed(output, tally, inertiaLabel, e.Message);
                Failed(output, tally, determinantLabel, e.Message);
                continue;
            }

            var solution = new double[reference.RightHandSide.Length];
            SolveReport report = factorization.SolveRefined(reference.RightHandSide, solution);
            Error(output, tally, solveLabel, RelativeError(solution, [.. solve.Solution]), solve.Tolerance,
                Invariant($"backward error {report.BackwardError:0.0E+00}{(report.Refined ? ", refined" : "")}, {report.Path}"));

            // The oracle counts eigenvalues of H + eps I clear of zero; whatever it leaves uncounted is zero.
            var expectedInertia = new Inertia(spectrum.Positive, spectrum.Negative, parameterCount - spectrum.Positive - spectrum.Negative);
            if (factorization.Inertia is { } inertia)
            {
                Counts(output, tally, inertiaLabel, inertia, expectedInertia);
            }
            else
            {
                NotCheckable(output, tally, inertiaLabel, "the recursion met a singular pivot block; its banded-LU fallback gives no inertia");
            }

            LogDeterminant logDeterminant = factorization.LogDeterminant;
            Error(output, tally, determinantLabel,
                Math.Abs(logDeterminant.LogAbsoluteValue - spectrum.LogAbsDeterminant) / Math.Abs(spectrum.LogAbsDeterminant),
                LogDeterminantTolerance, passedOtherwise: logDeterminant.Sign == spectrum.DeterminantSign,
                Invariant($"{logDeterminant.LogAbsoluteValue:G12}, sign {logDeterminant.Sign:+0;-0} (expected {spectrum.DeterminantSign:+0;-0})"));
        }

        if (reference.Hessian is { } hessian)
        {
            Error(output, tally, "dense Hessian", RelativeError(Flatten(point.DenseHessian()), Flatten(hessian)), DerivativeTolerance);
        }

        GaussNewtonChecker.Check(file, tally, output);
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
}
