using System;
using Xunit;

namespace HessianCodegen.Generator.Tests.Numerics;

/// <summary>
/// The contract's two kinds of members: <c>Add*</c> accumulate (called twice on a zeroed result
/// they give twice the value), the others overwrite (garbage in the result does not leak).
/// </summary>
public sealed class AccumulationTests
{
    public static TheoryData<string> Cases => LayerCases.Ids;

    [Theory]
    [MemberData(nameof(Cases))]
    public void AddMembersAccumulate(string id)
    {
        var layerCase = LayerCases.All[id];
        var layer = layerCase.Create();
        var at = layerCase.Point();
        int p = layer.ParameterCount;
        int a = layer.OutputSize;
        int aIn = layer.InputSize;

        AssertDoublesOnSecondCall("AddParameterGradient", p,
            result => layer.AddParameterGradient(at.Parameters, at.Input, at.Data, at.OutputAdjoint, result));
        AssertDoublesOnSecondCall("AddSecondOrderParameters", p,
            result => layer.AddSecondOrderParameters(at.Parameters, at.Input, at.Data, at.OutputAdjoint, at.InputTangent, at.ParameterDirection, result));
        AssertDoublesOnSecondCall("AddJacobians", a * p + a * aIn,
            result => layer.AddJacobians(at.Parameters, at.Input, at.Data, result.AsSpan(0, a * p), result.AsSpan(a * p)));
        AssertDoublesOnSecondCall("AddSecondDerivatives", p * p + p * aIn + aIn * aIn,
            result => layer.AddSecondDerivatives(at.Parameters, at.Input, at.Data, at.OutputAdjoint,
                result.AsSpan(0, p * p), result.AsSpan(p * p, p * aIn), result.AsSpan(p * p + p * aIn)));
    }

    /// <summary>
    /// AddSecondDerivatives visits one triangle of a symmetric block and adds to both places: what the
    /// buffers held before is kept entry by entry, even when it is not symmetric (a triangle copied onto
    /// the other after the loop would overwrite it).
    /// </summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void SecondDerivativesAddToWhatTheBlocksHeldEvenWhenNotSymmetric(string id)
    {
        var layerCase = LayerCases.All[id];
        var layer = layerCase.Create();
        var at = layerCase.Point();
        int p = layer.ParameterCount;
        int aIn = layer.InputSize;
        int length = p * p + p * aIn + aIn * aIn;

        var fromZero = new double[length];
        Call(fromZero);
        var held = new double[length];
        for (int k = 0; k < length; k++)
        {
            // Distinct in every entry, so no block of it is symmetric.
            held[k] = 1.0 + 0.001 * k;
        }

        var fromHeld = (double[])held.Clone();
        Call(fromHeld);

        DenseAlgebra.AssertClose("AddSecondDerivatives on non-symmetric blocks", fromHeld, DenseAlgebra.Add(held, fromZero), 1e-14);

        void Call(double[] result) => layer.AddSecondDerivatives(at.Parameters, at.Input, at.Data, at.OutputAdjoint,
            result.AsSpan(0, p * p), result.AsSpan(p * p, p * aIn), result.AsSpan(p * p + p * aIn));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void OverwritingMembersIgnoreWhatTheResultHeld(string id)
    {
        var layerCase = LayerCases.All[id];
        var layer = layerCase.Create();
        var at = layerCase.Point();

        AssertOverwrites("Forward", layer.OutputSize,
            result => layer.Forward(at.Parameters, at.Input, at.Data, result));
        AssertOverwrites("BackpropInput", layer.InputSize,
            result => layer.BackpropInput(at.Parameters, at.Input, at.Data, at.OutputAdjoint, result));
        AssertOverwrites("Tangent", layer.OutputSize,
            result => layer.Tangent(at.Parameters, at.Input, at.Data, at.InputTangent, at.ParameterDirection, result));
        AssertOverwrites("SecondOrderInput", layer.InputSize,
            result => layer.SecondOrderInput(at.Parameters, at.Input, at.Data, at.OutputAdjoint, at.InputTangent, at.ParameterDirection, result));
    }

    private static void AssertDoublesOnSecondCall(string member, int length, Action<double[]> call)
    {
        var once = new double[length];
        call(once);
        var twice = new double[length];
        call(twice);
        call(twice);

        // Round-off only: a member may add several terms into one entry, and (a + b) + a + b is not 2 (a + b) exactly.
        DenseAlgebra.AssertClose($"{member} called twice", twice, DenseAlgebra.Add(once, once), 1e-14);
    }

    private static void AssertOverwrites(string member, int length, Action<double[]> call)
    {
        var fromZero = new double[length];
        call(fromZero);
        var fromGarbage = new double[length];
        Array.Fill(fromGarbage, 12345.678);
        call(fromGarbage);

        Assert.Equal(fromZero, fromGarbage);
    }
}
