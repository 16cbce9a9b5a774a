using System.Collections.Generic;
using System.IO;
using System.Text.Json;

namespace OracleCheck;

/// <summary>
/// What the oracle says of <c>H + eps I</c> at each of its solves beyond the solution, which
/// <see cref="HessianCodegen.ReferenceCase"/> does not read: its inertia (from the eigenvalues of
/// <c>H</c>) and <c>log |det(H + eps I)|</c>.
/// </summary>
/// <param name="Epsilon">The solve's damping.</param>
/// <param name="Negative">Eigenvalues of <c>H + eps I</c> below zero.</param>
/// <param name="Positive">Eigenvalues of <c>H + eps I</c> above zero.</param>
/// <param name="LogAbsDeterminant"><c>log |det(H + eps I)|</c>.</param>
internal sealed record SolveSpectrum(double Epsilon, int Negative, int Positive, double LogAbsDeterminant)
{
    /// <summary>The sign of <c>det(H + eps I)</c> the inertia implies: <c>(-1)^Negative</c>.</summary>
    public int DeterminantSign => Negative % 2 == 0 ? 1 : -1;

    /// <summary>One per entry of the case's <c>solves</c>, in order.</summary>
    /// <exception cref="InvalidDataException">A solve lacks one of the fields.</exception>
    public static IReadOnlyList<SolveSpectrum> Load(string path)
    {
        using JsonDocument document = JsonDocument.Parse(File.ReadAllText(path));
        var spectra = new List<SolveSpectrum>();
        foreach (JsonElement solve in document.RootElement.GetProperty("solves").EnumerateArray())
        {
            spectra.Add(new SolveSpectrum(
                Required(solve, "epsilon", path).GetDouble(),
                Required(solve, "negative_eigenvalues", path).GetInt32(),
                Required(solve, "positive_eigenvalues", path).GetInt32(),
                Required(solve, "log_abs_determinant", path).GetDouble()));
        }

        return spectra;
    }

    private static JsonElement Required(JsonElement solve, string name, string path) =>
        solve.TryGetProperty(name, out JsonElement value)
            ? value
            : throw new InvalidDataException($"{path}: a solve lacks the field '{name}' (../shared/oracle/README.md).");
}
