using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace HessianCodegen.LinearAlgebra;

/// <summary>
/// <see cref="CholeskyKernel.Factor"/> for small orders (a pivot block of a narrow layer, a group of the low-rank route),
/// where the row-by-row Crout order is mostly the overhead of its <c>n^2 / 2</c> short dot products. Right-looking on
/// <c>U = L^T</c> in a scratch square whose rows are padded to whole tiles: row <c>k</c> of <c>U</c> is final once scaled,
/// and the rows below take <see cref="Step"/> finished rows at a time, four rows by two vectors of columns per register
/// tile (<see cref="SubtractStep"/>), so that each broadcast coefficient and each loaded row vector feeds several
/// multiply-adds. The result, its pivot test and its storage are those of <see cref="CholeskyKernel.Factor"/>: the lower
/// triangle of <c>a</c> receives <c>L</c>; <c>Factor</c> and <see cref="FactorMirrored"/>, which work in a scratch square, never touch the
/// strict upper triangle (the copy Bunch-Kaufman restarts from), and on failure neither triangle. <see cref="FactorMirroredInPlace(Span{double}, int, double, ref long)"/>
/// works in <c>a</c> itself: its upper triangle holds <c>U</c> afterwards, and after a failure both triangles are scratch.
/// </summary>
internal static class RightLookingCholeskyKernel
{
    /// <summary>Rows of <c>U</c> finished before the rows below take them together.</summary>
    private const int Step = 8;

    /// <summary>Rows of the trailing matrix one register tile updates.</summary>
    private const int TileRows = 4;

    /// <summary>The scratch square's row length: the order rounded up to whole tiles of 16 columns (two 512-bit vectors).</summary>
    internal static int Stride(int n) => (n + 15) & ~15;

    /// <summary>The scratch values <see cref="Factor(Span{double}, int, Span{double}, double, ref long)"/> needs: the padded square <c>U</c>.</summary>
    public static int WorkLength(int n) => checked(Stride(n) * Stride(n));

    /// <summary>
    /// Overwrites the lower triangle of <paramref name="a"/> with <c>L</c>, <c>A = L L^T</c>, reading the lower triangle
    /// of <c>A</c>. A pivot <c>L_ii^2</c> at most <paramref name="tinyPivot"/> (or not a number) stops it.
    /// </summary>
    /// <returns>-1 on success, else the row whose pivot failed (then <paramref name="a"/> is as it was).</returns>
    public static int Factor(Span<double> a, int n, Span<double> work, double tinyPivot, ref long flops) =>
        Factor(a, n, work, tinyPivot, ref flops, VectorWidth.Hardware);

    /// <summary>
    /// <see cref="Factor(Span{double}, int, Span{double}, double, ref long)"/> with the trailing updates' tiles of
    /// <paramref name="vectorBits"/> (512, 256, or 0 for no explicit vectors: <see cref="RankUpdate"/> where <see cref="VectorWidth.FusedVectorT"/>, else plain loops; at most <see cref="VectorWidth.Hardware"/>): the tests take each.
    /// </summary>
    internal static int Factor(Span<double> a, int n, Span<double> work, double tinyPivot, ref long flops, int vectorBits) =>
        Factor(a, n, work, tinyPivot, ref flops, vectorBits, upperMirrorsLower: false);

    /// <summary>
    /// <see cref="Factor(Span{double}, int, Span{double}, double, ref long)"/> of an <paramref name="a"/> whose strict upper triangle is
    /// already the lower one's exact mirror (<see cref="PivotBlockFactor"/> mirrors it for Bunch-Kaufman's restart): <c>U</c> is then
    /// <c>a</c>'s rows copied whole, not filled column by column from the lower triangle.
    /// </summary>
    internal static int FactorMirrored(Span<double> a, int n, Span<double> work, double tinyPivot, ref long flops) =>
        Factor(a, n, work, tinyPivot, ref flops, VectorWidth.Hardware, upperMirrorsLower: true);

    /// <summary>
    /// The factorization with the updates' tiles of <paramref name="vectorBits"/>; <paramref name="upperMirrorsLower"/> says
    /// the strict upper triangle equals the lower one's mirror, so <c>U</c> is filled by copying rows.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static int Factor(Span<double> a, int n, Span<double> work, double tinyPivot, ref long flops, int vectorBits, bool upperMirrorsLower)
    {
        if (n < 0 || a.Length != n * n || work.Length < WorkLength(n))
        {
            throw new ArgumentException($"A Cholesky factorization of order {n} needs {n * n} matrix values and {WorkLength(n)} of work; got {a.Length} and {work.Length}.");
        }

        VectorWidth.Validate(vectorBits);
        int s = Stride(n);
        Span<double> u = work[..(s * s)];
        if (upperMirrorsLower)
        {
            FillFromRows(a, n, u, s);
        }
        else
        {
            FillSymmetric(a, n, u, s);
        }

        return FactorSquare(u, s, a, n, tinyPivot, ref flops, vectorBits);
    }

    /// <summary>Whether <see cref="FactorMirroredInPlace(Span{double}, int, double, ref long)"/> takes order <paramref name="n"/>: rows of whole tiles.</summary>
    internal static bool FactorsInPlace(int n) => n >= 0 && n % 16 == 0;

    /// <summary>
    /// <see cref="FactorMirrored"/> of a matrix whose rows are whole tiles (<see cref="FactorsInPlace"/>: the low-rank route's core of
    /// order 128 at width 16, batch 8) in <paramref name="a"/> itself, its own <c>U</c>, as <see cref="RightLookingBunchKaufmanKernel"/>
    /// does: no copy into the padded square. The same operations on the same values, so the same factor to the bit. On failure
    /// <paramref name="a"/> is scratch (both triangles may have changed): a caller that restarts with Bunch-Kaufman forms it again.
    /// </summary>
    /// <returns>-1 on success, else the row whose pivot failed.</returns>
    internal static int FactorMirroredInPlace(Span<double> a, int n, double tinyPivot, ref long flops) =>
        FactorMirroredInPlace(a, n, tinyPivot, ref flops, VectorWidth.Hardware);

    /// <summary><see cref="FactorMirroredInPlace(Span{double}, int, double, ref long)"/> with the updates' tiles of <paramref name="vectorBits"/>: the tests take each.</summary>
    internal static int FactorMirroredInPlace(Span<double> a, int n, double tinyPivot, ref long flops, int vectorBits)
    {
        if (!FactorsInPlace(n) || a.Length != n * n)
        {
            throw new ArgumentException($"A Cholesky factorization in place needs an order that is a multiple of 16 and that many squared values; got order {n} and {a.Length} values.");
        }

        VectorWidth.Validate(vectorBits);
        return FactorSquare(a, n, a, n, tinyPivot, ref flops, vectorBits);
    }

    /// <summary>
    /// The factorization of <c>U</c> in <paramref name="u"/> (rows of <paramref name="s"/>, filled), then <c>L = U^T</c> into
    /// <paramref name="a"/>'s lower triangle (<paramref name="u"/> may be <paramref name="a"/>, <c>s == n</c>: <see cref="CopyTransposedLower"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int FactorSquare(Span<double> u, int s, Span<double> a, int n, double tinyPivot, ref long flops, int vectorBits)
    {
        ref double uStart = ref MemoryMarshal.GetReference(u);
        for (int k0 = 0; k0 < n; k0 += Step)
        {
            int k1 = Math.Min(k0 + Step, n);

            // The step's own rows, one at a time: the pivot, the row scaled, the step's later rows updated.
            for (int k = k0; k < k1; k++)
            {
                ref double rowK = ref Unsafe.Add(ref uStart, k * s);
                double pivot = Unsafe.Add(ref rowK, k);
                if (!(pivot > tinyPivot))
                {
                    flops += SpentBeforeFailure(n, k0, k, k1);
                    return k;
                }

                double diagonal = Math.Sqrt(pivot);
                ScaleRow(ref rowK, k + 1, n, 1.0 / diagonal, vectorBits);
                Unsafe.Add(ref rowK, k) = diagonal;
                for (int i = k + 1; i < k1; i++)
                {
                    SubtractRow(ref Unsafe.Add(ref uStart, i * s), ref rowK, i, n, Unsafe.Add(ref rowK, i), vectorBits);
                }
            }

            // Every later row, from its diagonal on, takes the step's rows at once.
            if (k1 < n)
            {
                SubtractStep(ref uStart, s, n, k0, k1, vectorBits);
            }
        }

        CopyTransposedLower(ref uStart, s, ref MemoryMarshal.GetReference(a), n, vectorBits);
        for (int i = 0; i < n; i++)
        {
            flops += (long)i * (i + 1);
        }

        return -1;
    }

    /// <summary>
    /// <c>L = U^T</c> into the lower triangle of <paramref name="a"/>: below the diagonal blocks of eight rows (then four), 4 x 4 blocks
    /// turned in registers (<see cref="MatrixKernels.Transpose4x4"/>), each read of <c>U</c> a row's eight (four) values where value by
    /// value it read a column, one line per value of a square larger than L1 (eight rows: 28.5 and 25.4 against 31.3 and 29.5 us at
    /// order 272 into a cold factor, two runs of a scratch loop); the diagonal blocks and the rows short of a block value by value, so that
    /// neither <c>U</c>'s discarded entries left of its diagonal reach <paramref name="a"/> nor <paramref name="a"/>'s strict upper
    /// triangle (the copy Bunch-Kaufman restarts from) is written. Only values are copied: the factor is the same to the bit. The
    /// register blocks take vectors of 256 bits or more (<paramref name="vectorBits"/>, as the rest of the factor), so that a factor
    /// asked for without vectors uses none.
    /// <paramref name="u"/> and <paramref name="a"/> may be the same array with <c>s == n</c> (<see cref="RightLookingBunchKaufmanKernel"/>
    /// factors a mirrored matrix of a multiple of 16 rows in its own upper triangle): each entry <c>(i, j)</c>, <c>j &lt;= i</c>, is then
    /// read from its mirror <c>(j, i)</c>, on or above the diagonal, which no write reaches (the writes go on or below it, and a
    /// diagonal entry is its own mirror, copied onto itself); a 4 x 4 block below the diagonal reads its whole mirror into registers
    /// before it writes.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void CopyTransposedLower(ref double u, int s, ref double a, int n, int vectorBits)
    {
        int i0 = 0;
        for (; vectorBits >= 256 && Avx.IsSupported && i0 + 8 <= n; i0 += 8)
        {
            // Eight rows at a time: each of U's rows above gives both 4 x 4 blocks from one run of eight values (a line), where
            // four rows at a time read half a line per row and came back for the other half after a pass over the square.
            for (int j0 = 0; j0 < i0; j0 += 4)
            {
                MatrixKernels.Transpose4x4(ref Unsafe.Add(ref u, (j0 * s) + i0), s, ref Unsafe.Add(ref a, (i0 * n) + j0), n);
                MatrixKernels.Transpose4x4(ref Unsafe.Add(ref u, (j0 * s) + i0 + 4), s, ref Unsafe.Add(ref a, ((i0 + 4) * n) + j0), n);
            }

            // The block below the first diagonal one, then both diagonal blocks value by value.
            MatrixKernels.Transpose4x4(ref Unsafe.Add(ref u, (i0 * s) + i0 + 4), s, ref Unsafe.Add(ref a, ((i0 + 4) * n) + i0), n);
            for (int i = i0; i < i0 + 8; i++)
            {
                for (int j = i & ~3; j <= i; j++)
                {
                    Unsafe.Add(ref a, (i * n) + j) = Unsafe.Add(ref u, (j * s) + i);
                }
            }
        }

        for (; vectorBits >= 256 && Avx.IsSupported && i0 + 4 <= n; i0 += 4)
        {
            for (int j0 = 0; j0 < i0; j0 += 4)
            {
                MatrixKernels.Transpose4x4(ref Unsafe.Add(ref u, (j0 * s) + i0), s, ref Unsafe.Add(ref a, (i0 * n) + j0), n);
            }

            for (int i = i0; i < i0 + 4; i++)
            {
                for (int j = i0; j <= i; j++)
                {
                    Unsafe.Add(ref a, (i * n) + j) = Unsafe.Add(ref u, (j * s) + i);
                }
            }
        }

        for (int i = i0; i < n; i++)
        {
            for (int j = 0; j <= i; j++)
            {
                Unsafe.Add(ref a, (i * n) + j) = Unsafe.Add(ref u, (j * s) + i);
            }
        }
    }

    /// <summary>
    /// <c>row[j] *= inverse</c> for <c>from &lt;= j &lt; n</c>; vectors run from the aligned column at or before
    /// <paramref name="from"/> (the entries left of it are scaled too: the caller sets or discards them) to the first whole vector at or
    /// past <paramref name="n"/> (inside the padded row: its stride is a multiple of 16).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ScaleRow(ref double row, int from, int n, double inverse, int vectorBits)
    {
        int j = from;
        if (vectorBits == 512)
        {
            var scale = Vector512.Create(inverse);
            for (j &= ~7; j < n; j += 8)
            {
                (Vector512.LoadUnsafe(ref row, (nuint)j) * scale).StoreUnsafe(ref row, (nuint)j);
            }
        }
        else if (vectorBits == 256)
        {
            var scale = Vector256.Create(inverse);
            for (j &= ~3; j < n; j += 4)
            {
                (Vector256.LoadUnsafe(ref row, (nuint)j) * scale).StoreUnsafe(ref row, (nuint)j);
            }
        }

        for (; j < n; j++)
        {
            Unsafe.Add(ref row, j) *= inverse;
        }
    }

    /// <summary><c>target[j] -= weight * source[j]</c> for <c>from &lt;= j &lt; n</c>, vectors as in <see cref="ScaleRow"/>; without explicit vectors <see cref="VectorKernels.Axpy"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void SubtractRow(ref double target, ref double source, int from, int n, double weight, int vectorBits)
    {
        int j = from;
        if (vectorBits == 0 && VectorWidth.FusedVectorT)
        {
            VectorKernels.Axpy(-weight, MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref source, from), n - from),
                MemoryMarshal.CreateSpan(ref Unsafe.Add(ref target, from), n - from));
            return;
        }

        if (vectorBits == 512)
        {
            var scale = Vector512.Create(-weight);
            for (j &= ~7; j < n; j += 8)
            {
                Vector512.FusedMultiplyAdd(scale, Vector512.LoadUnsafe(ref source, (nuint)j), Vector512.LoadUnsafe(ref target, (nuint)j)).StoreUnsafe(ref target, (nuint)j);
            }
        }
        else if (vectorBits == 256)
        {
            var scale = Vector256.Create(-weight);
            for (j &= ~3; j < n; j += 4)
            {
                Vector256.FusedMultiplyAdd(scale, Vector256.LoadUnsafe(ref source, (nuint)j), Vector256.LoadUnsafe(ref target, (nuint)j)).StoreUnsafe(ref target, (nuint)j);
            }
        }

        for (; j < n; j++)
        {
            Unsafe.Add(ref target, j) -= weight * Unsafe.Add(ref source, j);
        }
    }

    /// <summary>
    /// <c>U</c> as the whole symmetric <c>A</c> read from its lower triangle (row <c>j</c> of <c>U</c> is column <c>j</c> of
    /// <c>A</c>), the padding zero: every value a tile reads is finite, though only the upper triangle's are kept.
    /// </summary>
    internal static void FillSymmetric(ReadOnlySpan<double> a, int n, Span<double> u, int s)
    {
        u.Clear();
        ref double uStart = ref MemoryMarshal.GetReference(u);
        for (int i = 0; i < n; i++)
        {
            ReadOnlySpan<double> row = a.Slice(i * n, i + 1);
            ref double rowU = ref Unsafe.Add(ref uStart, i * s);
            for (int j = 0; j <= i; j++)
            {
                double value = row[j];
                Unsafe.Add(ref rowU, j) = value;
                Unsafe.Add(ref uStart, (j * s) + i) = value;
            }
        }
    }

    /// <summary><c>U</c> as <c>a</c>'s rows, which are already the whole symmetric matrix; the padding zero, as in <see cref="FillSymmetric"/>.</summary>
    internal static void FillFromRows(ReadOnlySpan<double> a, int n, Span<double> u, int s)
    {
        for (int i = 0; i < n; i++)
        {
            a.Slice(i * n, n).CopyTo(u.Slice(i * s, n));
            u.Slice((i * s) + n, s - n).Clear();
        }

        u[(n * s)..].Clear();
    }

    /// <summary>
    /// <c>U[i, j] -= sum_{k0 &lt;= k &lt; k1} U[k, i] U[k, j]</c> for <c>k1 &lt;= i &lt;= j &lt; n</c>. A tile takes four rows
    /// from the vector-aligned column at or before the first one's diagonal to the padded end (<paramref name="s"/>), so the
    /// entries left of a row's diagonal, in the padding rows and in the padding columns are updated too: none of them is
    /// kept, and each entry's update reads only its own row's coefficients and its own column, so the kept ones are exact.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SubtractStep(ref double u, int s, int n, int k0, int k1, int vectorBits)
    {
        int count = k1 - k0;
        if (vectorBits == 0 && VectorWidth.FusedVectorT)
        {
            // No explicit tiles (ARM64, a capped width): each row takes the step as one Vector<T> combination (RankUpdate), as
            // before the tiles. Measured with 256-bit Vector<T> (scratch loop, median of 31): 19.5 against 32.3 us for the plain
            // loops below at order 72, 87 against 206 at 136. Without fused vectors in hardware (DOTNET_EnableAVX=0) the plain
            // loops win: 43 against 230 us at 72.
            Span<double> coefficients = stackalloc double[Step];
            for (int i = k1; i < n; i++)
            {
                for (int k = 0; k < count; k++)
                {
                    coefficients[k] = Unsafe.Add(ref u, ((k0 + k) * s) + i);
                }

                RankUpdate.SubtractCombination(MemoryMarshal.CreateSpan(ref Unsafe.Add(ref u, (i * s) + i), n - i), coefficients[..count],
                    MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref u, (k0 * s) + i), ((count - 1) * s) + n - i), s);
            }

            return;
        }

        if (vectorBits == 0)
        {
            // Neither explicit nor fused vectors (x86 before FMA): plain loops.
            for (int i = k1; i < n; i++)
            {
                ref double rowI = ref Unsafe.Add(ref u, i * s);
                for (int k = k0; k < k1; k++)
                {
                    ref double rowK = ref Unsafe.Add(ref u, k * s);
                    double weight = Unsafe.Add(ref rowK, i);
                    for (int j = i; j < n; j++)
                    {
                        Unsafe.Add(ref rowI, j) -= weight * Unsafe.Add(ref rowK, j);
                    }
                }
            }

            return;
        }

        // k1 is a multiple of Step (or n), so the tiles of four rows stay inside the padded square.
        int lanes = vectorBits / 64;
        for (int i = k1; i < n; i += TileRows)
        {
            SubtractFourRowTiles(ref Unsafe.Add(ref u, i * s), ref Unsafe.Add(ref u, k0 * s), ref Unsafe.Add(ref u, (k0 * s) + i),
                s, i & ~((2 * lanes) - 1), count, vectorBits);
        }
    }

    /// <summary>
    /// The four rows at <paramref name="target"/> (stride <paramref name="s"/>), from column <paramref name="firstColumn"/> (a
    /// multiple of a tile's width) to <paramref name="s"/>, less <c>sum_k coefficients[k s + r] rows[k s + c]</c> over
    /// <paramref name="count"/> terms, in <see cref="RegisterTile512"/>'s or <see cref="RegisterTile256"/>'s tiles of four rows by
    /// two vectors (<paramref name="vectorBits"/> 512 or 256): the right-looking kernels' trailing update
    /// (<see cref="RightLookingBunchKaufmanKernel"/> too, with <c>W</c>'s and <c>L</c>'s columns for coefficients and rows).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void SubtractFourRowTiles(ref double target, ref double rows, ref double coefficients, int s, int firstColumn, int count, int vectorBits)
    {
        int lanes = vectorBits / 64;
        for (int c = firstColumn; c < s; c += 2 * lanes)
        {
            ref double tileTarget = ref Unsafe.Add(ref target, c);
            ref double tileRows = ref Unsafe.Add(ref rows, c);
            if (vectorBits == 512)
            {
                var tile = RegisterTile512.Load(ref tileTarget, (nuint)s);
                tile.SubtractProducts(ref tileRows, s, ref coefficients, s, 1, count);
                tile.Store(ref tileTarget, (nuint)s);
            }
            else
            {
                var tile = RegisterTile256.Load(ref tileTarget, (nuint)s);
                tile.SubtractProducts(ref tileRows, s, ref coefficients, s, 1, count);
                tile.Store(ref tileTarget, (nuint)s);
            }
        }
    }

    /// <summary>
    /// The flops spent before the pivot of row <paramref name="failed"/> (in the step <paramref name="k0"/> to
    /// <paramref name="k1"/>) failed, counted as on success (a multiply-add per lower-triangle entry updated): every
    /// column of the earlier steps in full, the step's own columns on the step's rows alone.
    /// </summary>
    private static long SpentBeforeFailure(int n, int k0, int failed, int k1)
    {
        long spent = 0;
        for (int column = 0; column < k0; column++)
        {
            spent += (long)(n - column - 1) * (n - column);
        }

        for (int column = k0; column < failed; column++)
        {
            for (int row = column + 1; row < k1; row++)
            {
                spent += 2L * (n - row);
            }
        }

        return spent;
    }
}
