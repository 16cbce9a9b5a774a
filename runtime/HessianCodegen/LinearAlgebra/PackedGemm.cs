using System;
using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace HessianCodegen.LinearAlgebra;

/// <summary>
/// The cache-blocked product behind <see cref="Gemm"/> on machines with AVX2 and FMA, in the scheme of
/// Goto and van de Geijn (BLIS, OpenBLAS): a block of <c>op(b)</c> (<see cref="InnerBlock"/> terms by up to
/// <see cref="ColumnBlock"/> columns) is packed once and stays in the L3 cache, a block of <c>op(a)</c>
/// (<see cref="RowBlock"/> rows by the same terms) is packed and stays in L2, and
/// <see cref="GemmMicroKernel"/> sweeps tiles of <c>c</c> with one panel of each, the <c>b</c> panel in L1.
/// </summary>
internal static class PackedGemm
{
    /// <summary>Terms per block (kc): a packed panel of <c>b</c>, 256 x 8 values, is 16 KB of the 32 KB L1.</summary>
    public const int InnerBlock = 256;

    /// <summary>Rows per block (mc), a multiple of the tile's: the packed <c>a</c> block, 120 x 256 values, is 240 KB of the 1 MB L2.</summary>
    public const int RowBlock = 120;

    /// <summary>Columns per block (nc): the packed <c>b</c> block, 256 x 2048 values, is 4 MB of the shared L3.</summary>
    public const int ColumnBlock = 2048;

    /// <summary>
    /// <c>c = beta c + alpha op(a) op(b)</c> as <see cref="Gemm.Multiply"/> defines it, for positive sizes whose spans
    /// <see cref="Gemm"/> has checked (the kernel reads them without bounds checks).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Multiply(bool transposeA, bool transposeB, int rows, int columns, int inner, double alpha,
        ReadOnlySpan<double> a, int aStride, ReadOnlySpan<double> b, int bStride, double beta, Span<double> c, int cStride)
    {
        const int TileRows = GemmMicroKernel.Rows;
        const int TileColumns = GemmMicroKernel.Columns;
        int innerBlock = Math.Min(InnerBlock, inner);
        int columnBlock = Math.Min(ColumnBlock, columns);
        int rowBlock = Math.Min(RowBlock, rows);

        // A small a is read in place (no copy), and so is b when few rows of c reuse its panels; their last,
        // short panels are still packed, padded with zeros.
        bool aInPlace = (long)rows * inner <= InPlaceLimit;
        bool bInPlace = !transposeB && rows <= InPlaceRowsOfB;
        double[] packedA = ArrayPool<double>.Shared.Rent(RoundUp(rowBlock, TileRows) * innerBlock);
        double[] packedB = ArrayPool<double>.Shared.Rent(RoundUp(columnBlock, TileColumns) * innerBlock);
        try
        {
            ref double aStart = ref MemoryMarshal.GetReference(a);
            ref double bStart = ref MemoryMarshal.GetReference(b);
            ref double cStart = ref MemoryMarshal.GetReference(c);
            nint aRowStep = transposeA ? 1 : aStride;
            nint aInnerStep = transposeA ? aStride : 1;
            for (int j0 = 0; j0 < columns; j0 += ColumnBlock)
            {
                int blockColumns = Math.Min(ColumnBlock, columns - j0);
                for (int k0 = 0; k0 < inner; k0 += InnerBlock)
                {
                    int terms = Math.Min(InnerBlock, inner - k0);
                    double blockBeta = k0 == 0 ? beta : 1;
                    int fullColumnPanels = bInPlace ? blockColumns / TileColumns : 0;
                    if (fullColumnPanels * TileColumns < blockColumns)
                    {
                        GemmPacking.PackB(transposeB, b, bStride, k0, terms, j0 + (fullColumnPanels * TileColumns),
                            blockColumns - (fullColumnPanels * TileColumns), packedB);
                    }

                    for (int i0 = 0; i0 < rows; i0 += RowBlock)
                    {
                        int blockRows = Math.Min(RowBlock, rows - i0);
                        int fullPanels = aInPlace ? blockRows / TileRows : 0;
                        if (fullPanels * TileRows < blockRows)
                        {
                            GemmPacking.PackA(transposeA, a, aStride, i0 + (fullPanels * TileRows), blockRows - (fullPanels * TileRows), k0, terms, packedA);
                        }

                        for (int j = 0; j < blockColumns; j += TileColumns)
                        {
                            bool bPanelInPlace = j / TileColumns < fullColumnPanels;
                            ref double bPanel = ref bPanelInPlace
                                ? ref Unsafe.Add(ref bStart, ((nint)k0 * bStride) + j0 + j)
                                : ref packedB[((j / TileColumns) - fullColumnPanels) * terms * TileColumns];
                            nint bInnerStep = bPanelInPlace ? bStride : TileColumns;
                            int tileColumns = Math.Min(TileColumns, blockColumns - j);
                            for (int i = 0; i < blockRows; i += TileRows)
                            {
                                int panel = i / TileRows;
                                ref double cTile = ref Unsafe.Add(ref cStart, ((nint)(i0 + i) * cStride) + j0 + j);
                                int tileRows = Math.Min(TileRows, blockRows - i);
                                if (panel < fullPanels)
                                {
                                    ref double aPanel = ref Unsafe.Add(ref aStart, ((i0 + i) * aRowStep) + (k0 * aInnerStep));
                                    GemmMicroKernel.Multiply(terms, ref aPanel, aRowStep, aInnerStep, ref bPanel, bInnerStep, alpha, blockBeta, ref cTile, cStride, tileRows, tileColumns);
                                }
                                else
                                {
                                    ref double aPanel = ref packedA[(panel - fullPanels) * terms * TileRows];
                                    GemmMicroKernel.Multiply(terms, ref aPanel, 1, TileRows, ref bPanel, bInnerStep, alpha, blockBeta, ref cTile, cStride, tileRows, tileColumns);
                                }
                            }
                        }
                    }
                }
            }
        }
        finally
        {
            ArrayPool<double>.Shared.Return(packedA);
            ArrayPool<double>.Shared.Return(packedB);
        }
    }

    /// <summary>
    /// Largest <c>op(a)</c>, in values, read in place rather than packed: 512 KB, half the L2. Measured with
    /// Benchmarks --gemm, the limit switched between 0 and unlimited: in place, 256 x 16 x 16 ran at 32 GFLOP/s instead of 21 and 72 x 512 x 512 at 36 instead of 31;
    /// packed, 2048 x 2048 x 64 at 41 instead of 34.
    /// </summary>
    private const long InPlaceLimit = 1 << 16;

    /// <summary>
    /// Rows of <c>c</c> (two tiles) up to which <c>b</c> is read in place rather than packed: each panel of <c>b</c> serves
    /// so few tiles that packing it cost as much as the product. Measured in a scratch timing (thread cpu, load 16): the
    /// 8 x 512 x 64 product with rows of <c>P</c> 8 apart (a layer's <c>Dx^T P</c>) ran at 19 GFLOP/s in place, 14 packed.
    /// </summary>
    private const int InPlaceRowsOfB = 12;

    /// <summary><paramref name="value"/> rounded up to a multiple of <paramref name="multiple"/>: a packed panel's length.</summary>
    internal static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;
}
