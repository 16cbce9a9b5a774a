using System;
using Xunit.Sdk;

namespace HessianCodegen.Generator.Tests.Numerics;

/// <summary>Row-major dense products and the norm-wise error measure the numerical tests use.</summary>
internal static class DenseAlgebra
{
    /// <summary>
    /// Norms below this count as this: a block that is exactly zero (a linear layer's <c>Xxx</c>)
    /// must then be matched to about <c>tolerance * 1e-8</c> absolutely instead of dividing by zero.
    /// </summary>
    public const double NormFloor = 1e-8;

    /// <summary><c>A x</c> for <c>A</c> of shape <c>rows x x.Length</c>.</summary>
    public static double[] Multiply(double[] a, int rows, double[] x)
    {
        int columns = x.Length;
        RequireShape(a, rows, columns);
        var result = new double[rows];
        for (int i = 0; i < rows; i++)
        {
            double sum = 0.0;
            for (int j = 0; j < columns; j++)
            {
                sum += a[i * columns + j] * x[j];
            }

            result[i] = sum;
        }

        return result;
    }

    /// <summary><c>A^T y</c> for <c>A</c> of shape <c>y.Length x columns</c>.</summary>
    public static double[] MultiplyTransposed(double[] a, int columns, double[] y) =>
        Multiply(Transpose(a, y.Length, columns), columns, y);

    /// <summary>The transpose of <c>A</c> (<c>rows x columns</c>).</summary>
    public static double[] Transpose(double[] a, int rows, int columns)
    {
        RequireShape(a, rows, columns);
        var result = new double[a.Length];
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < columns; j++)
            {
                result[j * rows + i] = a[i * columns + j];
            }
        }

        return result;
    }

    /// <summary>Entrywise sum.</summary>
    public static double[] Add(double[] x, double[] y)
    {
        var result = new double[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            result[i] = x[i] + y[i];
        }

        return result;
    }

    /// <summary><c>||actual - expected|| / max(||expected||, NormFloor)</c> in the 2-norm (Frobenius for matrices).</summary>
    public static double RelativeError(double[] actual, double[] expected)
    {
        if (actual.Length != expected.Length)
        {
            throw new XunitException($"Compared lengths differ: actual has {actual.Length} entries, expected {expected.Length}.");
        }

        double difference = 0.0;
        double reference = 0.0;
        for (int i = 0; i < actual.Length; i++)
        {
            difference += (actual[i] - expected[i]) * (actual[i] - expected[i]);
            reference += expected[i] * expected[i];
        }

        return Math.Sqrt(difference) / Math.Max(Math.Sqrt(reference), NormFloor);
    }

    /// <summary>Fails with the quantity's name and both values unless the relative error is below <paramref name="tolerance"/>.</summary>
    public static void AssertClose(string quantity, double[] actual, double[] expected, double tolerance)
    {
        double error = RelativeError(actual, expected);
        if (!(error < tolerance))
        {
            throw new XunitException(
                $"{quantity}: relative error {error:E2} is not below {tolerance:E0}.{Environment.NewLine}" +
                $"  actual:   [{string.Join(", ", actual)}]{Environment.NewLine}" +
                $"  expected: [{string.Join(", ", expected)}]");
        }
    }

    /// <summary>
    /// Fails unless every row of <paramref name="actual"/> (<c>rows x columns</c>, row-major) is within
    /// <paramref name="tolerance"/> of the same row of <paramref name="expected"/>, relative to that
    /// row's norm or 1, whichever is larger (the functions here are O(1), so a row that is zero or
    /// nearly so is held to <paramref name="tolerance"/> absolutely). A wrong small row cannot hide
    /// under a large one, as it can in a norm over the whole block.
    /// </summary>
    public static void AssertRowsClose(string quantity, double[] actual, double[] expected, int columns, double tolerance) =>
        AssertRowsClose(quantity, actual, expected, columns, tolerance, floor: 1.0);

    /// <summary>As above, with rows whose norm is below <paramref name="floor"/> held to <c>tolerance * floor</c> absolutely.</summary>
    public static void AssertRowsClose(string quantity, double[] actual, double[] expected, int columns, double tolerance, double floor)
    {
        if (actual.Length != expected.Length || (columns > 0 && actual.Length % columns != 0))
        {
            throw new XunitException($"{quantity}: actual has {actual.Length} entries, expected {expected.Length} in rows of {columns}.");
        }

        for (int row = 0; columns > 0 && row < actual.Length / columns; row++)
        {
            double[] actualRow = actual.AsSpan(row * columns, columns).ToArray();
            double[] expectedRow = expected.AsSpan(row * columns, columns).ToArray();
            double difference = 0.0;
            double reference = 0.0;
            for (int j = 0; j < columns; j++)
            {
                difference += (actualRow[j] - expectedRow[j]) * (actualRow[j] - expectedRow[j]);
                reference += expectedRow[j] * expectedRow[j];
            }

            double error = Math.Sqrt(difference) / Math.Max(Math.Sqrt(reference), floor);
            if (!(error <= tolerance))
            {
                throw new XunitException(
                    $"{quantity}, row {row}: error {error:E2} (relative to max(row norm, {floor:G3})) is above {tolerance:E0}.{Environment.NewLine}" +
                    $"  actual:   [{string.Join(", ", actualRow)}]{Environment.NewLine}" +
                    $"  expected: [{string.Join(", ", expectedRow)}]");
            }
        }
    }

    private static void RequireShape(double[] a, int rows, int columns)
    {
        if (a.Length != rows * columns)
        {
            throw new ArgumentException($"A {rows} x {columns} matrix needs {rows * columns} entries; got {a.Length}.", nameof(a));
        }
    }
}
