using System;
using System.ComponentModel;
using HessianCodegen.LinearAlgebra;

namespace HessianCodegen;

/// <summary>
/// The matrix product the generated batched members call (<c>W z</c> of every example at once and its
/// adjoints). Generated code lives in the user's assembly, so it needs this public door to the
/// runtime's internal <c>dgemm</c>; it is not meant to be called by hand.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class BatchProducts
{
    /// <summary>
    /// <c>c = beta c + alpha op(a) op(b)</c> on row-major spans, like BLAS <c>dgemm</c>: <c>op(a)</c> is
    /// <paramref name="rows"/> x <paramref name="inner"/>, <c>op(b)</c> <paramref name="inner"/> x
    /// <paramref name="columns"/>; the strides are the distances between rows as stored.
    /// </summary>
    public static void Multiply(bool transposeA, bool transposeB, int rows, int columns, int inner, double alpha,
        ReadOnlySpan<double> a, int aStride, ReadOnlySpan<double> b, int bStride, double beta, Span<double> c, int cStride) =>
        Gemm.Multiply(transposeA, transposeB, rows, columns, inner, alpha, a, aStride, b, bStride, beta, c, cStride);
}
