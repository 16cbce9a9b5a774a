using System;
using HessianCodegen.LinearAlgebra;
using HessianCodegen.Tests.Infrastructure;
using Xunit;

namespace HessianCodegen.Tests;

/// <summary>
/// <see cref="GroupInverseKernel"/>.Form, <c>G = Q^T L^-1</c> of a low-rank group, against plain references: <c>L^-1</c> by forward
/// substitution on the identity's columns, <c>Q</c> multiplied out from its reflectors as dense <c>I - tau v v^T</c>, and
/// <c>Q^T L^-1</c> by a plain triple loop, each with <see cref="System.Numerics.Vector{T}"/>'s fused multiply-adds and with plain loops.
/// Orders below, at and across four vectors and one of <see cref="System.Numerics.Vector{T}"/> at 256 and 512 bits (1 to 40), fewer and
/// more rows than parameters, no rows (<c>G = L^-1</c>), and a reflector with <c>tau = 0</c> (its vector NaN, so that it must be skipped).
/// <see cref="System.Numerics.Vector{T}"/> holds 4 values unless the tests run with <c>DOTNET_MaxVectorTBitWidth=512</c> on an AVX-512
/// machine (8; <c>DOTNET_PreferredVectorBitWidth</c> leaves it at 4).
/// </summary>
public sealed class GroupInverseKernelTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 2)]
    [InlineData(4, 4)]
    [InlineData(5, 8)]
    [InlineData(9, 8)]
    [InlineData(16, 8)]
    [InlineData(17, 8)]
    [InlineData(17, 20)]
    [InlineData(24, 3)]
    [InlineData(33, 8)]
    [InlineData(40, 8)]
    [InlineData(17, 0)]
    public void Matches_the_reflectors_multiplied_out_on_the_inverse(int q, int c) => Check(q, c, zeroTau: false);

    [Theory]
    [InlineData(17, 8)]
    [InlineData(5, 3)]
    public void Skips_a_reflector_whose_tau_is_zero(int q, int c) => Check(q, c, zeroTau: true);

    [Fact]
    public void Refuses_storage_of_the_wrong_size()
    {
        double[] l = [1, 0, 0, 1];
        Assert.Throws<ArgumentException>(() => GroupInverseKernel.Form(l, 2, new double[2], 1, [0.5], new double[3], new double[2]));
        Assert.Throws<ArgumentException>(() => GroupInverseKernel.Form(l, 2, new double[2], 1, [0.5], new double[4], new double[1]));
        Assert.Throws<ArgumentException>(() => GroupInverseKernel.Form(l, 2, new double[2], 1, [0.5, 0.5], new double[4], new double[2]));
        Assert.Throws<ArgumentException>(() => GroupInverseKernel.Form(l.AsSpan(0, 3), 2, new double[2], 1, [0.5], new double[4], new double[2]));
        Assert.Throws<ArgumentException>(() => GroupInverseKernel.Form(l, 2, new double[1], 1, [0.5], new double[4], new double[2]));
    }

    [Fact]
    public void Refuses_a_negative_order()
    {
        // q = -2 makes q x q match the four values given: only the sign check (and the bound on tau) can refuse it.
        double[] l = [1, 0, 0, 1];
        Assert.Throws<ArgumentException>(() => GroupInverseKernel.Form(l, -2, new double[2], 1, [], new double[4], new double[2]));
        Assert.Throws<ArgumentException>(() => GroupInverseKernel.Form(l, 2, new double[2], -2, [], new double[4], new double[2]));
    }

    private static void Check(int q, int c, bool zeroTau)
    {
        var random = new Random((q * 100) + c);
        int k = Math.Min(q, c);

        // A well-conditioned L (NaN above the diagonal: must not be read) and a group's reflectors from the QR of random rows.
        double[] l = new double[q * q];
        for (int i = 0; i < q; i++)
        {
            for (int j = 0; j < q; j++)
            {
                l[(i * q) + j] = j < i ? (random.NextDouble() - 0.5) / q : j == i ? 1 + random.NextDouble() : double.NaN;
            }
        }

        double[] reflectors = RandomValues.Uniform(random, q * c);
        double[] tau = new double[k];
        HouseholderKernel.Factor(reflectors, q, c, tau, new double[Math.Max(c, 1)]);
        if (zeroTau)
        {
            // Its vector NaN below the diagonal: any use of the reflector (a zero multiple of it included) would show.
            tau[k / 2] = 0;
            for (int i = (k / 2) + 1; i < q; i++)
            {
                reflectors[(i * c) + (k / 2)] = double.NaN;
            }
        }

        // L^-1 by forward substitution, column by column of the identity.
        double[] lInverse = new double[q * q];
        for (int column = 0; column < q; column++)
        {
            for (int i = 0; i < q; i++)
            {
                double sum = i == column ? 1 : 0;
                for (int t = 0; t < i; t++)
                {
                    sum -= l[(i * q) + t] * lInverse[(t * q) + column];
                }

                lInverse[(i * q) + column] = sum / l[(i * q) + i];
            }
        }

        // Q = H_0 H_1 ... H_{k-1}, each H_j = I - tau_j v_j v_j^T formed dense (H_j = I where tau_j = 0).
        double[] qMatrix = Identity(q);
        for (int j = 0; j < k; j++)
        {
            if (tau[j] == 0)
            {
                continue;
            }

            double[] v = new double[q];
            v[j] = 1;
            for (int i = j + 1; i < q; i++)
            {
                v[i] = reflectors[(i * c) + j];
            }

            double[] h = Identity(q);
            for (int a = 0; a < q; a++)
            {
                for (int b = 0; b < q; b++)
                {
                    h[(a * q) + b] -= tau[j] * v[a] * v[b];
                }
            }

            qMatrix = Multiply(qMatrix, h, q);
        }

        double[] expected = new double[q * q];
        for (int a = 0; a < q; a++)
        {
            for (int b = 0; b < q; b++)
            {
                double sum = 0;
                for (int t = 0; t < q; t++)
                {
                    sum += qMatrix[(t * q) + a] * lInverse[(t * q) + b];
                }

                expected[(a * q) + b] = sum;
            }
        }

        foreach (bool vectors in (bool[])[true, false])
        {
            double[] actual = new double[q * q];
            actual.AsSpan().Fill(double.NaN); // written whole
            GroupInverseKernel.Form(l, q, reflectors, c, tau, actual, new double[q], vectors);
            for (int i = 0; i < actual.Length; i++)
            {
                Assert.True(Math.Abs(actual[i] - expected[i]) <= 1e-14 * q,
                    $"q {q}, c {c}, vectors {vectors}: G[{i / q}, {i % q}] = {actual[i]:R}, expected {expected[i]:R}");
            }
        }
    }

    private static double[] Identity(int n)
    {
        double[] identity = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            identity[(i * n) + i] = 1;
        }

        return identity;
    }

    private static double[] Multiply(double[] a, double[] b, int n)
    {
        double[] product = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int t = 0; t < n; t++)
                {
                    sum += a[(i * n) + t] * b[(t * n) + j];
                }

                product[(i * n) + j] = sum;
            }
        }

        return product;
    }
}
