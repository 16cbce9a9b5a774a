using System.Collections.Generic;
using System.Globalization;

namespace HessianCodegen.Generator.Emission;

/// <summary>Hands out unique C# identifiers within one generated method, preferring the hint as given.</summary>
internal sealed class NameScope
{
    private readonly HashSet<string> _taken;

    // The last suffix given for each hint: names are only ever added, so the first free suffix never
    // goes down, and the search resumes there instead of rescanning from 1 (linear, not quadratic).
    private readonly Dictionary<string, int> _lastSuffix = new();

    public NameScope(IEnumerable<string> reserved) => _taken = new HashSet<string>(reserved);

    public string Claim(string hint)
    {
        _lastSuffix.TryGetValue(hint, out int suffix);
        string name = suffix == 0 ? hint : hint + suffix.ToString(CultureInfo.InvariantCulture);
        while (_taken.Contains(name) || Keywords.Contains(name))
        {
            suffix++;
            name = hint + suffix.ToString(CultureInfo.InvariantCulture);
        }

        _lastSuffix[hint] = suffix;
        _taken.Add(name);
        return name;
    }

    private static readonly HashSet<string> Keywords = new()
    {
        "int", "double", "for", "if", "in", "is", "as", "do", "out", "ref", "new", "this", "base", "var", "default", "checked",
    };
}
