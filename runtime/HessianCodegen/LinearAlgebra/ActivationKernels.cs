using System;
using System.Runtime.Intrinsics;

namespace HessianCodegen.LinearAlgebra;

/// <summary>
/// Element-wise activations over a block of sums, four at a time: <c>values = f(sums + bias)</c> and
/// <c>slopes = f'(sums + bias)</c>, with <c>bias</c> (empty for none) added to every row; for <c>H v</c>
/// the slopes and <c>curvatures = f''(sums + bias)</c>. The per-example code calls <c>Math.Tanh</c> at
/// about 10 ns a value, one at a time. Each value agrees with its scalar definition in
/// <see cref="LayerMath"/> to a few ulps, and each slope and curvature is written with the value exactly
/// as the generator writes it (<c>1 - t t</c> and <c>-2 t (1 - t t)</c>, <c>s (1 - s)</c> and
/// <c>s (1 - s) (1 - 2 s)</c>), so a batch matches its examples to round-off.
/// </summary>
internal static class ActivationKernels
{
    // Cephes' tanh: x + x^3 P(x^2) / Q(x^2) below 0.625, where 1 - 2 / (e^2x + 1) would lose relative
    // accuracy, and that formula above (where tanh >= 0.55, so exp's few ulps stay a few ulps).
    private const double SmallTanh = 0.625;
    private const double P0 = -9.64399179425052238628E-1, P1 = -9.92877231001918586564E1, P2 = -1.61468768441708447952E3;
    private const double Q1 = 1.12811678491632931402E2, Q2 = 2.23548839060100448583E3, Q3 = 4.84406305325125486048E3;

    public static void Tanh(ReadOnlySpan<double> sums, ReadOnlySpan<double> bias, Span<double> values, Span<double> slopes) =>
        Apply<TanhFunction>(sums, bias, values, slopes);

    public static void Sigmoid(ReadOnlySpan<double> sums, ReadOnlySpan<double> bias, Span<double> values, Span<double> slopes) =>
        Apply<SigmoidFunction>(sums, bias, values, slopes);

    public static void Relu(ReadOnlySpan<double> sums, ReadOnlySpan<double> bias, Span<double> values, Span<double> slopes) =>
        Apply<ReluFunction>(sums, bias, values, slopes);

    public static void TanhDerivatives(ReadOnlySpan<double> sums, ReadOnlySpan<double> bias, Span<double> slopes, Span<double> curvatures) =>
        ApplyDerivatives<TanhFunction>(sums, bias, slopes, curvatures);

    public static void SigmoidDerivatives(ReadOnlySpan<double> sums, ReadOnlySpan<double> bias, Span<double> slopes, Span<double> curvatures) =>
        ApplyDerivatives<SigmoidFunction>(sums, bias, slopes, curvatures);

    public static void ReluDerivatives(ReadOnlySpan<double> sums, ReadOnlySpan<double> bias, Span<double> slopes, Span<double> curvatures) =>
        ApplyDerivatives<ReluFunction>(sums, bias, slopes, curvatures);

    /// <summary>tanh of four values, to a few ulps; NaN stays NaN, the sign of zero is kept.</summary>
    private static Vector256<double> Tanh(Vector256<double> x)
    {
        Vector256<double> a = Vector256.Abs(x);
        Vector256<double> s = a * a;
        Vector256<double> p = (((P0 * s) + Vector256.Create(P1)) * s) + Vector256.Create(P2);
        Vector256<double> q = (((s + Vector256.Create(Q1)) * s) + Vector256.Create(Q2)) * s + Vector256.Create(Q3);
        Vector256<double> small = a + (a * s * p / q);

        // e^2a overflows to infinity past a = 355, and 1 - 2 / infinity is 1, as tanh rounds to there.
        Vector256<double> large = Vector256<double>.One - (Vector256.Create(2.0) / (Vector256.Exp(a + a) + Vector256<double>.One));
        Vector256<double> magnitude = Vector256.ConditionalSelect(Vector256.LessThan(a, Vector256.Create(SmallTanh)), small, large);
        return magnitude | (x & Vector256.Create(-0.0));
    }

    // A struct type argument per function, so that the JIT inlines it into the loop.
    private static void Apply<TFunction>(ReadOnlySpan<double> sums, ReadOnlySpan<double> bias, Span<double> values, Span<double> slopes)
        where TFunction : struct, IActivation
    {
        Check(sums, bias, values, slopes);
        int width = bias.IsEmpty ? sums.Length : bias.Length;
        for (int start = 0; start < sums.Length; start += width)
        {
            int k = 0;
            for (; k + Vector256<double>.Count <= width; k += Vector256<double>.Count)
            {
                Vector256<double> x = Vector256.Create(sums.Slice(start + k));
                if (!bias.IsEmpty)
                {
                    x += Vector256.Create(bias.Slice(k));
                }

                Vector256<double> y = TFunction.Value(x);
                y.CopyTo(values.Slice(start + k));
                TFunction.Slope(x, y).CopyTo(slopes.Slice(start + k));
            }

            for (; k < width; k++)
            {
                double x = bias.IsEmpty ? sums[start + k] : sums[start + k] + bias[k];
                double y = TFunction.Value(x);
                values[start + k] = y;
                slopes[start + k] = TFunction.Slope(x, y);
            }
        }
    }

    // The same loop as Apply's, writing f' and f'' where Apply writes f and f'.
    private static void ApplyDerivatives<TFunction>(ReadOnlySpan<double> sums, ReadOnlySpan<double> bias, Span<double> slopes, Span<double> curvatures)
        where TFunction : struct, IActivation
    {
        Check(sums, bias, slopes, curvatures, "slopes and curvatures");
        int width = bias.IsEmpty ? sums.Length : bias.Length;
        for (int start = 0; start < sums.Length; start += width)
        {
            int k = 0;
            for (; k + Vector256<double>.Count <= width; k += Vector256<double>.Count)
            {
                Vector256<double> x = Vector256.Create(sums.Slice(start + k));
                if (!bias.IsEmpty)
                {
                    x += Vector256.Create(bias.Slice(k));
                }

                Vector256<double> y = TFunction.Value(x);
                Vector256<double> slope = TFunction.Slope(x, y);
                slope.CopyTo(slopes.Slice(start + k));
                TFunction.Curvature(y, slope).CopyTo(curvatures.Slice(start + k));
            }

            for (; k < width; k++)
            {
                double x = bias.IsEmpty ? sums[start + k] : sums[start + k] + bias[k];
                double y = TFunction.Value(x);
                double slope = TFunction.Slope(x, y);
                slopes[start + k] = slope;
                curvatures[start + k] = TFunction.Curvature(y, slope);
            }
        }
    }

    private static void Check(ReadOnlySpan<double> sums, ReadOnlySpan<double> bias, Span<double> first, Span<double> second, string outputs = "values and slopes")
    {
        if (first.Length != sums.Length || second.Length != sums.Length || (!bias.IsEmpty && sums.Length % bias.Length != 0))
        {
            throw new ArgumentException(
                $"An activation needs sums, {outputs} of one length, in rows of the bias; got {sums.Length}, {first.Length}, {second.Length} and a bias of {bias.Length}.", nameof(sums));
        }
    }

    private interface IActivation
    {
        static abstract Vector256<double> Value(Vector256<double> x);

        static abstract double Value(double x);

        /// <summary>f'(x), given y = f(x).</summary>
        static abstract Vector256<double> Slope(Vector256<double> x, Vector256<double> y);

        static abstract double Slope(double x, double y);

        /// <summary>f''(x), given y = f(x) and slope = f'(x).</summary>
        static abstract Vector256<double> Curvature(Vector256<double> y, Vector256<double> slope);

        static abstract double Curvature(double y, double slope);
    }

    private readonly struct TanhFunction : IActivation
    {
        public static Vector256<double> Value(Vector256<double> x) => Tanh(x);

        public static double Value(double x) => Math.Tanh(x);

        public static Vector256<double> Slope(Vector256<double> x, Vector256<double> y) => Vector256<double>.One - (y * y);

        public static double Slope(double x, double y) => 1.0 - (y * y);

        public static Vector256<double> Curvature(Vector256<double> y, Vector256<double> slope) => Vector256.Create(-2.0) * y * slope;

        public static double Curvature(double y, double slope) => -2.0 * y * slope;
    }

    private readonly struct SigmoidFunction : IActivation
    {
        public static Vector256<double> Value(Vector256<double> x) => Vector256<double>.One / (Vector256<double>.One + Vector256.Exp(-x));

        public static double Value(double x) => LayerMath.Sigmoid(x);

        public static Vector256<double> Slope(Vector256<double> x, Vector256<double> y) => y * (Vector256<double>.One - y);

        public static double Slope(double x, double y) => y * (1.0 - y);

        public static Vector256<double> Curvature(Vector256<double> y, Vector256<double> slope) => slope * (Vector256<double>.One - (Vector256.Create(2.0) * y));

        public static double Curvature(double y, double slope) => slope * (1.0 - (2.0 * y));
    }

    // NaN > 0 is false: a NaN sum gives 0 and slope 0, like LayerMath.Relu and the step.
    private readonly struct ReluFunction : IActivation
    {
        public static Vector256<double> Value(Vector256<double> x) => Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<double>.Zero), x, Vector256<double>.Zero);

        public static double Value(double x) => LayerMath.Relu(x);

        public static Vector256<double> Slope(Vector256<double> x, Vector256<double> y) =>
            Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<double>.Zero), Vector256<double>.One, Vector256<double>.Zero);

        public static double Slope(double x, double y) => x > 0.0 ? 1.0 : 0.0;

        // The step is flat on both sides of its jump, where the derivative of a step is taken as zero.
        public static Vector256<double> Curvature(Vector256<double> y, Vector256<double> slope) => Vector256<double>.Zero;

        public static double Curvature(double y, double slope) => 0.0;
    }
}
