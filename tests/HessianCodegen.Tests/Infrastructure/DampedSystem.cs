using System;
using System.Linq;

namespace HessianCodegen.Tests.Infrastructure;

/// <summary>
/// The dense <c>H + eps I</c> of a network point, and what the solve tests measure on it: the
/// backward error of a solution and the 2-norm condition number that sets a fair tolerance.
/// </summary>
public static class DampedSystem
{
    /// <summary>Unit roundoff of double precision, as the oracle's tolerance formula states it.</summary>
    public const double UnitRoundoff = 1.1e-16;

    /// <summary>The dense <c>H + eps I</c>, <c>H</c> from <see cref="NetworkPoint.DenseHessian"/> (checked against finite differences and the oracle).</summary>
    public static double[,] Matrix(NetworkPoint point, double epsilon) => DenseReference.Damped(point.DenseHessian(), epsilon);

    /// <summary><c>||A x - b|| / (||A||_F ||x|| + ||b||)</c> with the dense matrix (the Frobenius norm bounds the 2-norm from above).</summary>
    public static double BackwardError(double[,] matrix, double[] x, double[] rhs)
    {
        int n = rhs.Length;
        double residual = 0;
        double frobenius = 0;
        for (int i = 0; i < n; i++)
        {
            double row = -rhs[i];
            for (int j = 0; j < n; j++)
            {
                row += matrix[i, j] * x[j];
                frobenius += matrix[i, j] * matrix[i, j];
            }

            residual += row * row;
        }

        return Math.Sqrt(residual) / ((Math.Sqrt(frobenius) * Norms.Norm(x)) + Norms.Norm(rhs));
    }

    /// <summary>The 2-norm condition number of a symmetric matrix: largest over smallest |eigenvalue|.</summary>
    public static double ConditionNumber(double[,] symmetric)
    {
        double[] magnitudes = DenseReference.SymmetricEigenvalues(symmetric).Select(Math.Abs).ToArray();
        return magnitudes.Max() / magnitudes.Min();
    }

    /// <summary>The oracle's tolerance for a solution's relative error: <c>1e-12 + 100 cond u</c>.</summary>
    public static double SolutionTolerance(double conditionNumber) => 1e-12 + (100 * conditionNumber * UnitRoundoff);
}
