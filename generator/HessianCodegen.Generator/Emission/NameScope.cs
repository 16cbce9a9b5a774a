using System.Collections.Generic;
using System.Globalization;

namespace HessianCodegen.Generator.Emission;

/// <summary>Hands out unique C# identifiers within one generated method, preferring the hint as given.</summary>
internal sealed class NameScope
{
    private readonly HashSet<string> _taken;

    public NameScope(IEnumerable<string> reserved) => _taken = new HashSet<string>(reserved);

    public string Claim(string hint)
    {
        string name = hint;
        for (int suffix = 1; _taken.Contains(name) || Keywords.Contains(name); suffix++)
        {
            name = hint + suffix.ToString(CultureInfo.InvariantCulture);
        }

        _taken.Add(name);
        return name;
    }

    private static readonly HashSet<string> Keywords = new()
    {
        "int", "double", "for", "if", "in", "is", "as", "do", "out", "ref", "new", "this", "base", "var", "default", "checked",
    };
}
