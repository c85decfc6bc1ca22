using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace SymDiff.GeneratorBench;

/// <summary>
/// Edits after a full run, as an IDE sends them: one to ordinary code, one inside a
/// [Differentiable] method. Reports the generator's time and what each tracked step did.
/// </summary>
internal static class Edits
{
    public static void Run(Dictionary<string, string> files)
    {
        CSharpCompilation compilation = Builds.Compilation(files);
        GeneratorDriver driver = Builds.Driver(track: true).RunGenerators(compilation);
        Console.WriteLine($"full run (tracked)                 {driver.GetTimingInfo().ElapsedTime.TotalMilliseconds,8:0} ms");

        var unrelated = new List<double>();
        for (int edit = 1; edit <= 5; edit++)
        {
            compilation = Replace(compilation, ProjectWriter.UnrelatedFile, ProjectWriter.Unrelated(edit));
            driver = driver.RunGenerators(compilation);
            unrelated.Add(driver.GetTimingInfo().ElapsedTime.TotalMilliseconds);
        }

        Console.WriteLine($"edit outside the methods (5 edits) {string.Join(", ", unrelated.Select(t => t.ToString("0"))),8} ms");
        Console.WriteLine($"  steps: {Steps(driver)}");

        SyntaxTree first = compilation.SyntaxTrees.Single(t => t.FilePath == "Models0.cs");
        string edited = first.ToString().Replace("double penalty = 0.10 *", "double penalty = 0.11 *", StringComparison.Ordinal);
        compilation = compilation.ReplaceSyntaxTree(first, CSharpSyntaxTree.ParseText(edited, Builds.Parse, path: first.FilePath));
        driver = driver.RunGenerators(compilation);
        Console.WriteLine($"edit inside one method             {driver.GetTimingInfo().ElapsedTime.TotalMilliseconds,8:0} ms");
        Console.WriteLine($"  steps: {Steps(driver)}");
    }

    private static CSharpCompilation Replace(CSharpCompilation compilation, string path, string text) =>
        compilation.ReplaceSyntaxTree(
            compilation.SyntaxTrees.Single(t => t.FilePath == path),
            CSharpSyntaxTree.ParseText(text, Builds.Parse, path: path));

    /// <summary>Per tracked step: how many outputs were new, modified, unchanged or cached.</summary>
    private static string Steps(GeneratorDriver driver)
    {
        var steps = driver.GetRunResult().Results.Single().TrackedSteps;
        return string.Join("; ", steps.Select(step =>
        {
            var reasons = step.Value.SelectMany(s => s.Outputs).GroupBy(o => o.Reason).Select(g => $"{g.Count()} {g.Key.ToString().ToLowerInvariant()}");
            return $"{step.Key} {string.Join(" ", reasons)}";
        }));
    }
}
