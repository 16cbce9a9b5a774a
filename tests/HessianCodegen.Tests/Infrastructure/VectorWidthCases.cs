using System.Collections.Generic;
using System.Linq;
using HessianCodegen.LinearAlgebra;

namespace HessianCodegen.Tests.Infrastructure;

/// <summary>
/// Theory rows for the kernels that take a vector width: only those whose width runs on this machine
/// (<see cref="VectorWidth.Hardware"/>), so that a width the hardware lacks is not listed at all rather than listed as passed.
/// </summary>
internal static class VectorWidthCases
{
    /// <summary>The rows whose value at <paramref name="widthIndex"/> (a width in bits) is at most the machine's.</summary>
    public static IEnumerable<object[]> Runnable(int widthIndex, params object[][] rows) =>
        rows.Where(row => (int)row[widthIndex] <= VectorWidth.Hardware);
}
