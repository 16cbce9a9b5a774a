using System;
using System.Linq;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Factorization;

namespace HessianCodegen.Tests.Infrastructure;

/// <summary>
/// Dense answers from MathNet.Numerics for materialized matrices: the independent side of the
/// structured solver's tests (LU with partial pivoting, symmetric eigenvalues, norms).
/// </summary>
public static class DenseReference
{
    /// <summary><c>H + epsilon I</c> for a dense Hessian.</summary>
    public static double[,] Damped(double[,] hessian, double epsilon)
    {
        var matrix = (double[,])hessian.Clone();
        for (int i = 0; i < matrix.GetLength(0); i++)
        {
            matrix[i, i] += epsilon;
        }

        return matrix;
    }

    /// <summary>The <paramref name="n"/>-square matrix whose rows lie one after the other in <paramref name="values"/>.</summary>
    public static double[,] FromRowMajor(double[] values, int n)
    {
        var matrix = new double[n, n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                matrix[i, j] = values[(i * n) + j];
            }
        }

        return matrix;
    }

    /// <summary>The solution of <c>matrix x = rhs</c> by LU with partial pivoting.</summary>
    public static double[] Solve(double[,] matrix, double[] rhs) =>
        Matrix<double>.Build.DenseOfArray(matrix).LU().Solve(Vector<double>.Build.DenseOfArray(rhs)).ToArray();

    /// <summary>The eigenvalues of a symmetric matrix, ascending.</summary>
    public static double[] SymmetricEigenvalues(double[,] matrix) =>
        Matrix<double>.Build.DenseOfArray(matrix).Evd(Symmetricity.Symmetric).EigenValues.Select(value => value.Real).Order().ToArray();

    /// <summary>The 2-norm (largest singular value) of a matrix.</summary>
    public static double TwoNorm(double[,] matrix) => Matrix<double>.Build.DenseOfArray(matrix).L2Norm();

    /// <summary>
    /// <c>log |det|</c> and the sign of the determinant, from MathNet's LU: the sum of <c>log |U_ii|</c>,
    /// and the signs of <c>U_ii</c> times that of the row permutation (the determinant itself
    /// under- or overflows for a few hundred rows).
    /// </summary>
    public static (double LogAbsoluteValue, int Sign) LogDeterminant(double[,] matrix)
    {
        LU<double> lu = Matrix<double>.Build.DenseOfArray(matrix).LU();
        Matrix<double> upper = lu.U;
        double log = 0;
        int sign = 1;
        for (int i = 0; i < upper.RowCount; i++)
        {
            log += Math.Log(Math.Abs(upper[i, i]));
            sign *= Math.Sign(upper[i, i]);
        }

        // (-1)^(n - cycles) for the permutation.
        var seen = new bool[lu.P.Dimension];
        for (int start = 0; start < seen.Length; start++)
        {
            int length = 0;
            for (int i = start; !seen[i]; i = lu.P[i])
            {
                seen[i] = true;
                length++;
            }

            if (length > 0 && length % 2 == 0)
            {
                sign = -sign;
            }
        }

        return (log, sign);
    }
}
