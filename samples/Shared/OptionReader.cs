using System;
using System.Collections.Generic;
using System.Globalization;

namespace SampleSupport;

/// <summary>A command-line mistake: the sample prints its message on one line and exits with code 2.</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>
/// Reads <c>--name value</c>, <c>--name=value</c> and <c>--flag</c> options. Each read consumes its
/// option; <see cref="RejectRest"/> then reports whatever was not understood. Small on purpose:
/// the samples must publish with native AOT without trimming warnings.
/// </summary>
public sealed class OptionReader
{
    private readonly List<string> _remaining;

    /// <summary>Starts reading <paramref name="args"/>.</summary>
    public OptionReader(string[] args) => _remaining = [.. args];

    /// <summary>Whether <c>--name</c> was given (it takes no value).</summary>
    public bool Flag(string name)
    {
        int index = _remaining.IndexOf("--" + name);
        if (index < 0)
        {
            return false;
        }

        _remaining.RemoveAt(index);
        return true;
    }

    /// <summary>The value of <c>--name</c> as an integer in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public int Integer(string name, int fallback, int min, int max = int.MaxValue)
    {
        string? text = Take(name);
        if (text is null)
        {
            return fallback;
        }

        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) || value < min || value > max)
        {
            string range = max == int.MaxValue ? $"an integer >= {min}" : $"an integer in [{min}, {max}]";
            throw new UsageException($"--{name} must be {range}; got '{text}'.");
        }

        return value;
    }

    /// <summary>The value of <c>--name</c> as a finite number &gt;= <paramref name="min"/>.</summary>
    public double Number(string name, double fallback, double min)
    {
        string? text = Take(name);
        if (text is null)
        {
            return fallback;
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value)
            || !double.IsFinite(value) || value < min)
        {
            throw new UsageException($"--{name} must be a finite number >= {min.ToString(CultureInfo.InvariantCulture)}; got '{text}'.");
        }

        return value;
    }

    /// <summary>The value of <c>--name</c> as a comma-separated list of integers &gt;= <paramref name="min"/>.</summary>
    public int[] IntegerList(string name, int[] fallback, int min)
    {
        string? text = Take(name);
        if (text is null)
        {
            return fallback;
        }

        string[] parts = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        int[] values = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.Integer, CultureInfo.InvariantCulture, out values[i]) || values[i] < min)
            {
                throw new UsageException($"--{name} must be a comma-separated list of integers >= {min}; got '{text}'.");
            }
        }

        return values.Length > 0
            ? values
            : throw new UsageException($"--{name} must list at least one integer; got '{text}'.");
    }

    /// <summary>The value of <c>--name</c> as text, or <paramref name="fallback"/>.</summary>
    public string? Text(string name, string? fallback) => Take(name) ?? fallback;

    /// <summary>
    /// Arguments that do not start with <c>--</c>, in order. Call it after every option read, so that
    /// option values have been consumed already.
    /// </summary>
    public List<string> Positional()
    {
        List<string> positional = _remaining.FindAll(argument => !argument.StartsWith("--", StringComparison.Ordinal));
        _remaining.RemoveAll(argument => !argument.StartsWith("--", StringComparison.Ordinal));
        return positional;
    }

    /// <summary>Fails on the first argument no read consumed.</summary>
    public void RejectRest()
    {
        if (_remaining.Count > 0)
        {
            throw new UsageException($"Unknown argument '{_remaining[0]}'; --help lists the options.");
        }
    }

    private string? Take(string name)
    {
        string option = "--" + name;
        for (int i = 0; i < _remaining.Count; i++)
        {
            if (_remaining[i] == option)
            {
                if (i + 1 >= _remaining.Count)
                {
                    throw new UsageException($"--{name} needs a value.");
                }

                string value = _remaining[i + 1];
                _remaining.RemoveRange(i, 2);
                return value;
            }

            if (_remaining[i].StartsWith(option + "=", StringComparison.Ordinal))
            {
                string value = _remaining[i][(option.Length + 1)..];
                _remaining.RemoveAt(i);
                return value;
            }
        }

        return null;
    }
}
