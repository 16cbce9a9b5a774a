using System;
using HessianCodegen.Optimization;
using MathNet.Numerics.LinearAlgebra;

namespace HessianCodegen.Tests.Infrastructure;

/// <summary>
/// A dense symmetric matrix behind the trust-region search's abstraction: MathNet's Cholesky
/// decides positive definiteness and solves. Counts its factorizations.
/// </summary>
internal sealed class DenseShiftedSystem(Matrix<double> matrix) : IShiftedSystem
{
    public int Dimension => matrix.RowCount;

    public int Factorizations { get; private set; }

    public IShiftedFactorization Factorize(double shift)
    {
        Factorizations++;
        Matrix<double> shifted = matrix + (shift * Matrix<double>.Build.DenseIdentity(Dimension));
        try
        {
            return new Factorization(shifted.Cholesky(), null);
        }
        catch (ArgumentException)
        {
            // MathNet's Cholesky refuses a matrix that is not positive definite; LU still solves.
            return new Factorization(null, shifted.LU());
        }
    }

    public void Multiply(ReadOnlySpan<double> v, Span<double> result) =>
        (matrix * Vector<double>.Build.DenseOfArray(v.ToArray())).AsArray().CopyTo(result);

    private sealed class Factorization(
        MathNet.Numerics.LinearAlgebra.Factorization.Cholesky<double>? cholesky,
        MathNet.Numerics.LinearAlgebra.Factorization.LU<double>? lu) : IShiftedFactorization
    {
        public bool IsPositiveDefinite => cholesky is not null;

        public void Solve(ReadOnlySpan<double> rhs, Span<double> result)
        {
            Vector<double> b = Vector<double>.Build.DenseOfArray(rhs.ToArray());
            (cholesky is not null ? cholesky.Solve(b) : lu!.Solve(b)).AsArray().CopyTo(result);
        }
    }
}
