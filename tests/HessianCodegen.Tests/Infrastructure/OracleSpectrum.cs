using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;

namespace HessianCodegen.Tests.Infrastructure;

/// <summary>
/// The spectral fields of a reference case: the whole spectrum of <c>H</c> and, per solve, the inertia
/// and <c>log |det|</c> of <c>H + epsilon I</c> that PyTorch computed.
/// </summary>
public sealed record OracleSpectrum(double[] HessianEigenvalues, IReadOnlyList<OracleSpectrum.Solve> Solves)
{
    public static OracleSpectrum Load(string name)
    {
        using JsonDocument document = JsonDocument.Parse(File.ReadAllText(OracleFiles.PathOf(name)));
        JsonElement root = document.RootElement;
        double[] spectrum = Required(root, "hessian_eigenvalues", name).EnumerateArray().Select(value => value.GetDouble()).ToArray();
        var solves = new List<Solve>();
        foreach (JsonElement solve in Required(root, "solves", name).EnumerateArray())
        {
            solves.Add(new Solve(
                Required(solve, "epsilon", name).GetDouble(),
                Required(solve, "positive_eigenvalues", name).GetInt32(),
                Required(solve, "negative_eigenvalues", name).GetInt32(),
                Required(solve, "log_abs_determinant", name).GetDouble()));
        }

        return new OracleSpectrum(spectrum, solves);
    }

    private static JsonElement Required(JsonElement parent, string field, string name) =>
        parent.TryGetProperty(field, out JsonElement value)
            ? value
            : throw new InvalidDataException($"The oracle case {name} has no field '{field}'; expected the spectral fields of ../shared/oracle/README.md.");

    /// <summary>One solve's spectral facts.</summary>
    public sealed record Solve(double Epsilon, int PositiveEigenvalues, int NegativeEigenvalues, double LogAbsoluteDeterminant);
}
