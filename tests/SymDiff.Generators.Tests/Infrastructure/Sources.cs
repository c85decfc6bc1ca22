namespace SymDiff.Generators.Tests.Infrastructure;

/// <summary>Wraps method declarations in a compilable file.</summary>
internal static class Sources
{
    public static string InClass(string members, string type = "C") => $$"""
        using System;
        using SymDiff;

        namespace Cases;

        public static partial class {{type}}
        {
        {{members}}
        }
        """;
}
