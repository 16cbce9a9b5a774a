using System;
using System.Runtime.CompilerServices;

namespace HessianCodegen.LinearAlgebra;

/// <summary>
/// The blocked form of <see cref="CholeskyKernel.Factor"/>, like LAPACK <c>dpotrf</c> (<c>uplo = 'L'</c>,
/// right-looking): a panel of columns is factored (its diagonal block by the unblocked Crout order, the rows
/// below by a triangular solve), then the trailing lower triangle takes the whole panel at once,
/// <c>A22 -= L21 L21^T</c>, in row kernels that keep their target in registers. The unblocked kernel reads
/// all of <c>L</c> above a row for every row; this one reads the trailing matrix once per panel. Storage and
/// the pivot test are those of <see cref="CholeskyKernel"/>, so its <c>Solve</c> reads the result.
/// </summary>
internal static class BlockedCholeskyKernel
{
    /// <summary>Panel width.</summary>
    public const int DefaultBlockSize = 64;

    /// <summary>Column tile of the trailing update: the tile of <c>L21^T</c> (panel x 128 values) stays in L1 and L2.</summary>
    private const int ColumnTile = 128;

    /// <summary>The work values <see cref="Factor"/> needs for a matrix of order <paramref name="n"/>: the panel's <c>L21^T</c>.</summary>
    public static int WorkLength(int n, int blockSize = DefaultBlockSize) => checked(blockSize * n);

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
                flops += TrailingUpdate(a, n, k0, k1, work);
            }
        }

        return -1;
    }

    /// <summary><c>A(i, j) -= L(i, k0:k1) . L(j, k0:k1)</c> for <c>k1 &lt;= j &lt;= i</c>, column tile by column tile, two rows at a time.</summary>
    private static long TrailingUpdate(Span<double> a, int n, int k0, int k1, Span<double> work)
    {
        int panel = k1 - k0;

        // L21^T, so that the source rows of the row kernels are contiguous.
        Span<double> transposed = work[..(panel * n)];
        for (int j = k1; j < n; j++)
        {
            ReadOnlySpan<double> row = a.Slice((j * n) + k0, panel);
            for (int c = 0; c < panel; c++)
            {
                transposed[(c * n) + j] = row[c];
            }
        }

        long flops = 0;
        for (int j0 = k1; j0 < n; j0 += ColumnTile)
        {
            int j1 = Math.Min(j0 + ColumnTile, n);
            ReadOnlySpan<double> rows = transposed.Slice(j0, ((panel - 1) * n) + (j1 - j0));
            int i = j0;
            for (; i < j1; i++)
            {
                flops += RankUpdate.SubtractCombination(a.Slice((i * n) + j0, i + 1 - j0), a.Slice((i * n) + k0, panel), rows, n);
            }

            for (; i + 1 < n; i += 2)
            {
                flops += RankUpdate.SubtractCombinations(a.Slice((i * n) + j0, j1 - j0), a.Slice((i * n) + k0, panel),
                    a.Slice(((i + 1) * n) + j0, j1 - j0), a.Slice(((i + 1) * n) + k0, panel), rows, n);
            }

            if (i < n)
            {
                flops += RankUpdate.SubtractCombination(a.Slice((i * n) + j0, j1 - j0), a.Slice((i * n) + k0, panel), rows, n);
            }
        }

        return flops;
    }
}
