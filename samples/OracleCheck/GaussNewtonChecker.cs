using System;
using System.Collections.Generic;
using System.IO;
using System.Text.Json;
using HessianCodegen;
using SampleSupport;
using static OracleCheck.CheckReport;

namespace OracleCheck;

/// <summary>
/// Compares the library's Gauss-Newton matrix with one PyTorch reference case's <c>gauss_newton</c>
/// fields: <c>G v</c>, every solve of <c>(G + eps I) x = rhs</c> and its <c>log |det(G + eps I)|</c>.
/// The oracle's network ends in a fused loss layer; Gauss-Newton needs the loss as its own layer, so
/// the case is rebuilt split (<see cref="SplitCase"/>: the same model and parameter vector).
/// </summary>
internal static class GaussNewtonChecker
{
    private const double ProductTolerance = 1e-12;
    private const double LogDeterminantTolerance = 1e-10;

    public static void Check(string file, CheckTally tally, TextWriter output)
    {
        SplitCase oracle;
        NetworkPoint point;
        try
        {
            oracle = SplitCase.Load(file);
            point = oracle.SplitPoint();
        }
        catch (Exception e) when (e is IOException or InvalidDataException or JsonException or KeyNotFoundException
                                      or InvalidOperationException or ArgumentException or ArithmeticException)
        {
            Failed(output, tally, "Gauss-Newton", $"could not rebuild the case with a split loss layer: {e.Message}");
            return;
        }

        Error(output, tally, "Gauss-Newton G v",
            RelativeError(point.GaussNewtonVector(oracle.Fused.Direction), oracle.GaussNewtonProduct), ProductTolerance);

        HessianDerivatives derivatives = point.Derivatives(Curvature.GaussNewton);
        for (int k = 0; k < oracle.GaussNewtonSolves.Count; k++)
        {
            ReferenceSolve solve = oracle.GaussNewtonSolves[k];
            string solveLabel = Invariant($"GN solve eps={solve.Epsilon:G3} (cond {solve.ConditionNumber:0.0E+00})");
            string determinantLabel = Invariant($"GN log |det| eps={solve.Epsilon:G3}");
            HessianFactorization factorization;
            try
            {
                factorization = derivatives.Factorize(solve.Epsilon);
            }
            catch (ArithmeticException e)
            {
                Failed(output, tally, solveLabel, e.Message);
                Failed(output, tally, determinantLabel, e.Message);
                continue;
            }

            var solution = new double[oracle.Fused.RightHandSide.Length];
            SolveReport report = factorization.SolveRefined(oracle.Fused.RightHandSide, solution);
            Error(output, tally, solveLabel, RelativeError(solution, [.. solve.Solution]), solve.Tolerance,
                Invariant($"backward error {report.BackwardError:0.0E+00}{(report.Refined ? ", refined" : "")}"));

            // G is positive semi-definite, so det(G + eps I) > 0 for eps > 0.
            LogDeterminant logDeterminant = factorization.LogDeterminant;
            double expected = oracle.GaussNewtonLogDeterminants[k];
            Error(output, tally, determinantLabel,
                Math.Abs(logDeterminant.LogAbsoluteValue - expected) / Math.Abs(expected), LogDeterminantTolerance,
                passedOtherwise: logDeterminant.Sign == 1,
                Invariant($"{logDeterminant.LogAbsoluteValue:G12}, sign {logDeterminant.Sign:+0;-0} (expected +1)"));
        }
    }
}
