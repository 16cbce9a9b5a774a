using System;
using System.Runtime.CompilerServices;

namespace HessianCodegen.LinearAlgebra;

/// <summary>
/// The blocked form of <see cref="CholeskyKernel.Factor"/>, like LAPACK <c>dpotrf</c> (<c>uplo = 'L'</c>,
/// right-looking): a panel of columns is factored (its diagonal block by the unblocked Crout order, the rows
/// below by a triangular solve), then the trailing lower triangle takes the whole panel at once,
/// <c>A22 -= L21 L21^T</c>, through <see cref="TriangularGemm"/>. The unblocked kernel reads
/// all of <c>L</c> above a row for every row; this one reads the trailing matrix once per panel. Storage and
/// the pivot test are those of <see cref="CholeskyKernel"/>, so its <c>Solve</c> reads the result.
/// </summary>
internal static class BlockedCholeskyKernel
{
    /// <summary>Panel width.</summary>
    public const int DefaultBlockSize = 64;

    /// <summary>
    /// The work values <see cref="Factor"/> needs: none since the trailing update packs its own operands
    /// (<see cref="Gemm"/>); the parameter keeps the calls of the two pivot-block kernels alike.
    /// </summary>
    public static int WorkLength(int n, int blockSize = DefaultBlockSize) => 0;

    /// <summary>
    /// Overwrites the lower triangle of <paramref name="a"/> with <c>L</c> as <see cref="CholeskyKernel.Factor"/> does,
    /// in panels of <paramref name="blockSize"/> columns.
    /// </summary>
    /// <returns>-1 on success, else the row whose pivot failed (the lower triangle is then partly overwritten).</returns>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int Factor(Span<double> a, int n, Span<double> work, double tinyPivot, ref long flops, int blockSize = DefaultBlockSize)
    {
        if (blockSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(blockSize), blockSize, "A panel needs at least one column.");
        }

        if (a.Length != n * n || work.Length < WorkLength(n, blockSize))
        {
            throw new ArgumentException($"Blocked Cholesky of order {n} needs {n * n} matrix values and {WorkLength(n, blockSize)} of work; " +
                $"got {a.Length} and {work.Length}.");
        }

        for (int k0 = 0; k0 < n; k0 += blockSize)
        {
            int k1 = Math.Min(k0 + blockSize, n);
            int panel = k1 - k0;

            // The diagonal block, row by row (Crout), then every row below it against the block: L21 = A21 L11^-T.
            for (int i = k0; i < n; i++)
            {
                Span<double> row = a.Slice((i * n) + k0, panel);
                int end = Math.Min(i, k1) - k0;
                for (int j = 0; j < end; j++)
                {
                    row[j] = (row[j] - VectorKernels.Dot(row[..j], a.Slice(((k0 + j) * n) + k0, j))) / a[((k0 + j) * n) + k0 + j];
                }

                flops += (long)end * (end + 1);
                if (i < k1)
                {
                    int d = i - k0;
                    double pivot = row[d] - VectorKernels.Dot(row[..d], row[..d]);
                    if (!(pivot > tinyPivot))
                    {
                        return i;
                    }

                    row[d] = Math.Sqrt(pivot);
                }
            }

            if (k1 < n)
            {
                flops += TrailingUpdate(a, n, k0, k1);
            }
        }

        return -1;
    }

    /// <summary><c>A(i, j) -= L(i, k0:k1) . L(j, k0:k1)</c> for <c>k1 &lt;= j &lt;= i</c>: <c>A22 -= L21 L21^T</c> on the lower triangle only (the strict upper one is the copy Bunch-Kaufman restarts from).</summary>
    private static long TrailingUpdate(Span<double> a, int n, int k0, int k1)
    {
        int order = n - k1;
        int panel = k1 - k0;
        ReadOnlySpan<double> l21 = a[((k1 * n) + k0)..];
        TriangularGemm.Multiply(false, false, true, order, panel, -1, l21, n, l21, n, 1, a[((k1 * n) + k1)..], n);
        return (long)order * (order + 1) * panel;
    }
}
