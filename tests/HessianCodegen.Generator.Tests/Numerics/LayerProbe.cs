namespace HessianCodegen.Generator.Tests.Numerics;

/// <summary>
/// Calls the <see cref="IHessianLayer"/> members at a <see cref="LayerPoint"/> into fresh arrays, so
/// that tests read as math. Add* members start from zero; overwrite members from NaN, so that an
/// entry they forget to write shows up. Before each call the shared array pool is filled with NaN
/// arrays, so that generated code relying on a rented temporary being zero shows up too.
/// </summary>
internal static class LayerProbe
{
    // Rented temporaries of more than 128 elements come from these pool buckets (up to 1024).
    private static readonly int[] PoolBucketLengths = [256, 512, 1024];

    private const int ArraysPerBucket = 4;

    /// <summary>Returns NaN-filled arrays to the pool's buckets, where the next rents on this thread find them.</summary>
    public static void PoisonArrayPool()
    {
        var pool = System.Buffers.ArrayPool<double>.Shared;
        foreach (int length in PoolBucketLengths)
        {
            var rented = new double[ArraysPerBucket][];
            for (int k = 0; k < ArraysPerBucket; k++)
            {
                rented[k] = pool.Rent(length);
                System.Array.Fill(rented[k], double.NaN);
            }

            foreach (double[] array in rented)
            {
                pool.Return(array);
            }
        }
    }

    /// <summary><c>f(x; z)</c>.</summary>
    public static double[] Forward(IHessianLayer layer, LayerPoint at)
    {
        var output = NaNs(layer.OutputSize);
        PoisonArrayPool();
        layer.Forward(at.Parameters, at.Input, at.Data, output);
        return output;
    }

    /// <summary><c>b Dz</c>.</summary>
    public static double[] InputAdjoint(IHessianLayer layer, LayerPoint at)
    {
        var result = NaNs(layer.InputSize);
        PoisonArrayPool();
        layer.BackpropInput(at.Parameters, at.Input, at.Data, at.OutputAdjoint, result);
        return result;
    }

    /// <summary><c>b Dx</c>.</summary>
    public static double[] ParameterGradient(IHessianLayer layer, LayerPoint at)
    {
        var result = new double[layer.ParameterCount];
        PoisonArrayPool();
        layer.AddParameterGradient(at.Parameters, at.Input, at.Data, at.OutputAdjoint, result);
        return result;
    }

    /// <summary><c>Dz t + Dx v</c>.</summary>
    public static double[] Tangent(IHessianLayer layer, LayerPoint at)
    {
        var result = NaNs(layer.OutputSize);
        PoisonArrayPool();
        layer.Tangent(at.Parameters, at.Input, at.Data, at.InputTangent, at.ParameterDirection, result);
        return result;
    }

    /// <summary><c>Xzz t + Xzx^T v</c>.</summary>
    public static double[] SecondOrderInput(IHessianLayer layer, LayerPoint at)
    {
        var result = NaNs(layer.InputSize);
        PoisonArrayPool();
        layer.SecondOrderInput(at.Parameters, at.Input, at.Data, at.OutputAdjoint, at.InputTangent, at.ParameterDirection, result);
        return result;
    }

    /// <summary><c>Xxx v + Xzx t</c>.</summary>
    public static double[] SecondOrderParameters(IHessianLayer layer, LayerPoint at)
    {
        var result = new double[layer.ParameterCount];
        PoisonArrayPool();
        layer.AddSecondOrderParameters(at.Parameters, at.Input, at.Data, at.OutputAdjoint, at.InputTangent, at.ParameterDirection, result);
        return result;
    }

    /// <summary>The dense <c>Dx</c> (<c>a x p</c>) and <c>Dz</c> (<c>a x a_in</c>).</summary>
    public static (double[] Dx, double[] Dz) Jacobians(IHessianLayer layer, LayerPoint at)
    {
        var dx = new double[layer.OutputSize * layer.ParameterCount];
        var dz = new double[layer.OutputSize * layer.InputSize];
        PoisonArrayPool();
        layer.AddJacobians(at.Parameters, at.Input, at.Data, dx, dz);
        return (dx, dz);
    }

    /// <summary>The dense <c>Xxx</c> (<c>p x p</c>), <c>Xzx</c> (<c>p x a_in</c>) and <c>Xzz</c> (<c>a_in x a_in</c>).</summary>
    public static (double[] Xxx, double[] Xzx, double[] Xzz) SecondDerivatives(IHessianLayer layer, LayerPoint at)
    {
        var xxx = new double[layer.ParameterCount * layer.ParameterCount];
        var xzx = new double[layer.ParameterCount * layer.InputSize];
        var xzz = new double[layer.InputSize * layer.InputSize];
        PoisonArrayPool();
        layer.AddSecondDerivatives(at.Parameters, at.Input, at.Data, at.OutputAdjoint, xxx, xzx, xzz);
        return (xxx, xzx, xzz);
    }

    private static double[] NaNs(int length)
    {
        var values = new double[length];
        System.Array.Fill(values, double.NaN);
        return values;
    }
}
