using System;
using System.IO;
using System.Linq;
using SymDiff.Generators.Tests.Infrastructure;
using Xunit;

namespace SymDiff.Generators.Tests;

/// <summary>The README's excerpt of generated code is the generator's real output for samples/LineFit, so it cannot go stale.</summary>
public class ReadmeExcerptTests
{
    private const string Marker = "This is the gradient of `Loss` above, as generated:";

    [Fact]
    public void The_readme_shows_the_real_gradient_of_the_line_fit()
    {
        string readme = File.ReadAllText(Paths.Repo("README.md")).Replace("\r\n", "\n");
        int at = readme.IndexOf(Marker, StringComparison.Ordinal);
        Assert.True(at >= 0, "the README no longer introduces its excerpt with: " + Marker);
        int start = readme.IndexOf("```csharp\n", at, StringComparison.Ordinal) + "```csharp\n".Length;
        string excerpt = readme.Substring(start, readme.IndexOf("```", start, StringComparison.Ordinal) - start).TrimEnd();

        string model = File.ReadAllText(Paths.Repo("samples", "LineFit", "Model.cs"));
        string generated = Harness.GeneratedSource(model, "LineFit.Model.Loss.g.cs").Replace("\r\n", "\n");
        string[] lines = generated.Split('\n');
        int first = Array.FindIndex(lines, l => l.TrimStart().StartsWith("public static double LossGradient(", StringComparison.Ordinal));
        int last = Array.FindIndex(lines, first, l => l == "    }");
        string method = string.Join("\n", lines[first..(last + 1)].Select(l => l.Length >= 4 ? l.Substring(4) : l));

        Assert.Equal(method, excerpt);
    }
}
