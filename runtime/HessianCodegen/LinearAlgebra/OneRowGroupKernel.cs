using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace HessianCodegen.LinearAlgebra;

/// <summary>
/// The low-rank route's per-group work where a group has one row of <c>Dx</c> (<c>c = 1</c>: a dense layer at batch 1), each
/// group's steps in one pass while its values are in L1. There <c>L_g^-1 z_g^T</c> is one column, its QR one reflector and
/// <c>R_g</c> a scalar, and the work per group is a few hundred flops: through the general kernels, a call, a check of its
/// arguments and a scratch per step (norm, Cholesky, condition bound, triangular solve, reflector; then per half solve a gather,
/// a solve, a reflection and a scatter) cost more than their arithmetic (docs/algorithm.md section 12, batch 1). The operations
/// are those of <see cref="SmallCholeskyKernel"/>, <see cref="TriangularKernel"/> and <see cref="HouseholderKernel"/>, in their
/// order, so the factors agree with theirs to the bit except <c>L^-1 z</c>, whose dot products sum in another order, and
/// <c>log det X_g</c>, one logarithm of the pivots' product where the general path sums one per pivot (both to round-off).
/// A group is factored alone (<see cref="Factor(Span{double}, int, double, out double, out double, ref double, ref double, ref long)"/>),
/// two of one order in the lanes of a 128-bit vector (<see cref="FactorPair"/>), or up to eight (four) of one order in the lanes of a
/// 512-bit (256-bit) vector (<see cref="FactorLanes"/>), all three the same bits for each group.
/// </summary>
internal static class OneRowGroupKernel
{
    /// <summary>
    /// Factors one group in place. <paramref name="group"/> holds, as the low-rank route lays a group out, <c>X_g</c> (<c>q x q</c>,
    /// lower triangle read, the strict upper triangle not touched), then <c>z_g</c> (<c>q</c> values), then one value for <c>tau</c>;
    /// it leaves <c>L_g</c>, then <c>L_g^-1 z_g</c> reflected to <c>[beta; 0]</c> (<c>beta = R_g</c> first, the reflector's
    /// vector below, its leading 1 implied), then <c>tau</c>: what <see cref="SmallCholeskyKernel.Factor(Span{double}, int, double, ref long)"/>,
    /// <see cref="TriangularKernel.SolveLower(ReadOnlySpan{double}, int, Span{double}, int)"/> and <see cref="HouseholderKernel.Factor"/> leave.
    /// </summary>
    /// <param name="group">The group's <c>q^2 + q + 1</c> values.</param>
    /// <param name="q">The group's parameters.</param>
    /// <param name="tinyPivot">A pivot <c>L_ii^2</c> at most this (or not a number) fails.</param>
    /// <param name="norm"><c>||X_g||_inf</c>, from the lower triangle (<c>X_g</c> is symmetric).</param>
    /// <param name="inverseNormBound"><see cref="TriangularKernel.InverseNormBound"/> of <c>L_g</c>.</param>
    /// <param name="logDeterminant">Incremented by <c>log det X_g</c>, <c>2 log</c> of the product of the <c>L_ii</c> (the sum of <c>2 log L_ii</c> to round-off).</param>
    /// <param name="smallestPivot">Lowered to the smallest <c>L_ii^2</c>.</param>
    /// <param name="flops">Incremented by the flops the Cholesky factor and the solve perform, counted as their kernels count them.</param>
    /// <returns>False at a failed pivot (then <paramref name="group"/> is partly overwritten and the outputs not set).</returns>
    public static bool Factor(Span<double> group, int q, double tinyPivot, out double norm, out double inverseNormBound,
        ref double logDeterminant, ref double smallestPivot, ref long flops) =>
        Factor(group, q, tinyPivot, out norm, out inverseNormBound, ref logDeterminant, ref smallestPivot, ref flops, VectorWidth.Hardware);

    /// <summary>
    /// <see cref="Factor(Span{double}, int, double, out double, out double, ref double, ref double, ref long)"/> with the Cholesky
    /// factor's row updates a vector of <paramref name="vectorBits"/> (512, then 256 for the rest of a row, or 0 for plain loops; at
    /// most <see cref="VectorWidth.Hardware"/>) at a time: the tests take each. Each entry's update is a product then a difference,
    /// not fused, so the factor is the same at every width (and <see cref="SmallCholeskyKernel"/>'s).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    [SkipLocalsInit]
    internal static bool Factor(Span<double> group, int q, double tinyPivot, out double norm, out double inverseNormBound,
        ref double logDeterminant, ref double smallestPivot, ref long flops, int vectorBits)
    {
        VectorWidth.Validate(vectorBits);
        if (q <= 0 || q > StackScratch.MaxRows || group.Length != (q * q) + q + 1)
        {
            throw new ArgumentException($"A group of {q} parameters and one row needs {(q * q) + q + 1} values (at most {StackScratch.MaxRows} parameters); got {group.Length}.", nameof(group));
        }

        // Every access below is inside the q^2 + q + 1 values checked above or the q-value scratch.
        ref double a = ref MemoryMarshal.GetReference(group);
        ref double z = ref Unsafe.Add(ref a, q * q);
        Span<double> scratch = stackalloc double[2 * q];
        // Two q-value scratches, each used twice (aliased by the recurrences below): the Cholesky step's column, then the backward
        // recurrence's column sums; the norm's row sums, then the forward recurrence's row bounds.
        ref double column = ref MemoryMarshal.GetReference(scratch);
        ref double bounds = ref Unsafe.Add(ref column, q);

        // ||X_g||_inf: row sums of |X_g| over its lower triangle, each entry counted in its row and (off the diagonal) its column.
        for (int i = 0; i < q; i++)
        {
            Unsafe.Add(ref bounds, i) = 0;
        }

        for (int i = 0; i < q; i++)
        {
            ref double row = ref Unsafe.Add(ref a, i * q);
            for (int j = 0; j <= i; j++)
            {
                double magnitude = Math.Abs(Unsafe.Add(ref row, j));
                Unsafe.Add(ref bounds, i) += magnitude;
                Unsafe.Add(ref bounds, j) += j < i ? magnitude : 0;
            }
        }

        norm = 0;
        for (int i = 0; i < q; i++)
        {
            norm = Math.Max(norm, Unsafe.Add(ref bounds, i));
        }

        inverseNormBound = 0;

        // Cholesky, right-looking, column by column (SmallCholeskyKernel's order: each entry's update a product then a difference).
        for (int k = 0; k < q; k++)
        {
            ref double diagonal = ref Unsafe.Add(ref a, (k * q) + k);
            double pivot = diagonal;
            if (!(pivot > tinyPivot))
            {
                return false;
            }

            double root = Math.Sqrt(pivot);
            diagonal = root;
            double inverse = 1.0 / root;
            int below = q - k - 1;
            for (int i = 0; i < below; i++)
            {
                ref double entry = ref Unsafe.Add(ref a, ((k + 1 + i) * q) + k);
                entry *= inverse;
                Unsafe.Add(ref column, i) = entry;
            }

            for (int i = 0; i < below; i++)
            {
                double weight = Unsafe.Add(ref column, i);
                ref double row = ref Unsafe.Add(ref a, ((k + 1 + i) * q) + k + 1);
                int length = i + 1;
                int j = 0;
                if (vectorBits == 512)
                {
                    var weights = Vector512.Create(weight);
                    for (; j + 8 <= length; j += 8)
                    {
                        ref double target = ref Unsafe.Add(ref row, j);
                        (Vector512.LoadUnsafe(ref target) - (weights * Vector512.LoadUnsafe(ref Unsafe.Add(ref column, j)))).StoreUnsafe(ref target);
                    }
                }

                if (vectorBits >= 256)
                {
                    var weights = Vector256.Create(weight);
                    for (; j + 4 <= length; j += 4)
                    {
                        ref double target = ref Unsafe.Add(ref row, j);
                        (Vector256.LoadUnsafe(ref target) - (weights * Vector256.LoadUnsafe(ref Unsafe.Add(ref column, j)))).StoreUnsafe(ref target);
                    }
                }

                for (; j < length; j++)
                {
                    Unsafe.Add(ref row, j) -= weight * Unsafe.Add(ref column, j);
                }
            }

            flops += (long)(q - k - 1) * (q - k);
        }

        // The scratch again, now for the recurrences: the backward one's column sums where the Cholesky step kept its column,
        // the forward one's row bounds where the norm's row sums were.
        ref double columnSums = ref column;
        ref double rowBounds = ref bounds;
        // The condition bound's two recurrences (TriangularKernel.InverseNormBound's, each in its order: the forward one down the rows,
        // the backward one up them), the determinant's terms and z = L^-1 z: independent chains of divisions over the rows of L, a row
        // of each per step so that they overlap.
        for (int i = 0; i < q; i++)
        {
            Unsafe.Add(ref columnSums, i) = 1;
        }

        double infinity = 0;
        double one = 0;
        double pivotProduct = 1;
        for (int i = 0; i < q; i++)
        {
            ref double row = ref Unsafe.Add(ref a, i * q);
            double sum = 1;
            double solved = Unsafe.Add(ref z, i);
            for (int j = 0; j < i; j++)
            {
                double entry = Unsafe.Add(ref row, j);
                sum += Math.Abs(entry) * Unsafe.Add(ref rowBounds, j);
                solved = Math.FusedMultiplyAdd(-entry, Unsafe.Add(ref z, j), solved);
            }

            double pivot = Unsafe.Add(ref row, i);
            double bound = sum / Math.Abs(pivot);
            Unsafe.Add(ref rowBounds, i) = bound;
            infinity = Math.Max(infinity, bound);
            Unsafe.Add(ref z, i) = solved / pivot;
            pivotProduct *= pivot;
            smallestPivot = Math.Min(smallestPivot, pivot * pivot);

            // Column up's bound, its sum gathered from the rows below it, taken in the steps before.
            int up = q - 1 - i;
            ref double upRow = ref Unsafe.Add(ref a, up * q);
            double upBound = Unsafe.Add(ref columnSums, up) / Math.Abs(Unsafe.Add(ref upRow, up));
            one = Math.Max(one, upBound);
            for (int j = 0; j < up; j++)
            {
                Unsafe.Add(ref columnSums, j) += Math.Abs(Unsafe.Add(ref upRow, j)) * upBound;
            }
        }

        inverseNormBound = infinity * one;
        logDeterminant += LogDeterminantOfPivots(pivotProduct, ref a, q);
        flops += (long)q * q;
        ReflectColumn(ref z, q);
        return true;
    }

    /// <summary>
    /// <c>log det X_g = 2 log(L_11 ... L_qq)</c> from <paramref name="pivotProduct"/>, the product of <c>L_g</c>'s diagonal (<paramref name="l"/>,
    /// <paramref name="q"/> x <paramref name="q"/>, its values <paramref name="stride"/> apart: 1 in a group's own layout, the lanes in
    /// <see cref="FactorLanes"/>'s): one logarithm per group where one per pivot took about 2 % of a width-8 batch-1
    /// factorization (the sum of <c>2 log L_ii</c> to round-off: a product of <c>q</c> roundings, then one logarithm). Where the product
    /// left the normal range (pivots far from 1 over many rows), the sum of the terms instead.
    /// </summary>
    private static double LogDeterminantOfPivots(double pivotProduct, ref double l, int q, int stride = 1)
    {
        if (double.IsNormal(pivotProduct))
        {
            return 2 * Math.Log(pivotProduct);
        }

        double sum = 0;
        for (int i = 0; i < q; i++)
        {
            sum += 2 * Math.Log(Unsafe.Add(ref l, ((i * q) + i) * stride));
        }

        return sum;
    }

    /// <summary>
    /// The QR of the one column <c>z</c> (<paramref name="q"/> values, <c>tau</c> after them) in place: a reflector taking it to
    /// <c>[beta; 0]</c> (<c>dgeqr2</c>; none, <c>tau = 0</c>, where <c>z</c> is zero below its first entry).
    /// </summary>
    private static void ReflectColumn(ref double z, int q) => Unsafe.Add(ref z, q) = HouseholderKernel.GenerateReflector(ref z, q, 1);

    /// <summary>
    /// The largest order <see cref="FactorPair"/> takes: every group the one-row route takes (<see cref="SmallCholeskyKernel.Limit"/>).
    /// Width 16's groups of 17 too: in a scratch loop a pair of them took 1.61 us in lanes against 2.09 as two
    /// <see cref="Factor(Span{double}, int, double, out double, out double, ref double, ref double, ref long)"/> calls.
    /// </summary>
    internal const int PairLimit = SmallCholeskyKernel.Limit;

    /// <summary>
    /// <see cref="Factor(Span{double}, int, double, out double, out double, ref double, ref double, ref long)"/> of two groups of
    /// one order at once, each in one lane of a 128-bit vector: a group's factor is a chain of square roots and divisions (each
    /// pivot, then each row's condition bound, waits for the one before), which two groups side by side overlap. Lane by lane the
    /// operations are <see cref="Factor(Span{double}, int, double, out double, out double, ref double, ref double, ref long)"/>'s,
    /// so the results are the same bits, <paramref name="logDeterminant"/> too (each lane's pivot product, then the first group's
    /// logarithm added before the second's). False when a pivot of either fails (then both are partly overwritten).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    [SkipLocalsInit]
    public static bool FactorPair(Span<double> first, Span<double> second, int q, double tinyPivot, out (double First, double Second) norms,
        out (double First, double Second) inverseNormBounds, ref double logDeterminant, ref double smallestPivot, ref long flops)
    {
        int length = (q * q) + q + 1;
        if (q <= 0 || q > PairLimit || first.Length != length || second.Length != length)
        {
            throw new ArgumentException($"Two groups of {q} parameters (at most {PairLimit}) and one row need {length} values each; got {first.Length} and {second.Length}.");
        }

        // Lane 0 is the first group, lane 1 the second; every access is inside the values checked above or the scratch.
        ref double a = ref MemoryMarshal.GetReference(first);
        ref double b = ref MemoryMarshal.GetReference(second);
        Span<Vector128<double>> scratch = stackalloc Vector128<double>[3 * PairLimit];
        ref Vector128<double> column = ref MemoryMarshal.GetReference(scratch);
        ref Vector128<double> bounds = ref Unsafe.Add(ref column, PairLimit);
        ref Vector128<double> solved = ref Unsafe.Add(ref bounds, PairLimit);

        for (int i = 0; i < q; i++)
        {
            Unsafe.Add(ref bounds, i) = Vector128<double>.Zero;
        }

        for (int i = 0; i < q; i++)
        {
            for (int j = 0; j < i; j++)
            {
                int at = (i * q) + j;
                Vector128<double> magnitude = Vector128.Abs(Vector128.Create(Unsafe.Add(ref a, at), Unsafe.Add(ref b, at)));
                Unsafe.Add(ref bounds, i) += magnitude;
                Unsafe.Add(ref bounds, j) += magnitude;
            }

            int diagonalAt = (i * q) + i;
            Unsafe.Add(ref bounds, i) += Vector128.Abs(Vector128.Create(Unsafe.Add(ref a, diagonalAt), Unsafe.Add(ref b, diagonalAt)));
        }

        Vector128<double> norm = Vector128<double>.Zero;
        for (int i = 0; i < q; i++)
        {
            norm = Vector128.Max(norm, Unsafe.Add(ref bounds, i));
        }

        norms = (norm.GetElement(0), norm.GetElement(1));
        inverseNormBounds = (0, 0);

        for (int k = 0; k < q; k++)
        {
            int diagonalAt = (k * q) + k;
            double firstPivot = Unsafe.Add(ref a, diagonalAt);
            double secondPivot = Unsafe.Add(ref b, diagonalAt);
            if (!(firstPivot > tinyPivot) || !(secondPivot > tinyPivot))
            {
                return false;
            }

            Vector128<double> root = Vector128.Sqrt(Vector128.Create(firstPivot, secondPivot));
            Unsafe.Add(ref a, diagonalAt) = root.GetElement(0);
            Unsafe.Add(ref b, diagonalAt) = root.GetElement(1);
            Vector128<double> inverse = Vector128<double>.One / root;
            int below = q - k - 1;
            for (int i = 0; i < below; i++)
            {
                int at = ((k + 1 + i) * q) + k;
                Vector128<double> entry = Vector128.Create(Unsafe.Add(ref a, at), Unsafe.Add(ref b, at)) * inverse;
                Unsafe.Add(ref a, at) = entry.GetElement(0);
                Unsafe.Add(ref b, at) = entry.GetElement(1);
                Unsafe.Add(ref column, i) = entry;
            }

            for (int i = 0; i < below; i++)
            {
                Vector128<double> weight = Unsafe.Add(ref column, i);
                int rowAt = ((k + 1 + i) * q) + k + 1;
                for (int j = 0; j <= i; j++)
                {
                    int at = rowAt + j;
                    Vector128<double> entry = Vector128.Create(Unsafe.Add(ref a, at), Unsafe.Add(ref b, at)) - (weight * Unsafe.Add(ref column, j));
                    Unsafe.Add(ref a, at) = entry.GetElement(0);
                    Unsafe.Add(ref b, at) = entry.GetElement(1);
                }
            }

            flops += 2L * (q - k - 1) * (q - k);
        }

        // The condition bounds' two recurrences, the determinants' terms and z = L^-1 z, a row of each per step (as in Factor).
        ref double firstZ = ref Unsafe.Add(ref a, q * q);
        ref double secondZ = ref Unsafe.Add(ref b, q * q);
        for (int i = 0; i < q; i++)
        {
            Unsafe.Add(ref column, i) = Vector128<double>.One;
        }

        Vector128<double> infinity = Vector128<double>.Zero;
        Vector128<double> one = Vector128<double>.Zero;
        Vector128<double> pivotProducts = Vector128<double>.One;
        for (int i = 0; i < q; i++)
        {
            Vector128<double> sum = Vector128<double>.One;
            Vector128<double> value = Vector128.Create(Unsafe.Add(ref firstZ, i), Unsafe.Add(ref secondZ, i));
            for (int j = 0; j < i; j++)
            {
                int at = (i * q) + j;
                Vector128<double> entry = Vector128.Create(Unsafe.Add(ref a, at), Unsafe.Add(ref b, at));
                sum += Vector128.Abs(entry) * Unsafe.Add(ref bounds, j);
                value = Vector128.FusedMultiplyAdd(-entry, Unsafe.Add(ref solved, j), value);
            }

            int diagonalAt = (i * q) + i;
            Vector128<double> pivot = Vector128.Create(Unsafe.Add(ref a, diagonalAt), Unsafe.Add(ref b, diagonalAt));
            Vector128<double> bound = sum / Vector128.Abs(pivot);
            Unsafe.Add(ref bounds, i) = bound;
            infinity = Vector128.Max(infinity, bound);
            Unsafe.Add(ref solved, i) = value / pivot;
            pivotProducts *= pivot;
            Vector128<double> square = pivot * pivot;
            smallestPivot = Math.Min(Math.Min(smallestPivot, square.GetElement(0)), square.GetElement(1));

            int up = q - 1 - i;
            Vector128<double> upBound = Unsafe.Add(ref column, up)
                / Vector128.Abs(Vector128.Create(Unsafe.Add(ref a, (up * q) + up), Unsafe.Add(ref b, (up * q) + up)));
            one = Vector128.Max(one, upBound);
            for (int j = 0; j < up; j++)
            {
                int at = (up * q) + j;
                Unsafe.Add(ref column, j) += Vector128.Abs(Vector128.Create(Unsafe.Add(ref a, at), Unsafe.Add(ref b, at))) * upBound;
            }
        }

        Vector128<double> product = infinity * one;
        inverseNormBounds = (product.GetElement(0), product.GetElement(1));
        logDeterminant += LogDeterminantOfPivots(pivotProducts.GetElement(0), ref a, q);
        logDeterminant += LogDeterminantOfPivots(pivotProducts.GetElement(1), ref b, q);
        for (int i = 0; i < q; i++)
        {
            Vector128<double> value = Unsafe.Add(ref solved, i);
            Unsafe.Add(ref firstZ, i) = value.GetElement(0);
            Unsafe.Add(ref secondZ, i) = value.GetElement(1);
        }

        flops += 2L * q * q;
        ReflectColumn(ref firstZ, q);
        ReflectColumn(ref secondZ, q);
        return true;
    }

    /// <summary>
    /// The groups <see cref="FactorLanes"/> takes at once with vectors of <paramref name="vectorBits"/>: 8 at 512 bits, 4 at 256, 0
    /// (none: plain loops, <see cref="Factor(Span{double}, int, double, out double, out double, ref double, ref double, ref long)"/> and
    /// <see cref="FactorPair"/>) below.
    /// </summary>
    internal static int LaneCount(int vectorBits) => vectorBits switch { 512 => 8, 256 => 4, _ => 0 };

    /// <summary>The values of <paramref name="laneCount"/> groups of <paramref name="q"/> parameters interleaved for <see cref="FactorLanes"/>.</summary>
    internal static int LaneValueCount(int q, int laneCount) => ((q * q) + q + 1) * laneCount;

    /// <summary>
    /// <see cref="Factor(Span{double}, int, double, out double, out double, ref double, ref double, ref long)"/> of up to
    /// <see cref="LaneCount"/> groups of one order at once, one per lane of a vector of <paramref name="vectorBits"/> (512 or 256):
    /// every update of the Cholesky factor, the recurrences and the solve is then one vector operation for all the groups, and the
    /// chains of square roots and divisions that bound one group's factor are shared by all of them. <paramref name="lanes"/> holds
    /// the groups interleaved, value <c>e</c> of group <c>g</c> (in <see cref="Factor(Span{double}, int, double, out double, out double, ref double, ref double, ref long)"/>'s
    /// layout) at <c>e * LaneCount + g</c>; lanes from <paramref name="count"/> on are worked on but never read back (any values do).
    /// Lane by lane the operations are <see cref="Factor(Span{double}, int, double, out double, out double, ref double, ref double, ref long)"/>'s
    /// (each Cholesky update a product then a difference, the solve's fused), so every output is the same bits as that of each group
    /// alone: <paramref name="logDeterminant"/> takes the groups' logarithms in group order. False when a pivot of any of the
    /// <paramref name="count"/> groups fails (then all are partly overwritten and the outputs not set). <paramref name="norms"/> and
    /// <paramref name="inverseNormBounds"/> get each group's <c>||X_g||_inf</c> and <see cref="TriangularKernel.InverseNormBound"/> of <c>L_g</c>.
    /// </summary>
    public static bool FactorLanes(Span<double> lanes, int q, int count, double tinyPivot, Span<double> norms, Span<double> inverseNormBounds,
        ref double logDeterminant, ref double smallestPivot, ref long flops, int vectorBits)
    {
        VectorWidth.Validate(vectorBits);
        int laneCount = LaneCount(vectorBits);
        if (laneCount == 0 || q <= 0 || q > SmallCholeskyKernel.Limit || count <= 0 || count > laneCount || lanes.Length < LaneValueCount(q, laneCount)
            || norms.Length < count || inverseNormBounds.Length < count)
        {
            throw new ArgumentException($"Up to {laneCount} groups of {q} parameters (at most {SmallCholeskyKernel.Limit}) at {vectorBits} bits need {LaneValueCount(q, laneCount)} "
                + $"interleaved values and {count} norms and bounds; got {count} groups, {lanes.Length} values, {norms.Length} norms, {inverseNormBounds.Length} bounds.");
        }

        return vectorBits == 512
            ? FactorLanes<Lanes512, Vector512<double>>(lanes, q, count, tinyPivot, norms, inverseNormBounds, ref logDeterminant, ref smallestPivot, ref flops)
            : FactorLanes<Lanes256, Vector256<double>>(lanes, q, count, tinyPivot, norms, inverseNormBounds, ref logDeterminant, ref smallestPivot, ref flops);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    [SkipLocalsInit]
    private static bool FactorLanes<TLanes, TVector>(Span<double> lanes, int q, int count, double tinyPivot, Span<double> norms, Span<double> inverseNormBounds,
        ref double logDeterminant, ref double smallestPivot, ref long flops)
        where TLanes : struct, ILaneVector<TVector>
        where TVector : struct
    {
        // Value e of the groups is the vector at e * width; every access is inside the values checked by the caller or the scratch.
        int width = TLanes.Count;
        ref double a = ref MemoryMarshal.GetReference(lanes);
        ref double z = ref Unsafe.Add(ref a, q * q * width);
        Span<double> scratch = stackalloc double[2 * SmallCholeskyKernel.Limit * Vector512<double>.Count];
        // As in Factor: the Cholesky step's column, then the backward recurrence's column sums; the norm's row sums, then the
        // forward recurrence's row bounds.
        ref double column = ref MemoryMarshal.GetReference(scratch);
        ref double bounds = ref Unsafe.Add(ref column, q * width);
        uint active = (1u << count) - 1;

        TVector zero = TLanes.Broadcast(0);
        for (int i = 0; i < q; i++)
        {
            TLanes.Store(zero, ref Unsafe.Add(ref bounds, i * width));
        }

        // ||X_g||_inf: Factor's row sums, each entry added to its row's sum, then (off the diagonal) its column's. Row i's sum is
        // still 0 when its row comes (the rows before add to columns before i only), so it is kept in a register, not in memory.
        for (int i = 0; i < q; i++)
        {
            TVector rowSum = zero;
            for (int j = 0; j < i; j++)
            {
                TVector magnitude = TLanes.Abs(TLanes.Load(ref Unsafe.Add(ref a, ((i * q) + j) * width)));
                rowSum = TLanes.Add(rowSum, magnitude);
                ref double columnSum = ref Unsafe.Add(ref bounds, j * width);
                TLanes.Store(TLanes.Add(TLanes.Load(ref columnSum), magnitude), ref columnSum);
            }

            TLanes.Store(TLanes.Add(rowSum, TLanes.Abs(TLanes.Load(ref Unsafe.Add(ref a, ((i * q) + i) * width)))), ref Unsafe.Add(ref bounds, i * width));
        }

        TVector norm = zero;
        for (int i = 0; i < q; i++)
        {
            norm = TLanes.Max(norm, TLanes.Load(ref Unsafe.Add(ref bounds, i * width)));
        }

        // Cholesky, right-looking, column by column, each update a product then a difference (Factor's order).
        TVector tiny = TLanes.Broadcast(tinyPivot);
        TVector unit = TLanes.Broadcast(1.0);
        for (int k = 0; k < q; k++)
        {
            ref double diagonal = ref Unsafe.Add(ref a, ((k * q) + k) * width);
            TVector pivot = TLanes.Load(ref diagonal);
            if ((TLanes.GreaterThanBits(pivot, tiny) & active) != active)
            {
                return false;
            }

            TVector root = TLanes.Sqrt(pivot);
            TLanes.Store(root, ref diagonal);
            TVector inverse = TLanes.Divide(unit, root);
            int below = q - k - 1;
            for (int i = 0; i < below; i++)
            {
                ref double entry = ref Unsafe.Add(ref a, (((k + 1 + i) * q) + k) * width);
                TVector scaled = TLanes.Multiply(TLanes.Load(ref entry), inverse);
                TLanes.Store(scaled, ref entry);
                TLanes.Store(scaled, ref Unsafe.Add(ref column, i * width));
            }

            for (int i = 0; i < below; i++)
            {
                TVector weight = TLanes.Load(ref Unsafe.Add(ref column, i * width));
                ref double row = ref Unsafe.Add(ref a, (((k + 1 + i) * q) + k + 1) * width);
                for (int j = 0; j <= i; j++)
                {
                    ref double target = ref Unsafe.Add(ref row, j * width);
                    TLanes.Store(TLanes.Subtract(TLanes.Load(ref target), TLanes.Multiply(weight, TLanes.Load(ref Unsafe.Add(ref column, j * width)))), ref target);
                }
            }
        }

        // The condition bound's two recurrences, the determinant's terms and z = L^-1 z in place, a row of each per step (Factor's).
        ref double columnSums = ref column;
        ref double rowBounds = ref bounds;
        for (int i = 0; i < q; i++)
        {
            TLanes.Store(unit, ref Unsafe.Add(ref columnSums, i * width));
        }

        TVector infinity = zero;
        TVector one = zero;
        TVector pivotProducts = unit;
        TVector smallest = TLanes.Broadcast(double.PositiveInfinity);
        for (int i = 0; i < q; i++)
        {
            ref double row = ref Unsafe.Add(ref a, i * q * width);
            TVector sum = unit;
            TVector solved = TLanes.Load(ref Unsafe.Add(ref z, i * width));
            for (int j = 0; j < i; j++)
            {
                TVector entry = TLanes.Load(ref Unsafe.Add(ref row, j * width));
                sum = TLanes.Add(sum, TLanes.Multiply(TLanes.Abs(entry), TLanes.Load(ref Unsafe.Add(ref rowBounds, j * width))));
                solved = TLanes.FusedMultiplyAdd(TLanes.Negate(entry), TLanes.Load(ref Unsafe.Add(ref z, j * width)), solved);
            }

            TVector pivot = TLanes.Load(ref Unsafe.Add(ref row, i * width));
            TVector bound = TLanes.Divide(sum, TLanes.Abs(pivot));
            TLanes.Store(bound, ref Unsafe.Add(ref rowBounds, i * width));
            infinity = TLanes.Max(infinity, bound);
            TLanes.Store(TLanes.Divide(solved, pivot), ref Unsafe.Add(ref z, i * width));
            pivotProducts = TLanes.Multiply(pivotProducts, pivot);
            smallest = TLanes.Min(smallest, TLanes.Multiply(pivot, pivot));

            // Column up's bound, its sum gathered from the rows below it in the steps before.
            int up = q - 1 - i;
            ref double upRow = ref Unsafe.Add(ref a, up * q * width);
            TVector upBound = TLanes.Divide(TLanes.Load(ref Unsafe.Add(ref columnSums, up * width)), TLanes.Abs(TLanes.Load(ref Unsafe.Add(ref upRow, up * width))));
            one = TLanes.Max(one, upBound);
            for (int j = 0; j < up; j++)
            {
                ref double target = ref Unsafe.Add(ref columnSums, j * width);
                TLanes.Store(TLanes.Add(TLanes.Load(ref target), TLanes.Multiply(TLanes.Abs(TLanes.Load(ref Unsafe.Add(ref upRow, j * width))), upBound)), ref target);
            }
        }

        TVector inverseNormBound = TLanes.Multiply(infinity, one);
        for (int g = 0; g < count; g++)
        {
            norms[g] = TLanes.Element(norm, g);
            inverseNormBounds[g] = TLanes.Element(inverseNormBound, g);
            smallestPivot = Math.Min(smallestPivot, TLanes.Element(smallest, g));
            logDeterminant += LogDeterminantOfPivots(TLanes.Element(pivotProducts, g), ref Unsafe.Add(ref a, g), q, width);
            ref double groupZ = ref Unsafe.Add(ref z, g);
            Unsafe.Add(ref groupZ, q * width) = HouseholderKernel.GenerateReflector(ref groupZ, q, width);
        }

        // Factor's count for each group: its Cholesky updates, then its solve.
        flops += count * ((((long)q - 1) * q * (q + 1) / 3) + ((long)q * q));
        return true;
    }

    /// <summary>
    /// <c>B = Q_g^T L_g^-1 B</c> on a group's rows of <paramref name="rows"/> in place (its parameters' rows, <paramref name="width"/>
    /// values each; for a group without a row of <c>Dx</c>, <paramref name="group"/> its <c>L_g</c> alone and <paramref name="coreRow"/>
    /// empty, <c>L_g^-1 B</c> only), with the group's factors as <see cref="Factor(Span{double}, int, double, out double, out double, ref double, ref double, ref long)"/> left them, and the first row, the one that goes to the core
    /// <c>T</c>, copied to <paramref name="coreRow"/>: what the low-rank route's half solve did through a gather, <see cref="TriangularKernel.SolveLower(ReadOnlySpan{double}, int, Span{double}, int)"/>,
    /// <see cref="HouseholderKernel.ApplyTranspose"/> and a scatter. Vectors of <paramref name="vectorBits"/> (512, 256, or 0 for
    /// plain loops; at most <see cref="VectorWidth.Hardware"/>), every update a fused multiply-add at each width, so all give the same bits.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SolveLower(ReadOnlySpan<double> group, ReadOnlySpan<int> parameters, Span<double> rows, int width, Span<double> coreRow, int vectorBits)
    {
        int q = parameters.Length;
        // A group without a row of Dx holds L_g alone and sends no row to the core: L_g^-1 only.
        bool hasRow = group.Length != q * q;
        if (q == 0 || (hasRow && (group.Length != (q * q) + q + 1 || coreRow.Length != width)) || (!hasRow && !coreRow.IsEmpty))
        {
            throw new ArgumentException($"A group of {q} parameters needs {(q * q) + q + 1} values and a core row of {width} (one row), or {q * q} and none (no row); got {group.Length} and {coreRow.Length}.");
        }

        foreach (int parameter in parameters)
        {
            if ((uint)parameter >= (uint)(rows.Length / Math.Max(width, 1)))
            {
                throw new ArgumentOutOfRangeException(nameof(parameters), $"Parameter {parameter} has no row among the {rows.Length / Math.Max(width, 1)} rows of {width}.");
            }
        }

        VectorWidth.Validate(vectorBits);

        // Bounds: the group's values, the parameters' rows and the core row were checked above.
        ref double l = ref MemoryMarshal.GetReference(group);
        ref double v = ref Unsafe.Add(ref l, q * q);
        double tau = hasRow ? Unsafe.Add(ref v, q) : 0;
        ref double b = ref MemoryMarshal.GetReference(rows);
        ref int index = ref MemoryMarshal.GetReference(parameters);
        ref double core = ref MemoryMarshal.GetReference(coreRow);
        int column = 0;
        for (; vectorBits == 512 && column + 8 <= width; column += 8)
        {
            // L^-1: each row less the rows solved above it, then times 1 / L_ii (TriangularKernel's narrow solve).
            for (int i = 0; i < q; i++)
            {
                ref double factorRow = ref Unsafe.Add(ref l, i * q);
                ref double target = ref Unsafe.Add(ref b, (Unsafe.Add(ref index, i) * width) + column);
                Vector512<double> sum = Vector512.LoadUnsafe(ref target);
                for (int j = 0; j < i; j++)
                {
                    sum = Vector512.FusedMultiplyAdd(Vector512.Create(-Unsafe.Add(ref factorRow, j)),
                        Vector512.LoadUnsafe(ref Unsafe.Add(ref b, (Unsafe.Add(ref index, j) * width) + column)), sum);
                }

                (sum * (1.0 / Unsafe.Add(ref factorRow, i))).StoreUnsafe(ref target);
            }

            if (hasRow)
            {
                Reflect<Lanes512, Vector512<double>>(ref v, tau, ref b, ref index, q, width, column, ref core);
            }
        }

        for (; vectorBits >= 256 && column + 4 <= width; column += 4)
        {
            for (int i = 0; i < q; i++)
            {
                ref double factorRow = ref Unsafe.Add(ref l, i * q);
                ref double target = ref Unsafe.Add(ref b, (Unsafe.Add(ref index, i) * width) + column);
                Vector256<double> sum = Vector256.LoadUnsafe(ref target);
                for (int j = 0; j < i; j++)
                {
                    sum = Vector256.FusedMultiplyAdd(Vector256.Create(-Unsafe.Add(ref factorRow, j)),
                        Vector256.LoadUnsafe(ref Unsafe.Add(ref b, (Unsafe.Add(ref index, j) * width) + column)), sum);
                }

                (sum * (1.0 / Unsafe.Add(ref factorRow, i))).StoreUnsafe(ref target);
            }

            if (hasRow)
            {
                Reflect<Lanes256, Vector256<double>>(ref v, tau, ref b, ref index, q, width, column, ref core);
            }
        }

        for (; column < width; column++)
        {
            for (int i = 0; i < q; i++)
            {
                ref double factorRow = ref Unsafe.Add(ref l, i * q);
                ref double target = ref Unsafe.Add(ref b, (Unsafe.Add(ref index, i) * width) + column);
                double sum = target;
                for (int j = 0; j < i; j++)
                {
                    sum = Math.FusedMultiplyAdd(-Unsafe.Add(ref factorRow, j), Unsafe.Add(ref b, (Unsafe.Add(ref index, j) * width) + column), sum);
                }

                target = sum * (1.0 / Unsafe.Add(ref factorRow, i));
            }

            if (!hasRow)
            {
                continue;
            }

            ref double first = ref Unsafe.Add(ref b, (index * width) + column);
            double w = first;
            if (tau != 0)
            {
                for (int i = 1; i < q; i++)
                {
                    double weight = Unsafe.Add(ref v, i);
                    if (weight != 0)
                    {
                        w = Math.FusedMultiplyAdd(weight, Unsafe.Add(ref b, (Unsafe.Add(ref index, i) * width) + column), w);
                    }
                }

                first = Math.FusedMultiplyAdd(-tau, w, first);
                for (int i = 1; i < q; i++)
                {
                    ref double target = ref Unsafe.Add(ref b, (Unsafe.Add(ref index, i) * width) + column);
                    target = Math.FusedMultiplyAdd(-tau * Unsafe.Add(ref v, i), w, target);
                }
            }

            Unsafe.Add(ref core, column) = first;
        }
    }

    private static void CheckRows(ReadOnlySpan<int> parameters, int values, int width)
    {
        // The division once, not per parameter (it was 1.5 % of a batch-1 factorization).
        uint rows = (uint)(values / width);
        foreach (int parameter in parameters)
        {
            if ((uint)parameter >= rows)
            {
                throw new ArgumentOutOfRangeException(nameof(parameters), $"Parameter {parameter} has no row among the {rows} rows of {width}.");
            }
        }
    }

    /// <summary>
    /// <c>H^T = I - tau v v^T</c> on one vector of columns from <paramref name="column"/> of a group's rows (<c>w = v^T B</c>, then
    /// <c>B -= tau v w</c>), then its first row copied to the core row: <see cref="SolveLower"/>'s step after <c>L_g^-1</c> at 512 and
    /// 256 bits (the scalar loop's operations lane by lane), shared with <see cref="SolveLowerPair"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Reflect<TLanes, TVector>(ref double v, double tau, ref double b, ref int index, int q, int width, int column, ref double core)
        where TLanes : struct, ILaneVector<TVector>
        where TVector : struct
    {
        ref double first = ref Unsafe.Add(ref b, (index * width) + column);
        TVector w = TLanes.Load(ref first);
        if (tau != 0)
        {
            for (int i = 1; i < q; i++)
            {
                double weight = Unsafe.Add(ref v, i);
                if (weight != 0)
                {
                    w = TLanes.FusedMultiplyAdd(TLanes.Broadcast(weight), TLanes.Load(ref Unsafe.Add(ref b, (Unsafe.Add(ref index, i) * width) + column)), w);
                }
            }

            TLanes.Store(TLanes.FusedMultiplyAdd(TLanes.Broadcast(-tau), w, TLanes.Load(ref first)), ref first);
            for (int i = 1; i < q; i++)
            {
                ref double target = ref Unsafe.Add(ref b, (Unsafe.Add(ref index, i) * width) + column);
                TLanes.Store(TLanes.FusedMultiplyAdd(TLanes.Broadcast(-tau * Unsafe.Add(ref v, i)), w, TLanes.Load(ref target)), ref target);
            }
        }

        TLanes.Store(TLanes.Load(ref first), ref Unsafe.Add(ref core, column));
    }

    /// <summary>
    /// <see cref="SolveLower"/> of two groups of one order with a row each, at 512 bits, <paramref name="width"/> a multiple of 8: their
    /// <c>L_g^-1</c> sweeps in one loop, a row of each per step, so that the two chains of fused multiply-adds (each row waits for the
    /// rows above it) overlap; each group's operations are <see cref="SolveLower"/>'s in its order, so the same bits.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SolveLowerPair(ReadOnlySpan<double> first, ReadOnlySpan<int> firstParameters, Span<double> firstCore,
        ReadOnlySpan<double> second, ReadOnlySpan<int> secondParameters, Span<double> secondCore, Span<double> rows, int width)
    {
        VectorWidth.Validate(512);
        int q = firstParameters.Length;
        int length = (q * q) + q + 1;
        if (q == 0 || secondParameters.Length != q || first.Length != length || second.Length != length || firstCore.Length != width || secondCore.Length != width
            || width <= 0 || width % 8 != 0)
        {
            throw new ArgumentException($"Two groups of {q} parameters and a row each need {length} values and core rows of {width} each, a multiple of 8; "
                + $"got {secondParameters.Length} parameters, {first.Length} and {second.Length} values, core rows of {firstCore.Length} and {secondCore.Length}.");
        }

        CheckRows(firstParameters, rows.Length, width);
        CheckRows(secondParameters, rows.Length, width);

        // Bounds: the groups' values, the parameters' rows and the core rows were checked above.
        ref double l = ref MemoryMarshal.GetReference(first);
        ref double m = ref MemoryMarshal.GetReference(second);
        ref double b = ref MemoryMarshal.GetReference(rows);
        ref int index = ref MemoryMarshal.GetReference(firstParameters);
        ref int other = ref MemoryMarshal.GetReference(secondParameters);
        for (int column = 0; column < width; column += 8)
        {
            for (int i = 0; i < q; i++)
            {
                ref double firstRow = ref Unsafe.Add(ref l, i * q);
                ref double secondRow = ref Unsafe.Add(ref m, i * q);
                ref double firstTarget = ref Unsafe.Add(ref b, (Unsafe.Add(ref index, i) * width) + column);
                ref double secondTarget = ref Unsafe.Add(ref b, (Unsafe.Add(ref other, i) * width) + column);
                Vector512<double> firstSum = Vector512.LoadUnsafe(ref firstTarget);
                Vector512<double> secondSum = Vector512.LoadUnsafe(ref secondTarget);
                for (int j = 0; j < i; j++)
                {
                    firstSum = Vector512.FusedMultiplyAdd(Vector512.Create(-Unsafe.Add(ref firstRow, j)),
                        Vector512.LoadUnsafe(ref Unsafe.Add(ref b, (Unsafe.Add(ref index, j) * width) + column)), firstSum);
                    secondSum = Vector512.FusedMultiplyAdd(Vector512.Create(-Unsafe.Add(ref secondRow, j)),
                        Vector512.LoadUnsafe(ref Unsafe.Add(ref b, (Unsafe.Add(ref other, j) * width) + column)), secondSum);
                }

                (firstSum * (1.0 / Unsafe.Add(ref firstRow, i))).StoreUnsafe(ref firstTarget);
                (secondSum * (1.0 / Unsafe.Add(ref secondRow, i))).StoreUnsafe(ref secondTarget);
            }

            Reflect<Lanes512, Vector512<double>>(ref Unsafe.Add(ref l, q * q), Unsafe.Add(ref l, (q * q) + q), ref b, ref index, q, width, column, ref MemoryMarshal.GetReference(firstCore));
            Reflect<Lanes512, Vector512<double>>(ref Unsafe.Add(ref m, q * q), Unsafe.Add(ref m, (q * q) + q), ref b, ref other, q, width, column, ref MemoryMarshal.GetReference(secondCore));
        }
    }
}
