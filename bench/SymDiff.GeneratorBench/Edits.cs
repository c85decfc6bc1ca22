using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace SymDiff.GeneratorBench;

/// <summary>
/// Edits after a full run, as an IDE sends them: some to ordinary code, one inside a
/// [Differentiable] method. The generator's time comes from a driver that tracks no steps, as
/// an IDE's does (recording the steps of 1,000 methods costs more than the edit itself); a
/// second, tracking driver takes the same edits to report what each step did.
/// </summary>
internal static class Edits
{
    public static void Run(Dictionary<string, string> files, int count = 5)
    {
        CSharpCompilation compilation = Builds.Compilation(files);
        GeneratorDriver timed = Builds.Driver(track: false).RunGenerators(compilation);
        GeneratorDriver tracked = Builds.Driver(track: true).RunGenerators(compilation);
        Console.WriteLine($"full run                           {timed.GetTimingInfo().ElapsedTime.TotalMilliseconds,8:0} ms");

        var unrelated = new List<double>();
        for (int edit = 1; edit <= count; edit++)
        {
            compilation = Replace(compilation, ProjectWriter.UnrelatedFile, ProjectWriter.Unrelated(edit));
            timed = timed.RunGenerators(compilation);
            unrelated.Add(timed.GetTimingInfo().ElapsedTime.TotalMilliseconds);
        }

        tracked = tracked.RunGenerators(compilation);
        Console.WriteLine($"edit outside the methods ({count} edits) {string.Join(", ", unrelated.Select(t => t.ToString("0"))),8} ms");
        Console.WriteLine($"  steps: {Steps(tracked)}");

        SyntaxTree first = compilation.SyntaxTrees.Single(t => t.FilePath == "Models0.cs");
        string edited = first.ToString().Replace("double penalty = 0.10 *", "double penalty = 0.11 *", StringComparison.Ordinal);
        compilation = compilation.ReplaceSyntaxTree(first, CSharpSyntaxTree.ParseText(edited, Builds.Parse, path: first.FilePath));
        timed = timed.RunGenerators(compilation);
        tracked = tracked.RunGenerators(compilation);
        Console.WriteLine($"edit inside one method             {timed.GetTimingInfo().ElapsedTime.TotalMilliseconds,8:0} ms");
        Console.WriteLine($"  steps: {Steps(tracked)}");
    }

    private static CSharpCompilation Replace(CSharpCompilation compilation, string path, string text) =>
        compilation.ReplaceSyntaxTree(
            compilation.SyntaxTrees.Single(t => t.FilePath == path),
            CSharpSyntaxTree.ParseText(text, Builds.Parse, path: path));

    /// <summary>Per tracked step of ours: how many outputs were new, modified, unchanged or cached.</summary>
    private static string Steps(GeneratorDriver driver)
    {
        var steps = driver.GetRunResult().Results.Single().TrackedSteps;
        string[] ours = ["Shape", "Parse", "Models", "Diagnostics", "CustomDerivatives", "CallGraph", "Emitted"];
        return string.Join("; ", steps.Where(step => ours.Contains(step.Key)).Select(step =>
        {
            var reasons = step.Value.SelectMany(s => s.Outputs).GroupBy(o => o.Reason).Select(g => $"{g.Count()} {g.Key.ToString().ToLowerInvariant()}");
            return $"{step.Key} {string.Join(" ", reasons)}";
        }));
    }
}
