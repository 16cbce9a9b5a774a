using System;
using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace HessianCodegen.LinearAlgebra;

/// <summary>
/// <c>c += alpha a^T b</c> on the upper triangle of <c>c</c>, diagonal included, where <c>a</c> and <c>b</c> are both
/// <c>inner x order</c> (the Riccati update <c>E -= C^T (A^-1 C)</c>): <see cref="TriangularGemm"/> for this one shape,
/// with each operand packed once for the whole triangle (<see cref="TriangularGemm"/> packs <c>b</c> again for every band of
/// rows), <c>a</c> packed from its columns before the caller overwrites it (no transposed copy), and the tiles of
/// <see cref="GemmMicroKernel"/> walked over the triangle itself: a tile across the diagonal is formed on the stack and
/// only its upper part reaches <c>c</c>. For <c>inner</c> up to <see cref="PackedGemm.InnerBlock"/>, where both packed
/// operands stay in the L2 cache.
/// </summary>
internal static class PackedUpperUpdate
{
    /// <summary>Whether this kernel takes a product over <paramref name="inner"/> terms (else <see cref="TriangularGemm"/>).</summary>
    public static bool Supports(int inner) => GemmMicroKernel.IsSupported && inner <= PackedGemm.InnerBlock;

    /// <summary>Values <see cref="PackLeft"/> writes for a <paramref name="inner"/> x <paramref name="order"/> operand.</summary>
    public static int PackedLength(int order, int inner) => PackedGemm.RoundUp(order, GemmMicroKernel.Rows) * inner;

    /// <summary>
    /// Packs <c>a^T</c> (<c>a</c> is <paramref name="inner"/> x <paramref name="order"/>, rows <paramref name="aStride"/> apart) in
    /// the panels <see cref="GemmMicroKernel"/> reads: the left operand of <see cref="AddUpper"/>.
    /// </summary>
    public static void PackLeft(ReadOnlySpan<double> a, int aStride, int order, int inner, Span<double> packed)
    {
        if (order > 0 && inner > 0)
        {
            GemmPacking.PackA(true, a, aStride, 0, order, 0, inner, packed[..PackedLength(order, inner)]);
        }
    }

    /// <summary>
    /// Packs the panels of <see cref="PackLeft"/>'s <paramref name="packed"/> that rows <paramref name="firstRow"/> to
    /// <paramref name="endRow"/> of <see cref="AddUpper"/> read (<paramref name="firstRow"/> a multiple of
    /// <see cref="GemmMicroKernel.Rows"/>), the same values where <see cref="PackLeft"/> writes them: each band's core packs its own.
    /// </summary>
    internal static void PackLeftRows(ReadOnlySpan<double> a, int aStride, int order, int inner, int firstRow, int endRow, Span<double> packed)
    {
        if (firstRow % GemmMicroKernel.Rows != 0 || firstRow < 0 || endRow < firstRow || endRow > order)
        {
            throw new ArgumentOutOfRangeException(nameof(firstRow), $"Rows {firstRow} to {endRow} of order {order}: expected a band within it starting at a multiple of {GemmMicroKernel.Rows}.");
        }

        if (endRow > firstRow && inner > 0)
        {
            GemmPacking.PackA(true, a, aStride, firstRow, endRow - firstRow, 0, inner, packed[(firstRow * inner)..PackedLength(order, inner)]);
        }
    }

    /// <summary>
    /// <c>c += alpha a^T b</c> on rows <paramref name="firstRow"/> to <paramref name="endRow"/> of the upper triangle of <c>c</c>
    /// (order <paramref name="order"/>, rows <paramref name="cStride"/> apart); <paramref name="packedLeft"/> is <c>a</c> as
    /// <see cref="PackLeft"/> wrote it, <paramref name="b"/> is <paramref name="inner"/> x <paramref name="order"/> with rows
    /// <paramref name="bStride"/> apart. <paramref name="firstRow"/> is a multiple of <see cref="GemmMicroKernel.Rows"/>.
    /// Entries below the diagonal are neither read nor written.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AddUpper(int order, int inner, double alpha, ReadOnlySpan<double> packedLeft, ReadOnlySpan<double> b, int bStride,
        Span<double> c, int cStride, int firstRow, int endRow)
    {
        const int TileRows = GemmMicroKernel.Rows;
        const int TileColumns = GemmMicroKernel.Columns;
        if (!Supports(inner))
        {
            throw new ArgumentOutOfRangeException(nameof(inner), $"The packed upper update takes up to {PackedGemm.InnerBlock} terms on a machine with AVX2 and FMA; got {inner}.");
        }

        if (firstRow % TileRows != 0 || firstRow < 0 || endRow > order || packedLeft.Length < PackedLength(order, inner)
            || (order > 0 && inner > 0 && (bStride < order || cStride < order
                || b.Length < ((inner - 1) * bStride) + order || c.Length < ((order - 1) * cStride) + order)))
        {
            throw new ArgumentException($"An upper update of order {order} over {inner} terms, rows {firstRow} to {endRow}: operands too short, " +
                $"rows misaligned or strides (b {bStride}, c {cStride}) shorter than a row.");
        }

        if (inner == 0 || firstRow >= endRow)
        {
            return;
        }

        // b's columns from the first tile column the rows reach, packed once: inner x (order - first) values, in L2.
        int firstColumn = firstRow / TileColumns * TileColumns;
        int columns = order - firstColumn;
        double[] packedB = ArrayPool<double>.Shared.Rent(PackedGemm.RoundUp(columns, TileColumns) * inner);
        try
        {
            GemmPacking.PackB(false, b, bStride, 0, inner, firstColumn, columns, packedB);
            Span<double> scratch = stackalloc double[TileRows * TileColumns];
            ref double aStart = ref MemoryMarshal.GetReference(packedLeft);
            ref double bStart = ref packedB[0];
            ref double cStart = ref MemoryMarshal.GetReference(c);
            ref double tile = ref scratch[0];
            for (int i = firstRow; i < endRow; i += TileRows)
            {
                int tileRows = Math.Min(TileRows, endRow - i);
                ref double aPanel = ref Unsafe.Add(ref aStart, (nint)(i / TileRows) * inner * TileRows);

                // Tiles from the one holding the diagonal entry (i, i) on; those whose first column is past the panel's last
                // row are wholly upper.
                for (int j = i / TileColumns * TileColumns; j < order; j += TileColumns)
                {
                    int tileColumns = Math.Min(TileColumns, order - j);
                    ref double bPanel = ref Unsafe.Add(ref bStart, (nint)((j - firstColumn) / TileColumns) * inner * TileColumns);
                    if (j >= i + tileRows - 1)
                    {
                        GemmMicroKernel.Multiply(inner, ref aPanel, 1, TileRows, ref bPanel, TileColumns, alpha, 1,
                            ref Unsafe.Add(ref cStart, ((nint)i * cStride) + j), cStride, tileRows, tileColumns);
                        continue;
                    }

                    GemmMicroKernel.Multiply(inner, ref aPanel, 1, TileRows, ref bPanel, TileColumns, alpha, 0, ref tile, TileColumns, TileRows, TileColumns);
                    for (int r = 0; r < tileRows; r++)
                    {
                        Span<double> cRow = c.Slice(((i + r) * cStride) + j, tileColumns);
                        for (int k = Math.Max(0, i + r - j); k < tileColumns; k++)
                        {
                            cRow[k] += scratch[(r * TileColumns) + k];
                        }
                    }
                }
            }
        }
        finally
        {
            ArrayPool<double>.Shared.Return(packedB);
        }
    }

    /// <summary>
    /// <see cref="AddUpper"/> on the whole triangle, cut into two bands of rows with half its entries each, computed side by side
    /// where <see cref="Forks"/>. Operands are <see cref="Memory{T}"/>, which (unlike a span) another thread may hold. The second
    /// band runs on <paramref name="worker"/>'s thread, or on the thread pool where there is none. Where <paramref name="mirror"/>
    /// (<paramref name="c"/> then square: <paramref name="cStride"/> equals <paramref name="order"/>), the upper triangle is then
    /// copied onto the lower one: each band's rows onto the lower triangle's columns by the core that wrote them
    /// (<see cref="MatrixKernels.MirrorUpperColumns"/>), or, on one core, the whole triangle by <see cref="MatrixKernels.MirrorUpper"/>.
    /// </summary>
    public static void AddUpperOnTwoCores(int order, int inner, double alpha, ReadOnlyMemory<double> packedLeft, ReadOnlyMemory<double> b, int bStride,
        Memory<double> c, int cStride, TwoCoreWorker? worker = null, bool mirror = false)
    {
        if (mirror && cStride != order)
        {
            throw new ArgumentException($"The mirror takes a square c: rows {order} apart; got {cStride}.", nameof(cStride));
        }

        if (!Forks(order, inner))
        {
            AddUpper(order, inner, alpha, packedLeft.Span, b.Span, bStride, c.Span, cStride, 0, order);
            if (mirror)
            {
                MatrixKernels.MirrorUpper(c.Span, order);
            }

            return;
        }

        // The first band takes 1 - 1/sqrt(2) of the rows (the long ones), a multiple of the tile's rows (SplitRow). With the
        // mirror, each band copies its own rows onto the lower triangle's columns right after it wrote them: no second
        // fork, and each core reads only what it wrote (a band of the lower triangle's rows reads columns of both bands).
        int split = SplitRow(order);
        TwoCoreWorker.Fork(worker,
            () => AddBand(order, inner, alpha, packedLeft, b, bStride, c, cStride, 0, split, mirror),
            () => AddBand(order, inner, alpha, packedLeft, b, bStride, c, cStride, split, order, mirror));
    }

    /// <summary>The row where <see cref="AddUpperOnTwoCores"/> cuts a triangle of order <paramref name="order"/> (0 where it does not).</summary>
    internal static int SplitRow(int order) => TriangleSplit.HalfOfUpper(order, GemmMicroKernel.Rows);

    /// <summary>
    /// Whether <see cref="AddUpperOnTwoCores"/> forks for a triangle of order <paramref name="order"/> and <paramref name="inner"/>
    /// terms: at least <see cref="ParallelTriangularGemm.Threshold"/> flops, a second core, and a cut inside the triangle.
    /// </summary>
    internal static bool Forks(int order, int inner)
    {
        int split = SplitRow(order);
        return (double)order * order * inner >= ParallelTriangularGemm.Threshold && Environment.ProcessorCount >= 2 && split > 0 && split < order;
    }

    /// <summary>
    /// One band of <see cref="AddUpperOnTwoCores"/>: <see cref="AddUpper"/> on rows <paramref name="firstRow"/> to
    /// <paramref name="endRow"/>, then, where <paramref name="mirror"/>, those rows copied onto the lower triangle's columns.
    /// </summary>
    internal static void AddBand(int order, int inner, double alpha, ReadOnlyMemory<double> packedLeft, ReadOnlyMemory<double> b, int bStride,
        Memory<double> c, int cStride, int firstRow, int endRow, bool mirror)
    {
        if (mirror && cStride != order)
        {
            throw new ArgumentException($"The mirror takes a square c: rows {order} apart; got {cStride}.", nameof(cStride));
        }

        AddUpper(order, inner, alpha, packedLeft.Span, b.Span, bStride, c.Span, cStride, firstRow, endRow);
        if (mirror)
        {
            MatrixKernels.MirrorUpperColumns(c.Span, order, firstRow, endRow);
        }
    }
}
