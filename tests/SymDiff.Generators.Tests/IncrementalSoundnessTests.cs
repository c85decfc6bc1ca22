using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using SymDiff.Generators.Tests.Infrastructure;
using Xunit;

namespace SymDiff.Generators.Tests;

/// <summary>
/// The cache key of a method must hold everything its derivative depends on. Oracle: after any
/// edit of a number in the helpers' file, the incremental driver (which reuses what its keys say
/// is unchanged) must give the same generated files and diagnostics as a fresh driver. A key that
/// missed a body the parse read would leave the old derivative behind and fail here.
/// </summary>
public class IncrementalSoundnessTests
{
    private const string Loss = """
        using System; using SymDiff; using static Cases.Statics; namespace Cases;
        public static partial class M
        {
            [Differentiable] public static double ByName(double w) => Plain.Scale(w) * w;
            [Differentiable] public static double Transitive(double w) => Plain.Outer(w);
            [Differentiable] public static double StructMethod(P p) => p.Twice() + p.Y;
            [Differentiable] public static double StructOperator(P p, P q) => (p + q).X * q.Y;
            [Differentiable] public static double StructHelper(P p) => Helpers.Sum(p) * p.X;
            [Differentiable] public static double Property(double w) => w * Plain.Half;
            [Differentiable] public static double UsingStatic(double w) => Cube(w) + w;
            [Differentiable] public static double Extension(double w) => w.Squared() * 3.0;
            [Differentiable] public static double Deconstructed(Q q) { var (a, b) = q; return a * b; }
            [Differentiable] public static double Constructed(double w) => new P(w, 2.0 * w).Twice();
            [Differentiable] public static double NotCalling(double w) => w * w;
        }
        """;

    private const string Helpers = """
        namespace Cases;
        public record struct P(double X, double Y)
        {
            public double Twice() => 2.0 * X;
            public static P operator +(P a, P b) => new(a.X + 1.5 * b.X, a.Y + b.Y);
        }
        public struct Q
        {
            public double A, B;
            public void Deconstruct(out double a, out double b) { a = 1.25 * A; b = B + 0.5; }
        }
        public static partial class Helpers { public static double Sum(P p) => p.X + 4.0 * p.Y; }
        public static class Plain
        {
            public static double Scale(double x) => 2.0 * x;
            public static double Outer(double x) => Inner(x) * 3.0;
            public static double Inner(double x) => 0.5 * x * x;
            public static double Half => 0.5;
            public static double Unused(double x) => 7.0 * x;
        }
        public static class Statics { public static double Cube(double x) => x * x * x * 1.0; }
        public static class Extensions { public static double Squared(this double x) => x * x * 1.0; }
        """;

    [Fact]
    public void Every_edit_of_a_number_in_the_helpers_gives_what_a_fresh_run_gives()
    {
        CSharpCompilation compilation = Harness.Compilation("Soundness", null, Loss, Helpers);
        GeneratorDriver incremental = Harness.Driver().RunGenerators(compilation);
        Assert.True(Outputs(incremental).Files.Count >= 8, "most cases must generate code, or the oracle tests little:\n" + Outputs(incremental).Text.Split("\n").Where(l => l.Contains("SD", StringComparison.Ordinal) || l.EndsWith(".g.cs", StringComparison.Ordinal)).Aggregate(string.Empty, (a, b) => a + "\n" + b));

        MatchCollection numbers = Regex.Matches(Helpers, @"\d+\.\d+");
        Assert.Equal(12, numbers.Count);
        int changed = 0;
        foreach (Match number in numbers)
        {
            string edited = Helpers.Substring(0, number.Index) + (double.Parse(number.Value, System.Globalization.CultureInfo.InvariantCulture) + 1).ToString("0.0##", System.Globalization.CultureInfo.InvariantCulture) + Helpers.Substring(number.Index + number.Length);
            CSharpCompilation next = compilation.ReplaceSyntaxTree(compilation.SyntaxTrees.ElementAt(1), CSharpSyntaxTree.ParseText(edited, Harness.ParseOptions, compilation.SyntaxTrees.ElementAt(1).FilePath));
            string before = Outputs(incremental).Text;
            incremental = incremental.RunGenerators(next);
            (string text, _) = Outputs(incremental);
            (string fresh, _) = Outputs(Harness.Driver().RunGenerators(next));
            Assert.True(fresh == text, $"after changing {number.Value} at {number.Index}, the incremental run differs from a fresh one");
            changed += text == before ? 0 : 1;
            compilation = next;
            incremental = incremental.RunGenerators(compilation);
        }

        // The oracle can fail only where an edit changes the output: most of these edits do.
        Assert.True(changed >= 10, $"only {changed} edits changed the generated code");
    }

    private static (string Text, List<string> Files) Outputs(GeneratorDriver driver)
    {
        GeneratorDriverRunResult result = driver.GetRunResult();
        var files = result.GeneratedTrees.OrderBy(t => t.FilePath, StringComparer.Ordinal).Select(t => t.FilePath + "\n" + t).ToList();
        string diagnostics = string.Join("\n", result.Diagnostics.Select(d => d.ToString()).Order(StringComparer.Ordinal));
        return (string.Join("\n", files) + "\n" + diagnostics, files);
    }
}
