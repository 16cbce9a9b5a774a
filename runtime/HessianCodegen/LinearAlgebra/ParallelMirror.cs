using System;

namespace HessianCodegen.LinearAlgebra;

/// <summary>
/// <see cref="MatrixKernels.MirrorUpper"/> on two cores: the rows of the lower triangle are cut where each side has half its
/// entries, and the two bands are written side by side. The matrix is <see cref="Memory{T}"/>, which (unlike a span) another
/// thread may hold.
/// </summary>
internal static class ParallelMirror
{
    /// <summary>Order from which the second core is used (a triangle of 131,000 values; issue 7's chain mirrors order 512).</summary>
    public const int Threshold = 512;

    /// <summary>Copies the upper triangle of the square matrix <paramref name="matrix"/> (order <paramref name="n"/>) onto its lower triangle; the second band on <paramref name="worker"/>'s thread, or on the thread pool where there is none.</summary>
    public static void MirrorUpper(Memory<double> matrix, int n, TwoCoreWorker? worker = null)
    {
        if (matrix.Length < n * n)
        {
            throw new ArgumentException($"A matrix of order {n} needs {n * n} values; got {matrix.Length}.", nameof(matrix));
        }

        if (n < Threshold || Environment.ProcessorCount < 2)
        {
            MatrixKernels.MirrorUpper(matrix.Span, n);
            return;
        }

        // Row i of the lower triangle has i entries: the rows below n / sqrt(2) hold half of them. Any split is correct; one
        // on a strip's edge keeps every block of the second band whole (8 x 8 in registers).
        int split = (int)(n * Math.Sqrt(0.5)) / MatrixKernels.Strip * MatrixKernels.Strip;
        TwoCoreWorker.Fork(worker, () => MatrixKernels.MirrorUpperRows(matrix.Span, n, 0, split), () => MatrixKernels.MirrorUpperRows(matrix.Span, n, split, n));
    }
}
