using System;
using System.CommandLine;
using System.Globalization;
using System.IO;

/// <summary>
/// Number options of the samples' command lines: parsed as people write them (invariant culture),
/// with an error that names the option and says why a value is refused.
/// </summary>
internal static class Cli
{
    public static Option<double> Number(string name, string description, double defaultValue, Func<double, bool> valid, string rule) =>
        Parsed(name, description, defaultValue, text => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v) ? v : null, "a finite number", valid, rule);

    public static Option<int> Whole(string name, string description, int defaultValue, Func<int, bool> valid, string rule) =>
        Parsed(name, description, defaultValue, text => int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) ? v : null, "a whole number", valid, rule);

    public static Option<string> OneOf(string name, string description, string defaultValue, params string[] values)
    {
        var option = new Option<string>(name) { Description = description, DefaultValueFactory = _ => defaultValue, HelpName = string.Join("|", values) };
        option.CustomParser = result =>
        {
            string text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : defaultValue;
            string? known = System.Array.Find(values, v => string.Equals(v, text, StringComparison.OrdinalIgnoreCase));
            if (known is null)
            {
                result.AddError($"{name}: '{text}' is not one of {string.Join(", ", values)}.");
            }

            return known ?? defaultValue;
        };
        return option;
    }

    /// <summary>Writes <paramref name="text"/> to the file option <paramref name="name"/> names.</summary>
    /// <returns>Null when the file was written; otherwise one line naming the option and why it failed.</returns>
    public static string? TryWrite(string name, string path, string text)
    {
        if (Directory.Exists(path))
        {
            return $"{name}: '{path}' is a directory; give a file name such as trace.html.";
        }

        try
        {
            string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
            if (folder is not null)
            {
                Directory.CreateDirectory(folder);
            }

            File.WriteAllText(path, text);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            return $"{name}: cannot write '{path}': {e.Message}";
        }
    }

    private static Option<T> Parsed<T>(string name, string description, T defaultValue, Func<string, T?> parse, string kind, Func<T, bool> valid, string rule)
        where T : struct
    {
        var option = new Option<T>(name) { Description = description, DefaultValueFactory = _ => defaultValue };
        option.CustomParser = result =>
        {
            string text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : string.Empty;
            if (parse(text) is not T value)
            {
                result.AddError($"{name}: '{text}' is not {kind}.");
                return defaultValue;
            }

            if (!valid(value))
            {
                result.AddError($"{name} {rule}; got {text}.");
            }

            return value;
        };
        return option;
    }
}

