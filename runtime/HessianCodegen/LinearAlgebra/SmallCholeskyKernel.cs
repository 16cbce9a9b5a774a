using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace HessianCodegen.LinearAlgebra;

/// <summary>
/// Cholesky of a matrix of a few dozen rows at most, in place on its lower triangle: the low-rank route's groups (a dense
/// layer's group is one unit's weights and bias, 9 parameters at width 8, 17 at width 16), factored once per group and
/// layer. Right-looking, column by column, in plain loops over a contiguous copy of the column, without bounds checks: at these orders the square copy of
/// <see cref="RightLookingCholeskyKernel"/> and its padded register tiles cost more than the arithmetic, and the updates
/// of one column are independent of each other, where the row-by-row Crout order waits on each dot product in turn.
/// Unlike those kernels it leaves the lower triangle partly overwritten when a pivot fails: its caller's matrix is scratch.
/// </summary>
internal static class SmallCholeskyKernel
{
    /// <summary>The largest order the low-rank route gives this kernel (larger groups take <see cref="PivotBlockFactor.FactorCholesky"/>).</summary>
    internal const int Limit = 32;

    /// <summary>
    /// Overwrites the lower triangle of <paramref name="a"/> (<paramref name="n"/> x <paramref name="n"/>, row-major) with
    /// <c>L</c>, <c>A = L L^T</c>, reading the lower triangle of <c>A</c>; the strict upper triangle is not touched. A pivot
    /// <c>L_ii^2</c> at most <paramref name="tinyPivot"/> (or not a number) stops it.
    /// </summary>
    /// <returns>-1 on success, else the row whose pivot failed (then the lower triangle is partly overwritten).</returns>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int Factor(Span<double> a, int n, double tinyPivot, ref long flops) => Factor(a, n, tinyPivot, ref flops, VectorWidth.OfVectorT);

    /// <summary>
    /// <see cref="Factor(Span{double}, int, double, ref long)"/> with the updates' rows a vector of <paramref name="vectorBits"/>
    /// (512, 256, or 0 for plain loops; at most <see cref="VectorWidth.Hardware"/>) at a time: the tests take each. The factor is the
    /// same at every width (each entry's update is a product then a difference, not fused).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static int Factor(Span<double> a, int n, double tinyPivot, ref long flops, int vectorBits)
    {
        if (n < 0 || a.Length != n * n)
        {
            throw new ArgumentException($"A Cholesky factorization of order {n} needs {n} x {n} values; got {a.Length}.", nameof(a));
        }

        VectorWidth.Validate(vectorBits);

        // Column k below the diagonal is copied as it is scaled, so that the updates read it contiguously; every access below
        // is inside the n x n values checked above.
        Span<double> column = n <= StackScratch.MaxRows ? stackalloc double[n] : new double[n];
        ref double start = ref MemoryMarshal.GetReference(a);
        ref double columnStart = ref MemoryMarshal.GetReference(column);
        for (int k = 0; k < n; k++)
        {
            ref double diagonal = ref Unsafe.Add(ref start, (k * n) + k);
            double pivot = diagonal;
            if (!(pivot > tinyPivot))
            {
                return k;
            }

            double root = Math.Sqrt(pivot);
            diagonal = root;
            double inverse = 1.0 / root;
            int below = n - k - 1;
            for (int i = 0; i < below; i++)
            {
                ref double entry = ref Unsafe.Add(ref start, ((k + 1 + i) * n) + k);
                entry *= inverse;
                Unsafe.Add(ref columnStart, i) = entry;
            }

            // The trailing lower triangle less column k times its transpose, row by row: row k + 1 + i, columns k + 1 .. k + 1 + i.
            for (int i = 0; i < below; i++)
            {
                double weight = Unsafe.Add(ref columnStart, i);
                ref double row = ref Unsafe.Add(ref start, ((k + 1 + i) * n) + k + 1);
                int length = i + 1;
                int j = 0;
                if (vectorBits == 512 && length >= 8)
                {
                    var scale = Vector512.Create(weight);
                    for (; j + 8 <= length; j += 8)
                    {
                        ref double target = ref Unsafe.Add(ref row, j);
                        (Vector512.LoadUnsafe(ref target) - (scale * Vector512.LoadUnsafe(ref Unsafe.Add(ref columnStart, j)))).StoreUnsafe(ref target);
                    }
                }
                else if (vectorBits == 256 && length >= 4)
                {
                    var scale = Vector256.Create(weight);
                    for (; j + 4 <= length; j += 4)
                    {
                        ref double target = ref Unsafe.Add(ref row, j);
                        (Vector256.LoadUnsafe(ref target) - (scale * Vector256.LoadUnsafe(ref Unsafe.Add(ref columnStart, j)))).StoreUnsafe(ref target);
                    }
                }

                for (; j < length; j++)
                {
                    Unsafe.Add(ref row, j) -= weight * Unsafe.Add(ref columnStart, j);
                }
            }

            // A multiply-add per lower-triangle entry updated, as the other Cholesky kernels count.
            flops += (long)(n - k - 1) * (n - k);
        }

        return -1;
    }

    /// <summary>
    /// The largest order the low-rank route gives <see cref="FactorPair"/>: measured at 9 (width 8, batch 1, depth 128: the
    /// factorization about 2 % faster, least of 4 runs alternating between two builds); its updates are scalar, where
    /// <see cref="Factor(Span{double}, int, double, ref long)"/> takes rows of at least a vector's width (4 values, 8 only where
    /// <see cref="Vector{T}"/> is configured at 512 bits: <see cref="VectorWidth.OfVectorT"/>) a vector at a time, so width 16's
    /// groups of 17 keep that one.
    /// </summary>
    internal const int PairLimit = 16;

    /// <summary>
    /// <see cref="Factor(Span{double}, int, double, ref long)"/> of two matrices of one order at once, column by column in step: a 9 x 9 factor is a chain of a
    /// square root, a division and the next pivot's update per column, which the next group's factor did not overlap; two
    /// chains side by side fill each other's waits. Both stop at the first failed pivot of either: the low-rank route, its only
    /// caller, then discards both (the whole block goes another way), so neither is finished.
    /// </summary>
    /// <returns>-1 when both succeeded, else the first row whose pivot failed, in either (then both lower triangles are partly overwritten).</returns>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int FactorPair(Span<double> a, Span<double> b, int n, double tinyPivot, ref long flops)
    {
        if (n < 0 || a.Length != n * n || b.Length != n * n)
        {
            throw new ArgumentException($"Two Cholesky factorizations of order {n} need {n} x {n} values each; got {a.Length} and {b.Length}.");
        }

        Span<double> columns = n <= StackScratch.MaxRows / 2 ? stackalloc double[2 * n] : new double[2 * n];
        ref double aStart = ref MemoryMarshal.GetReference(a);
        ref double bStart = ref MemoryMarshal.GetReference(b);
        ref double aColumn = ref MemoryMarshal.GetReference(columns);
        ref double bColumn = ref Unsafe.Add(ref aColumn, n);
        for (int k = 0; k < n; k++)
        {
            ref double aDiagonal = ref Unsafe.Add(ref aStart, (k * n) + k);
            ref double bDiagonal = ref Unsafe.Add(ref bStart, (k * n) + k);
            double aPivot = aDiagonal;
            double bPivot = bDiagonal;
            if (!(aPivot > tinyPivot) || !(bPivot > tinyPivot))
            {
                return k;
            }

            double aRoot = Math.Sqrt(aPivot);
            double bRoot = Math.Sqrt(bPivot);
            aDiagonal = aRoot;
            bDiagonal = bRoot;
            double aInverse = 1.0 / aRoot;
            double bInverse = 1.0 / bRoot;
            int below = n - k - 1;
            for (int i = 0; i < below; i++)
            {
                ref double aEntry = ref Unsafe.Add(ref aStart, ((k + 1 + i) * n) + k);
                ref double bEntry = ref Unsafe.Add(ref bStart, ((k + 1 + i) * n) + k);
                aEntry *= aInverse;
                bEntry *= bInverse;
                Unsafe.Add(ref aColumn, i) = aEntry;
                Unsafe.Add(ref bColumn, i) = bEntry;
            }

            for (int i = 0; i < below; i++)
            {
                double aWeight = Unsafe.Add(ref aColumn, i);
                double bWeight = Unsafe.Add(ref bColumn, i);
                ref double aRow = ref Unsafe.Add(ref aStart, ((k + 1 + i) * n) + k + 1);
                ref double bRow = ref Unsafe.Add(ref bStart, ((k + 1 + i) * n) + k + 1);
                for (int j = 0; j <= i; j++)
                {
                    Unsafe.Add(ref aRow, j) -= aWeight * Unsafe.Add(ref aColumn, j);
                    Unsafe.Add(ref bRow, j) -= bWeight * Unsafe.Add(ref bColumn, j);
                }
            }

            flops += 2L * (n - k - 1) * (n - k);
        }

        return -1;
    }
}
