using System.Globalization;

namespace HessianCodegen.Generator.Emission;

/// <summary>How numbers are spelled in emitted C#: invariant culture, round-trip, always a double literal.</summary>
internal static class CodeLiterals
{
    public static string Double(double value)
    {
        string text = value.ToString("R", CultureInfo.InvariantCulture);
        return text.Contains(".") || text.Contains("E") || text.Contains("e") || text.Contains("N") || text.Contains("I")
            ? text
            : text + ".0";
    }

    public static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);
}
