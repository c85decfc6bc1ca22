using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using SymDiff.Generators.Tests.Infrastructure;
using Xunit;

namespace SymDiff.Generators.Tests;

/// <summary>The pipeline caches: edits that do not touch a [Differentiable] method emit nothing again.</summary>
public class IncrementalTests
{
    private const string Model = """
        using System; using SymDiff; namespace Cases;
        public static partial class M
        {
            [Differentiable] public static double Loss(double w, double b) => (w * 2 + b - 1) * (w * 2 + b - 1);

            public static int Helper() => 1;
        }
        """;

    private const string Other = "namespace Cases; public static class Other { public static int Answer() => 42; }";

    private static (GeneratorDriver Driver, CSharpCompilation Compilation) FirstRun()
    {
        CSharpCompilation compilation = Harness.Compilation("Incremental", null, Model, Other);
        GeneratorDriver driver = Harness.Driver(trackSteps: true).RunGenerators(compilation);
        return (driver, compilation);
    }

    private static IEnumerable<IncrementalStepRunReason> Reasons(GeneratorDriver driver, string step) =>
        driver.GetRunResult().Results.Single().TrackedSteps[step].SelectMany(s => s.Outputs).Select(o => o.Reason);

    private static IEnumerable<IncrementalStepRunReason> OutputReasons(GeneratorDriver driver) =>
        driver.GetRunResult().Results.Single().TrackedOutputSteps.SelectMany(kv => kv.Value).SelectMany(s => s.Outputs).Select(o => o.Reason);

    [Theory]
    [InlineData("other file")]
    [InlineData("new file")]
    [InlineData("same file, other member")]
    public void Edits_outside_differentiable_methods_emit_nothing(string edit)
    {
        var (driver, compilation) = FirstRun();
        CSharpCompilation edited = edit switch
        {
            "other file" => Replace(compilation, 1, Other.Replace("42", "43")),
            "new file" => compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText("namespace Cases; class Added { }", Harness.ParseOptions, "Added.cs")),
            _ => Replace(compilation, 0, Model.Replace("=> 1;", "=> 2;")),
        };

        driver = driver.RunGenerators(edited);

        Assert.All(Reasons(driver, TrackingNames.Models), r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, r.ToString()));
        Assert.All(OutputReasons(driver), r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, r.ToString()));
    }

    [Theory]
    [InlineData("other file")]
    [InlineData("same file, other member")]
    [InlineData("comment between members")]
    public void Edits_inside_ordinary_bodies_bind_no_method_again(string edit)
    {
        var (driver, compilation) = FirstRun();
        CSharpCompilation edited = edit switch
        {
            "other file" => Replace(compilation, 1, Other.Replace("42", "43")),
            "same file, other member" => Replace(compilation, 0, Model.Replace("=> 1;", "=> 2;")),
            _ => Replace(compilation, 0, Model.Replace("public static int Helper", "// a note\n    public static int Helper")),
        };

        driver = driver.RunGenerators(edited);

        Assert.All(Reasons(driver, TrackingNames.Parse), r => Assert.Equal(IncrementalStepRunReason.Cached, r));
    }

    [Fact]
    public void A_declaration_edit_elsewhere_parses_again_and_is_seen()
    {
        // Loss calls Scale, whose type is not partial, so SymDiff cannot add Scale's derivative,
        // and whose early return it cannot read in place: refused. Making Helpers partial in the other file changes no byte of Loss's file, and
        // Loss must be parsed again and accepted.
        const string loss = """
            using System; using SymDiff; namespace Cases;
            public static partial class M
            {
                [Differentiable] public static double Loss(double w) => Helpers.Scale(w) * w;
            }
            """;
        const string helpers = """
            using System; using SymDiff; namespace Cases;
            public static class Helpers
            {
                public static double Scale(double x) { double r = 0; for (int i = 0; i < 2; i++) { if (r > 9) return r; r += x; } return r; }
            }
            """;
        CSharpCompilation compilation = Harness.Compilation("Incremental", null, loss, helpers);
        GeneratorDriver driver = Harness.Driver(trackSteps: true).RunGenerators(compilation);
        Assert.DoesNotContain(driver.GetRunResult().GeneratedTrees, t => t.FilePath.EndsWith("Cases.M.Loss.g.cs", StringComparison.Ordinal));
        Assert.Contains(driver.GetRunResult().Diagnostics, d => d.Id.StartsWith("SD", StringComparison.Ordinal));

        driver = driver.RunGenerators(Replace(compilation, 1, helpers.Replace("public static class Helpers", "public static partial class Helpers")));

        Assert.Contains(driver.GetRunResult().GeneratedTrees, t => t.FilePath.EndsWith("Cases.M.Loss.g.cs", StringComparison.Ordinal));
        Assert.DoesNotContain(driver.GetRunResult().Diagnostics, d => d.Id.StartsWith("SD", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("struct method")]
    [InlineData("helper taking a struct")]
    [InlineData("helper of a type that is not partial")]
    [InlineData("helper that helper calls")]
    public void An_edit_inside_a_body_read_in_place_parses_its_callers_again(string callee)
    {
        // Loss reads the callee's body in place, so the callee's body is part of Loss's derivative:
        // editing it in another file must give Loss new generated code, never the old derivative.
        const string loss = """
            using System; using SymDiff; namespace Cases;
            public static partial class M
            {
                [Differentiable] public static double Loss(P p, double w) => p.Twice() + Helpers.Sum(p) + Plain.Scale(w);
            }
            """;
        const string helpers = """
            namespace Cases;
            public record struct P(double X, double Y) { public double Twice() => 2 * X; }
            public static partial class Helpers { public static double Sum(P p) => p.X + p.Y; }
            public static class Plain { public static double Scale(double x) => 2 * x + Inner.Offset(x); }
            public static class Inner { public static double Offset(double x) => 0.5 * x; }
            """;
        CSharpCompilation compilation = Harness.Compilation("Incremental", null, loss, helpers);
        GeneratorDriver driver = Harness.Driver(trackSteps: true).RunGenerators(compilation);
        string Generated() => driver.GetRunResult().GeneratedTrees.Single(t => t.FilePath.EndsWith("Cases.M.Loss.g.cs", StringComparison.Ordinal)).ToString();
        string before = Generated();

        string edited = callee switch
        {
            "struct method" => helpers.Replace("2 * X", "3 * X"),
            "helper taking a struct" => helpers.Replace("p.X + p.Y", "p.X - p.Y"),
            "helper that helper calls" => helpers.Replace("0.5 * x", "0.25 * x"),
            _ => helpers.Replace("2 * x", "5 * x"),
        };
        driver = driver.RunGenerators(Replace(compilation, 1, edited));

        Assert.Contains(IncrementalStepRunReason.Modified, Reasons(driver, TrackingNames.Models));
        Assert.NotEqual(before, Generated());
    }

    [Fact]
    public void An_edit_inside_a_helper_no_differentiated_code_names_binds_no_method_again()
    {
        // Report's and Twice's bodies could be read in place (members over doubles of a type that
        // is not partial), but no differentiated method names them, directly or through a body it
        // reaches (Twice is named only by Report): editing them is like editing any ordinary body.
        const string loss = """
            using System; using SymDiff; namespace Cases;
            public static partial class M
            {
                [Differentiable] public static double Loss(double w) => Plain.Scale(w) * w;
            }
            """;
        const string helpers = """
            namespace Cases;
            public static class Plain { public static double Scale(double x) => 2 * x; }
            public static class Reporting
            {
                public static double Report(double loss) => Twice(loss) + 1;
                public static double Twice(double x) => 2 * x;
            }
            """;
        CSharpCompilation compilation = Harness.Compilation("Incremental", null, loss, helpers);
        GeneratorDriver driver = Harness.Driver(trackSteps: true).RunGenerators(compilation);

        string edited = helpers.Replace("Twice(loss) + 1", "Twice(loss) + 2").Replace("Twice(double x) => 2 * x", "Twice(double x) => 3 * x");
        Assert.Contains("Twice(loss) + 2", edited, StringComparison.Ordinal);
        Assert.Contains("=> 3 * x", edited, StringComparison.Ordinal);
        driver = driver.RunGenerators(Replace(compilation, 1, edited));

        Assert.All(Reasons(driver, TrackingNames.Parse), r => Assert.Equal(IncrementalStepRunReason.Cached, r));
        Assert.All(OutputReasons(driver), r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, r.ToString()));
    }

    [Fact]
    public void An_edit_inside_one_method_parses_that_method_and_the_second_order_ones_again()
    {
        // A Hessian's checks read the bodies of the methods it calls, so F is parsed again when
        // G's body changes; Loss is not.
        const string Calls = """
            using System; using SymDiff; namespace Cases;
            public static partial class M
            {
                [Differentiable] public static double Loss(double w, double b) => (w * 2 + b - 1) * (w * 2 + b - 1);
                [Differentiable] public static double G(double a) => Math.Sin(a) * a;
                [Differentiable(Hessian = true)] public static double F(double x) => G(x * x) + x;
            }
            """;
        CSharpCompilation compilation = Harness.Compilation("Incremental", null, Calls);
        GeneratorDriver driver = Harness.Driver(trackSteps: true).RunGenerators(compilation);
        driver = driver.RunGenerators(Replace(compilation, 0, Calls.Replace("Math.Sin(a) * a", "Math.Cos(a) * a")));

        string Name(object value) => (string)value.GetType().GetProperty("Name")!.GetValue(value)!;
        var parsed = driver.GetRunResult().Results.Single().TrackedSteps[TrackingNames.Parse].SelectMany(s => s.Outputs)
            .ToDictionary(o => Name(o.Value.GetType().GetProperty("Model")!.GetValue(o.Value)!), o => o.Reason);
        Assert.Equal(IncrementalStepRunReason.Cached, parsed["Loss"]);
        Assert.NotEqual(IncrementalStepRunReason.Cached, parsed["G"]);
        Assert.NotEqual(IncrementalStepRunReason.Cached, parsed["F"]);
    }

    [Fact]
    public void The_call_graph_re_emits_only_the_method_that_changed()
    {
        const string Calls = """
            using System; using SymDiff; namespace Cases;
            public static partial class M
            {
                [Differentiable] public static double Loss(double w, double b) => (w * 2 + b - 1) * (w * 2 + b - 1);
                [Differentiable] public static double G(double a) => Math.Sin(a) * a;
                [Differentiable(Hessian = true)] public static double F(double x) => G(x * x) + x;
            }
            """;
        CSharpCompilation compilation = Harness.Compilation("Incremental", null, Calls);
        GeneratorDriver driver = Harness.Driver(trackSteps: true).RunGenerators(compilation);
        string Name(object value) => (string)value.GetType().GetProperty("Name")!.GetValue(value)!;
        bool HasTangent(object value) => (bool)value.GetType().GetProperty("BackwardTangent")!.GetValue(value)!;
        var first = driver.GetRunResult().Results.Single().TrackedSteps[TrackingNames.Emitted].SelectMany(s => s.Outputs).ToList();
        Assert.True(HasTangent(first.Single(o => Name(o.Value) == "G").Value));
        Assert.False(HasTangent(first.Single(o => Name(o.Value) == "Loss").Value));

        driver = driver.RunGenerators(Replace(compilation, 0, Calls.Replace("w * 2 + b - 1) * (w * 2", "w * 3 + b - 1) * (w * 3")));
        var reasons = driver.GetRunResult().Results.Single().TrackedSteps[TrackingNames.Emitted].SelectMany(s => s.Outputs).ToDictionary(o => Name(o.Value), o => o.Reason);
        Assert.Equal(IncrementalStepRunReason.Modified, reasons["Loss"]);
        Assert.True(reasons["G"] is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, reasons["G"].ToString());
        Assert.True(reasons["F"] is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, reasons["F"].ToString());
    }

    [Fact]
    public void Editing_the_differentiable_method_emits_again()
    {
        var (driver, compilation) = FirstRun();
        driver = driver.RunGenerators(Replace(compilation, 0, Model.Replace("w * 2 + b - 1) * (w * 2", "w * 3 + b - 1) * (w * 3")));
        Assert.Contains(IncrementalStepRunReason.Modified, Reasons(driver, TrackingNames.Models));
        Assert.Contains(IncrementalStepRunReason.Modified, OutputReasons(driver));
    }

    [Fact]
    public void Models_hold_no_symbols_syntax_or_compilations()
    {
        var (driver, _) = FirstRun();
        foreach (object value in driver.GetRunResult().Results.Single().TrackedSteps[TrackingNames.Parse].SelectMany(s => s.Outputs).Select(o => o.Value))
        {
            AssertPlain(value, new HashSet<object>(ReferenceEqualityComparer.Instance), "model");
        }
    }

    private static void AssertPlain(object? value, HashSet<object> seen, string path)
    {
        if (value is null || value is string || value.GetType().IsPrimitive || value.GetType().IsEnum || !seen.Add(value))
        {
            return;
        }

        Assert.False(value is ISymbol or SyntaxNode or Compilation or SemanticModel or Location, $"{path} holds a {value.GetType().Name}");
        if (value is IEnumerable items)
        {
            int i = 0;
            foreach (object? item in items)
            {
                AssertPlain(item, seen, $"{path}[{i++}]");
            }

            return;
        }

        foreach (PropertyInfo p in value.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetIndexParameters().Length == 0))
        {
            AssertPlain(p.GetValue(value), seen, $"{path}.{p.Name}");
        }
    }

    private static CSharpCompilation Replace(CSharpCompilation compilation, int index, string text)
    {
        SyntaxTree old = compilation.SyntaxTrees.ElementAt(index);
        return compilation.ReplaceSyntaxTree(old, CSharpSyntaxTree.ParseText(text, Harness.ParseOptions, old.FilePath));
    }
}
