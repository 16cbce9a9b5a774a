using System;
using System.Text;

namespace HessianCodegen.Generator.Helpers;

/// <summary>An indenting text writer for emitted C#: one line at a time, four spaces per level.</summary>
internal sealed class SourceWriter
{
    private readonly StringBuilder _text = new();

    public int Indentation { get; set; }

    public void WriteLine(string line)
    {
        if (line.Length > 0)
        {
            _text.Append(' ', 4 * Indentation);
            _text.Append(line);
        }

        _text.Append('\n');
    }

    public void WriteLine() => _text.Append('\n');

    /// <summary>Writes <paramref name="header"/> and an opening brace, and indents until the returned scope ends.</summary>
    public BlockScope Block(string header)
    {
        WriteLine(header);
        WriteLine("{");
        Indentation++;
        return new BlockScope(this);
    }

    /// <summary>Appends another writer's text, indented to this writer's current level.</summary>
    public void WriteIndented(SourceWriter inner)
    {
        string text = inner.ToString().TrimEnd('\n');
        if (text.Length == 0)
        {
            return;
        }

        foreach (string line in text.Split('\n'))
        {
            WriteLine(line);
        }
    }

    public override string ToString() => _text.ToString();

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
