using System;

namespace HessianCodegen.LinearAlgebra;

/// <summary>Where to cut the rows of a triangle so that two cores get the same work.</summary>
internal static class TriangleSplit
{
    /// <summary>
    /// The row of an upper triangle of order <paramref name="order"/> (row <c>i</c> holds <c>order - i</c> entries) before which
    /// half of its entries lie: <c>order (1 - 1/sqrt(2))</c>, rounded to a multiple of <paramref name="multiple"/>. A lower
    /// triangle's cut is <c>order</c> minus it.
    /// </summary>
    public static int HalfOfUpper(int order, int multiple) =>
        (int)Math.Round(order * (1 - Math.Sqrt(0.5)) / multiple) * multiple;
}
