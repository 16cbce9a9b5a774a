using MathNet.Numerics.LinearAlgebra;

namespace SampleSupport;

/// <summary>
/// The dense <c>H + eps I</c> of a materialized Hessian as a MathNet.Numerics matrix: the samples'
/// independent check of the structured solver (MathNet's LU with partial pivoting, LAPACK
/// <c>dgetrf</c>/<c>dgetrs</c> semantics) and the dense baseline it is timed against.
/// </summary>
public static class DampedHessian
{
    public static Matrix<double> Of(double[,] hessian, double epsilon)
    {
        Matrix<double> matrix = Matrix<double>.Build.DenseOfArray(hessian);
        for (int i = 0; i < matrix.RowCount; i++)
        {
            matrix[i, i] += epsilon;
        }

        return matrix;
    }
}
