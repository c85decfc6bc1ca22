using System;
using System.IO;

namespace SymDiff.IntegrationTests;

/// <summary>The repository these tests run in.</summary>
internal static class Repository
{
    /// <summary>The folder holding SymDiff.sln, found from the test assembly upwards.</summary>
    public static string Root()
    {
        string? dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "SymDiff.sln")))
        {
            dir = Path.GetDirectoryName(dir);
        }

        return dir ?? throw new InvalidOperationException("Repository root not found");
    }
}
