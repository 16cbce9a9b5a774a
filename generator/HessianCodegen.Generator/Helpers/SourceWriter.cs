using System;
using System.Collections.Generic;
using System.Text;

namespace HessianCodegen.Generator.Helpers;

/// <summary>
/// An indenting writer for emitted C#: one line at a time, four spaces per level. Lines are kept
/// with their indentation and joined once at the end, so nesting one writer in another copies nothing.
/// </summary>
internal sealed class SourceWriter
{
    private readonly List<(int Indentation, string Text)> _lines = new();

    public int Indentation { get; set; }

    public void WriteLine(string line) => _lines.Add((Indentation, line));

    public void WriteLine() => _lines.Add((0, string.Empty));

    /// <summary>Writes <paramref name="header"/> and an opening brace, and indents until the returned scope ends.</summary>
    public BlockScope Block(string header)
    {
        WriteLine(header);
        WriteLine("{");
        Indentation++;
        return new BlockScope(this);
    }

    /// <summary>Appends another writer's lines, indented by this writer's current level; trailing blank lines are dropped.</summary>
    public void WriteIndented(SourceWriter inner)
    {
        int count = inner._lines.Count;
        while (count > 0 && inner._lines[count - 1].Text.Length == 0)
        {
            count--;
        }

        for (int k = 0; k < count; k++)
        {
            (int indentation, string text) = inner._lines[k];
            _lines.Add((text.Length == 0 ? 0 : indentation + Indentation, text));
        }
    }

    /// <summary>A copy with every line's text mapped (the indentation kept).</summary>
    public SourceWriter Map(System.Func<string, string> line)
    {
        var mapped = new SourceWriter { Indentation = Indentation };
        foreach ((int indentation, string text) in _lines)
        {
            mapped._lines.Add((indentation, line(text)));
        }

        return mapped;
    }

    public override string ToString()
    {
        var text = new StringBuilder();
        foreach ((int indentation, string line) in _lines)
        {
            if (line.Length > 0)
            {
                text.Append(' ', 4 * indentation);
                text.Append(line);
            }

            text.Append('\n');
        }

        return text.ToString();
    }

    public readonly struct BlockScope : IDisposable
    {
        private readonly SourceWriter _writer;

        public BlockScope(SourceWriter writer) => _writer = writer;

        public void Dispose()
        {
            _writer.Indentation--;
            _writer.WriteLine("}");
        }
    }
}
