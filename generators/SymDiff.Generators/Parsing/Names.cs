using System.Collections.Generic;

namespace SymDiff.Generators.Parsing;

/// <summary>How SymDiff names derivatives: <c>x → dx</c>, <c>W1 → dW1</c>, <c>error → dError</c>.</summary>
internal static class Names
{
    /// <summary>
    /// <c>d</c> + the name; a name longer than one letter (apart from trailing digits) gets its first
    /// letter upper-cased so the two words stay readable.
    /// </summary>
    public static string Derivative(string name)
    {
        int letters = 0;
        foreach (char c in name)
        {
            if (!char.IsDigit(c) && c != '_')
            {
                letters++;
            }
        }

        return letters <= 1 ? "d" + name : "d" + char.ToUpperInvariant(name[0]) + name.Substring(1);
    }

    /// <summary>The first of <paramref name="name"/>, name2, name3… that is not in <paramref name="taken"/>; it is then taken.</summary>
    public static string Fresh(string name, HashSet<string> taken)
    {
        string candidate = name;
        for (int i = 2; taken.Contains(candidate); i++)
        {
            candidate = name + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        taken.Add(candidate);
        return candidate;
    }
}
