using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using HessianCodegen.Generator.Symbolic;

namespace HessianCodegen.Generator.Emission;

/// <summary>
/// What a local of a generated method is for: the IR value it holds (named by <see cref="LocalPurposes"/>
/// once the whole method is planned), else a fixed hint (<c>sum</c>, <c>pooled</c>), or another local's
/// name with a suffix (<c>logSumExpTerms</c>).
/// </summary>
internal sealed record LocalPurpose(string Hint, Node? Value = null, string? SuffixOf = null);

/// <summary>
/// The locals of one method, named in one pass once the method is planned and printed. While it is
/// built, a local is a placeholder that keeps its hint in front (so IR that orders tensors by name keeps
/// its order) and ends in a mark no C# identifier has; <see cref="NameAll"/> then gives every local its
/// name, by purpose, in the order they were asked for, and <see cref="Apply"/> puts the names in the text.
/// </summary>
internal sealed class LocalNames
{
    private const char Open = '\u00AB';
    private const char Close = '\u00BB';

    private readonly List<(string Placeholder, LocalPurpose Purpose)> _requests = new();
    private readonly Dictionary<string, LocalPurpose> _purposeOf = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _names = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _hints = new(StringComparer.Ordinal);

    /// <summary>A placeholder for a local with this purpose, named by <see cref="NameAll"/>.</summary>
    public string Request(LocalPurpose purpose)
    {
        string placeholder = purpose.Hint + Open + _requests.Count.ToString(CultureInfo.InvariantCulture) + Close;
        _requests.Add((placeholder, purpose));
        _purposeOf[placeholder] = purpose;
        return placeholder;
    }

    /// <summary>Whether a name is a placeholder of this method's locals.</summary>
    public bool IsLocal(string name) => _purposeOf.ContainsKey(name);

    /// <summary>
    /// What a local named before is for, as a word to build longer names from (<c>sum</c>, <c>curvatureTimesInput</c>);
    /// null for a local that is not named by a purpose, or not named yet.
    /// </summary>
    public string? HintOf(string placeholder) => _hints.TryGetValue(placeholder, out string? hint) ? hint : null;

    /// <summary>The one naming pass: each local's hint from its purpose, then a unique name in <paramref name="scope"/>.</summary>
    public void NameAll(NameScope scope, Func<Node, string?> nameForValue)
    {
        foreach ((string placeholder, LocalPurpose purpose) in _requests)
        {
            string? byValue = purpose.SuffixOf is null && purpose.Value is not null ? nameForValue(purpose.Value) : null;
            string hint = purpose.SuffixOf is { } owner ? _names[owner] + purpose.Hint : byValue ?? purpose.Hint;

            // A value with no recognised purpose keeps the printer's hint (factor), which names nothing in a longer name.
            if (purpose.Value is null || byValue is not null)
            {
                _hints[placeholder] = hint;
            }

            _names[placeholder] = scope.Claim(hint);
        }
    }

    /// <summary>The text with every placeholder replaced by its local's name.</summary>
    public string Apply(string text)
    {
        if (text.IndexOf(Close) < 0)
        {
            return text;
        }

        var result = new StringBuilder(text.Length);
        int copied = 0;
        for (int end = text.IndexOf(Close); end >= 0; end = text.IndexOf(Close, end + 1))
        {
            int open = text.LastIndexOf(Open, end);
            (string placeholder, LocalPurpose purpose) = _requests[int.Parse(text.Substring(open + 1, end - open - 1), CultureInfo.InvariantCulture)];
            int start = open - purpose.Hint.Length;
            result.Append(text, copied, start - copied);
            result.Append(_names[placeholder]);
            copied = end + 1;
        }

        result.Append(text, copied, text.Length - copied);
        return result.ToString();
    }
}
