using System;
using System.Runtime.Intrinsics;

namespace HessianCodegen.LinearAlgebra;

/// <summary>
/// The chain rule through an element-wise activation <c>y = f(u)</c>, <c>u = Wz + c</c>, over a batch (one
/// row per example), given the slopes <c>f'(u)</c> and curvatures <c>f''(u)</c> of
/// <see cref="ActivationKernels"/>: the tangent of <c>y</c>, and the adjoint and adjoint-tangent of
/// <c>u</c> that <c>H v</c>'s backward sweep carries on through <c>W</c> (docs/algorithm.md section 4).
/// Four values at a time; each value is computed in the same order of operations as the scalar formula
/// its summary gives, so vector and scalar paths agree exactly.
/// </summary>
internal static class ActivationChainRule
{
    /// <summary>
    /// <c>argumentTangents[n, i] += biasDirection[i]</c> (nothing when <paramref name="biasDirection"/> is
    /// empty), making them the tangents of <c>u</c>, then <c>outputTangents = slopes argumentTangents</c>.
    /// </summary>
    public static void Tangents(ReadOnlySpan<double> slopes, ReadOnlySpan<double> biasDirection, Span<double> argumentTangents, Span<double> outputTangents)
    {
        if (argumentTangents.Length != slopes.Length || outputTangents.Length != slopes.Length || (!biasDirection.IsEmpty && slopes.Length % biasDirection.Length != 0))
        {
            throw new ArgumentException(
                $"An activation's tangents need slopes, argument tangents and output tangents of one length, in rows of the bias direction; got {slopes.Length}, {argumentTangents.Length}, {outputTangents.Length} and a bias direction of {biasDirection.Length}.",
                nameof(argumentTangents));
        }

        int width = biasDirection.IsEmpty ? slopes.Length : biasDirection.Length;
        for (int start = 0; start < slopes.Length; start += width)
        {
            int k = 0;
            for (; k + Vector256<double>.Count <= width; k += Vector256<double>.Count)
            {
                Span<double> argument = argumentTangents.Slice(start + k);
                Vector256<double> tangent = Vector256.Create((ReadOnlySpan<double>)argument);
                if (!biasDirection.IsEmpty)
                {
                    tangent += Vector256.Create(biasDirection.Slice(k));
                    tangent.CopyTo(argument);
                }

                (Vector256.Create(slopes.Slice(start + k)) * tangent).CopyTo(outputTangents.Slice(start + k));
            }

            for (; k < width; k++)
            {
                if (!biasDirection.IsEmpty)
                {
                    argumentTangents[start + k] += biasDirection[k];
                }

                outputTangents[start + k] = slopes[start + k] * argumentTangents[start + k];
            }
        }
    }

    /// <summary>
    /// <c>adjoints = b f'</c> and <c>adjointTangents = (b f'') argumentTangents + s f'</c>, element by element,
    /// with <c>b</c> the output adjoints and <c>s</c> the output adjoint-tangents (the term absent when
    /// <paramref name="outputAdjointTangents"/> is empty: none enter the last layer).
    /// </summary>
    public static void AdjointTangents(ReadOnlySpan<double> outputAdjoints, ReadOnlySpan<double> outputAdjointTangents, ReadOnlySpan<double> slopes,
        ReadOnlySpan<double> curvatures, ReadOnlySpan<double> argumentTangents, Span<double> adjoints, Span<double> adjointTangents)
    {
        int length = outputAdjoints.Length;
        if ((!outputAdjointTangents.IsEmpty && outputAdjointTangents.Length != length) || slopes.Length != length || curvatures.Length != length
            || argumentTangents.Length != length || adjoints.Length != length || adjointTangents.Length != length)
        {
            throw new ArgumentException(
                $"An activation's adjoint-tangents need spans of one length (the output adjoint-tangents may be empty); got output adjoints {length}, output adjoint-tangents {outputAdjointTangents.Length}, slopes {slopes.Length}, curvatures {curvatures.Length}, argument tangents {argumentTangents.Length}, adjoints {adjoints.Length} and adjoint-tangents {adjointTangents.Length}.",
                nameof(adjointTangents));
        }

        bool withAdjointTangents = !outputAdjointTangents.IsEmpty;
        int k = 0;
        for (; k + Vector256<double>.Count <= length; k += Vector256<double>.Count)
        {
            Vector256<double> adjoint = Vector256.Create(outputAdjoints.Slice(k));
            Vector256<double> slope = Vector256.Create(slopes.Slice(k));
            (adjoint * slope).CopyTo(adjoints.Slice(k));
            Vector256<double> adjointTangent = adjoint * Vector256.Create(curvatures.Slice(k)) * Vector256.Create(argumentTangents.Slice(k));
            if (withAdjointTangents)
            {
                adjointTangent += Vector256.Create(outputAdjointTangents.Slice(k)) * slope;
            }

            adjointTangent.CopyTo(adjointTangents.Slice(k));
        }

        for (; k < length; k++)
        {
            adjoints[k] = outputAdjoints[k] * slopes[k];
            double adjointTangent = outputAdjoints[k] * curvatures[k] * argumentTangents[k];
            adjointTangents[k] = withAdjointTangents ? adjointTangent + (outputAdjointTangents[k] * slopes[k]) : adjointTangent;
        }
    }
}
