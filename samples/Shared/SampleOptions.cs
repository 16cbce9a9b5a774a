using System;
using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Linq;

namespace SampleSupport;

/// <summary>
/// System.CommandLine options with the samples' range checks and one-line messages
/// ("--depth must be an integer in [2, 100000]; got 'x'."), and the parse that turns the first
/// error into exit code 2. The parsers are plain delegates: no reflection, so QuickStart still
/// publishes with native AOT.
/// </summary>
public static class SampleOptions
{
    /// <summary>An integer option in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public static Option<int> Integer(string name, int fallback, int min, string description, int max = int.MaxValue)
    {
        string range = max == int.MaxValue ? $"an integer >= {min}" : $"an integer in [{min}, {max}]";
        return new Option<int>("--" + name)
        {
            Description = description,
            DefaultValueFactory = _ => fallback,
            CustomParser = result =>
            {
                string text = Text(result);
                if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) && value >= min && value <= max)
                {
                    return value;
                }

                result.AddError($"--{name} must be {range}; got '{text}'.");
                return fallback;
            },
        };
    }

    /// <summary>A finite number option &gt;= <paramref name="min"/>.</summary>
    public static Option<double> Number(string name, double fallback, double min, string description)
    {
        return new Option<double>("--" + name)
        {
            Description = description,
            DefaultValueFactory = _ => fallback,
            CustomParser = result =>
            {
                string text = Text(result);
                if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value)
                    && double.IsFinite(value) && value >= min)
                {
                    return value;
                }

                result.AddError($"--{name} must be a finite number >= {min.ToString(CultureInfo.InvariantCulture)}; got '{text}'.");
                return fallback;
            },
        };
    }

    /// <summary>A comma-separated list of integers &gt;= <paramref name="min"/>.</summary>
    public static Option<int[]> IntegerList(string name, int[] fallback, int min, string description)
    {
        return new Option<int[]>("--" + name)
        {
            Description = description,
            DefaultValueFactory = _ => fallback,
            CustomParser = result =>
            {
                string text = Text(result);
                string[] parts = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                var values = new int[parts.Length];
                for (int i = 0; i < parts.Length; i++)
                {
                    if (!int.TryParse(parts[i], NumberStyles.Integer, CultureInfo.InvariantCulture, out values[i]) || values[i] < min)
                    {
                        result.AddError($"--{name} must be a comma-separated list of integers >= {min}; got '{text}'.");
                        return fallback;
                    }
                }

                if (values.Length == 0)
                {
                    result.AddError($"--{name} must list at least one integer; got '{text}'.");
                    return fallback;
                }

                return values;
            },
        };
    }

    /// <summary>A comma-separated list of names, each one of <paramref name="allowed"/>.</summary>
    public static Option<string[]> NameList(string name, string[] fallback, string[] allowed, string description)
    {
        return new Option<string[]>("--" + name)
        {
            Description = $"{description}: any of {string.Join(',', allowed)}",
            DefaultValueFactory = _ => fallback,
            CustomParser = result =>
            {
                string text = Text(result);
                string[] parts = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                string? unknown = parts.FirstOrDefault(part => !allowed.Contains(part, StringComparer.Ordinal));
                if (parts.Length == 0 || unknown is not null)
                {
                    result.AddError($"--{name} must be a comma-separated list of {string.Join(", ", allowed)}; got '{text}'.");
                    return fallback;
                }

                return parts.Distinct(StringComparer.Ordinal).ToArray();
            },
        };
    }

    /// <summary>A text option.</summary>
    public static Option<string> Text(string name, string fallback, string description) =>
        new("--" + name) { Description = description, DefaultValueFactory = _ => fallback };

    /// <summary>A flag: true when given.</summary>
    public static Option<bool> Flag(string name, string description) => new("--" + name) { Description = description };

    /// <summary>Whether <paramref name="option"/> was on the command line (rather than defaulted).</summary>
    public static bool Given(ParseResult result, Option option) => result.GetResult(option) is { Implicit: false };

    /// <summary>
    /// Parses <paramref name="args"/>. Returns the parse when the program should run; otherwise writes
    /// help (exit code 0) or the first error on one line to stderr (exit code 2) and returns null with
    /// <paramref name="exitCode"/> set.
    /// </summary>
    public static ParseResult? Parse(RootCommand command, string[] args, out int exitCode)
    {
        ParseResult result = command.Parse(args);
        if (result.Errors.Count > 0)
        {
            // Our own messages name the option and what it takes; System.CommandLine's (an unknown
            // argument, a missing value) get a pointer to the help.
            string message = result.Errors[0].Message;
            Console.Error.WriteLine(message.StartsWith("--", StringComparison.Ordinal)
                ? $"error: {message}"
                : $"error: {message} --help lists the options.");
            exitCode = 2;
            return null;
        }

        if (result.Action is not null)
        {
            // --help: the only action the samples' commands carry.
            exitCode = result.Invoke();
            return null;
        }

        exitCode = 0;
        return result;
    }

    private static string Text(ArgumentResult result) => result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
}
