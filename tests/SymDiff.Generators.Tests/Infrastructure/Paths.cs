using System;
using System.IO;

namespace SymDiff.Generators.Tests.Infrastructure;

/// <summary>Finds files of the repository from the test's output folder.</summary>
internal static class Paths
{
    public static string Repo(params string[] parts)
    {
        string? dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "SymDiff.sln")))
        {
            dir = Path.GetDirectoryName(dir);
        }

        return Path.Combine([dir ?? throw new InvalidOperationException("Repository root not found"), .. parts]);
    }
}
