using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.IO.Compression;

namespace Training;

/// <summary>
/// Reads the digits data (Data/README.md): one example per line, 64 pixel counts 0..16 and then the
/// digit 0..9. Pixels are scaled to [0, 1].
/// </summary>
internal static class DigitsData
{
    public const int Pixels = 64;
    public const int Classes = 10;
    private const double MaxPixel = 16;

    /// <summary>The data file beside the program.</summary>
    public static string DefaultPath => Path.Combine(AppContext.BaseDirectory, "Data", "digits.csv.gz");

    /// <exception cref="InvalidDataException">A line does not hold 64 pixels in [0, 16] and a digit.</exception>
    public static LabeledSet Load(string path)
    {
        using var file = File.OpenRead(path);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var reader = new StreamReader(gzip);
        var rows = new List<double[]>();
        var labels = new List<int>();
        string? line;
        int number = 0;
        while ((line = reader.ReadLine()) is not null)
        {
            number++;
            if (line.Length == 0)
            {
                continue;
            }

            string[] fields = line.Split(',');
            if (fields.Length != Pixels + 1)
            {
                throw new InvalidDataException($"{path}, line {number}: {fields.Length} fields; expected {Pixels} pixels and a label.");
            }

            var row = new double[Pixels];
            for (int j = 0; j < Pixels; j++)
            {
                if (!double.TryParse(fields[j], NumberStyles.Float, CultureInfo.InvariantCulture, out double pixel) || pixel < 0 || pixel > MaxPixel)
                {
                    throw new InvalidDataException($"{path}, line {number}: pixel {j} is '{fields[j]}'; expected a number in [0, {MaxPixel}].");
                }

                row[j] = pixel / MaxPixel;
            }

            if (!int.TryParse(fields[Pixels], NumberStyles.Integer, CultureInfo.InvariantCulture, out int label) || label < 0 || label >= Classes)
            {
                throw new InvalidDataException($"{path}, line {number}: label is '{fields[Pixels]}'; expected a digit 0..9.");
            }

            rows.Add(row);
            labels.Add(label);
        }

        var inputs = new double[rows.Count, Pixels];
        for (int i = 0; i < rows.Count; i++)
        {
            for (int j = 0; j < Pixels; j++)
            {
                inputs[i, j] = rows[i][j];
            }
        }

        return new LabeledSet(inputs, [.. labels]);
    }
}
