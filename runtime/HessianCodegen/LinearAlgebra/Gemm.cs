using System;

namespace HessianCodegen.LinearAlgebra;

/// <summary>
/// The general matrix product of BLAS <c>dgemm</c> on row-major spans:
/// <c>c = beta c + alpha op(a) op(b)</c>, where <c>op</c> transposes its argument when asked.
/// The one entry point every dense product of the runtime goes through, so that its speed is
/// one kernel's concern.
/// </summary>
internal static class Gemm
{
    /// <summary>
    /// The largest <c>rows x columns x inner</c> that goes to <see cref="PlainGemm"/> on a machine with the micro-kernel:
    /// below it, packing both operands into the micro-kernel's panels costs more than the product. The low-rank route at
    /// batch 1 forms its core from products of a group's one row (<c>m x 1 x 1</c>, <c>1 x r x 1</c>) and <c>P Dz</c> from
    /// <c>m x a_in x a</c> ones (512 at width 8). Measured (runs alternating in one process, depth-128 tanh chains): at 1024
    /// the width-8 batch-1 factorization took 3 to 4 % less time and widths 8 at batch 8 and 16 at batch 1 the same; at 8192,
    /// which takes in width 8 batch 8's <c>p x a_in x a = 72 x 8 x 8</c> blocks of <c>C</c>, batch 8 took 12 % more.
    /// </summary>
    internal const int SmallProduct = 1024;

    /// <summary>
    /// <c>c = beta c + alpha op(a) op(b)</c> with <c>op(a)</c> <paramref name="rows"/> x <paramref name="inner"/>,
    /// <c>op(b)</c> <paramref name="inner"/> x <paramref name="columns"/> and <c>c</c>
    /// <paramref name="rows"/> x <paramref name="columns"/>. Each matrix is row-major with its rows
    /// <paramref name="aStride"/>, <paramref name="bStride"/>, <paramref name="cStride"/> values apart (the
    /// leading dimensions of row-major BLAS); <paramref name="transposeA"/> means <c>a</c> is stored as
    /// <c>inner x rows</c>, <paramref name="transposeB"/> that <c>b</c> is stored as <c>columns x inner</c>.
    /// With <paramref name="beta"/> 0, <c>c</c> is overwritten (NaN in it does not propagate).
    /// </summary>
    public static void Multiply(bool transposeA, bool transposeB, int rows, int columns, int inner, double alpha,
        ReadOnlySpan<double> a, int aStride, ReadOnlySpan<double> b, int bStride, double beta, Span<double> c, int cStride)
    {
        Check(rows, columns, inner, a, aStride, transposeA ? inner : rows, transposeA ? rows : inner, nameof(a));
        Check(rows, columns, inner, b, bStride, transposeB ? columns : inner, transposeB ? inner : columns, nameof(b));
        Check(rows, columns, inner, c, cStride, rows, columns, nameof(c));
        if (rows == 0 || columns == 0)
        {
            return;
        }

        if (inner == 0 || alpha == 0)
        {
            ScaleRows(rows, columns, beta, c, cStride);
        }
        else if (!GemmMicroKernel.IsSupported || (long)rows * columns * inner <= SmallProduct)
        {
            PlainGemm.Multiply(transposeA, transposeB, rows, columns, inner, alpha, a, aStride, b, bStride, beta, c, cStride);
        }
        else if (2.0 * rows * columns * inner >= ParallelGemm.Threshold && Environment.ProcessorCount > 1)
        {
            ParallelGemm.Multiply(transposeA, transposeB, rows, columns, inner, alpha, a, aStride, b, bStride, beta, c, cStride);
        }
        else
        {
            PackedGemm.Multiply(transposeA, transposeB, rows, columns, inner, alpha, a, aStride, b, bStride, beta, c, cStride);
        }
    }

    /// <summary><c>c = beta c</c> on the leading <paramref name="rows"/> x <paramref name="columns"/>; with <paramref name="beta"/> 0, <c>c</c> is cleared (NaN in it does not propagate).</summary>
    internal static void ScaleRows(int rows, int columns, double beta, Span<double> c, int cStride)
    {
        for (int i = 0; i < rows; i++)
        {
            Span<double> row = c.Slice(i * cStride, columns);
            if (beta == 0)
            {
                row.Clear();
            }
            else if (beta != 1)
            {
                for (int j = 0; j < columns; j++)
                {
                    row[j] *= beta;
                }
            }
        }
    }

    private static void Check(int rows, int columns, int inner, ReadOnlySpan<double> m, int stride, int storedRows,
        int storedColumns, string name)
    {
        if (rows < 0 || columns < 0 || inner < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(rows), $"A {rows} x {columns} product over {inner} terms: sizes must not be negative.");
        }

        if (storedRows > 0 && storedColumns > 0 && (stride < storedColumns || m.Length < ((storedRows - 1) * stride) + storedColumns))
        {
            throw new ArgumentException(
                $"{name} is stored as {storedRows} x {storedColumns} with rows {stride} apart, which needs a stride of at least {storedColumns} and {((storedRows - 1) * stride) + storedColumns} values; got {m.Length}.",
                name);
        }
    }
}
