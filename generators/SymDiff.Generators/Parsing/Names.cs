using System.Collections.Generic;

namespace SymDiff.Generators.Parsing;

/// <summary>
/// How SymDiff names what it generates: <c>x → dx</c>, <c>W1 → dW1</c>, <c>error → dError</c>.
/// Every generated name is fresh in its method (never a name the user's code uses, never a C#
/// keyword); a user name that is a keyword is written with its <c>@</c>.
/// </summary>
internal static class Names
{
    // The reserved keywords of C#: an identifier spelled like one needs an '@'.
    private static readonly HashSet<string> Keywords = new(System.StringComparer.Ordinal)
    {
        "abstract", "as", "base", "bool", "break", "byte", "case", "catch", "char", "checked", "class", "const",
        "continue", "decimal", "default", "delegate", "do", "double", "else", "enum", "event", "explicit", "extern",
        "false", "finally", "fixed", "float", "for", "foreach", "goto", "if", "implicit", "in", "int", "interface",
        "internal", "is", "lock", "long", "namespace", "new", "null", "object", "operator", "out", "override",
        "params", "private", "protected", "public", "readonly", "ref", "return", "sbyte", "sealed", "short",
        "sizeof", "stackalloc", "static", "string", "struct", "switch", "this", "throw", "true", "try", "typeof",
        "uint", "ulong", "unchecked", "unsafe", "ushort", "using", "virtual", "void", "volatile", "while",
    };

    /// <summary>True when <paramref name="name"/> must be written <c>@name</c>.</summary>
    public static bool IsKeyword(string name) => Keywords.Contains(name);

    /// <summary>The identifier as C# must spell it: <c>@in</c> for <c>in</c>.</summary>
    public static string Escape(string name) => IsKeyword(name) ? "@" + name : name;

    /// <summary>The name without its verbatim <c>@</c>.</summary>
    public static string Plain(string name) => name.Length > 1 && name[0] == '@' ? name.Substring(1) : name;

    /// <summary>The name, without its <c>@</c>, with its first letter upper-cased: the second word of a compound name.</summary>
    public static string Capitalized(string name)
    {
        name = Plain(name);
        return char.ToUpperInvariant(name[0]) + name.Substring(1);
    }

    /// <summary>
    /// <c>d</c> + the name; a name longer than one letter (apart from trailing digits) gets its first
    /// letter upper-cased so the two words stay readable.
    /// </summary>
    public static string Derivative(string name) => Prefixed("d", name);

    /// <summary>
    /// <paramref name="prefix"/> + the name, as <see cref="Derivative"/> writes it: <c>tx</c>,
    /// <c>tRate</c>, <c>hError</c>.
    /// </summary>
    public static string Prefixed(string prefix, string name)
    {
        name = Plain(name);
        int letters = 0;
        foreach (char c in name)
        {
            if (!char.IsDigit(c) && c != '_')
            {
                letters++;
            }
        }

        string compound = letters <= 1 ? prefix + name : prefix + char.ToUpperInvariant(name[0]) + name.Substring(1);

        // 'o' would give the keyword 'do': upper-case it as for longer names.
        return IsKeyword(compound) ? prefix + char.ToUpperInvariant(name[0]) + name.Substring(1) : compound;
    }

    /// <summary>
    /// The first of <paramref name="name"/>, name2, name3… that is neither in <paramref name="taken"/>
    /// nor a keyword; it is then taken.
    /// </summary>
    /// <summary>
    /// A fresh name for something of the source line <paramref name="line"/>: <c>tookBranchAtLine12</c>,
    /// then <c>tookBranch2AtLine12</c> for a second one on that line (never <c>…AtLine122</c>).
    /// </summary>
    public static string FreshAt(string stem, int line, HashSet<string> taken)
    {
        string at = "AtLine" + line.ToString(System.Globalization.CultureInfo.InvariantCulture);
        string candidate = stem + at;
        for (int i = 2; taken.Contains(candidate); i++)
        {
            candidate = stem + i.ToString(System.Globalization.CultureInfo.InvariantCulture) + at;
        }

        taken.Add(candidate);
        return candidate;
    }

    public static string Fresh(string name, HashSet<string> taken)
    {
        string candidate = name;
        for (int i = 2; taken.Contains(candidate) || IsKeyword(candidate); i++)
        {
            candidate = name + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        taken.Add(candidate);
        return candidate;
    }
}
