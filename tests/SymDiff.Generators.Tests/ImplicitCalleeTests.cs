using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using SymDiff.Generators.Tests.Infrastructure;
using Xunit;
using Case = SymDiff.Generators.Tests.GeneratedMethodTests.Case;

namespace SymDiff.Generators.Tests;

/// <summary>
/// Calls to methods without <c>[Differentiable]</c> whose bodies are in the compilation: SymDiff
/// differentiates those bodies too (a private helper, a helper of another partial type, a chain of
/// them), checked against central differences in both modes; a helper it cannot differentiate gets
/// SD0029 at the call, naming it and the reason, and nothing that would call it is generated.
/// </summary>
public class ImplicitCalleeTests
{
    public static readonly Case[] Cases =
    [
        new("PrivateHelper", "private static double Sq(double a) => a * a; [Differentiable] public static double F(double x, double y) => Sq(x * y) + Math.Sin(Sq(y));", "F"),
        new("HelperWithLoopOverSpan", "static double Norm(ReadOnlySpan<double> v) { double s = 0; foreach (double e in v) s += e * e; return Math.Sqrt(s + 1); } [Differentiable] public static double F(double[] v, double w) => w * Norm(v) + Norm(v) / (1 + w * w);", "F", [3]),
        new("ChainOfHelpers", "static double Inner(double a, double b) => Math.Tanh(a) * b; static double Outer(double a) { double t = Inner(a, a + 1); return t * t + Inner(t, 2); } [Differentiable] public static double F(double x) => Outer(x) * x;", "F"),
        new("HelperOfAnotherType", "[Differentiable] public static double F(double x1, double y1, double x2, double y2) => Geometry.Distance(x1, y1, x2, y2) * Geometry.Distance(x1, 0, 0, y2); } public static partial class Geometry { public static double Distance(double ax, double ay, double bx, double by) { double dx = bx - ax, dy = by - ay; return Math.Sqrt(dx * dx + dy * dy + 1e-9); }", "F"),
        new("HelperWithBranchesCalledInTapedLoop", "static double Step(double h, double x) { if (h > 0) return Math.Tanh(h + x); return h * 0.5 + x; } [Differentiable] public static double F(double[] xs, double h0) { double h = h0; for (int i = 0; i < xs.Length; i++) h = Step(h, xs[i]) * 0.9; return h; }", "F", [4],
            Accept: (s, a) => Check.Away(s[0], 0)),
        new("HelperWithConstantParameters", "static double Power(double x, int n) { double p = 1; for (int i = 0; i < n; i++) p *= x; return p; } [Differentiable] public static double F(double x, int n) => Power(x, n) + Power(x + 1, 2);", "F", Ints: [3]),
        new("GenericHelperFromDoubleMethod", "static T Soft<T>(T a) where T : System.Numerics.IFloatingPointIeee754<T> => T.Log(T.One + T.Exp(a)); [Differentiable] public static double F(double x, double y) => Soft(x * y) - Soft(-y);", "F"),
        // Callees with statements read in place: their statements run before the statement that calls them.
        new("LoopHelperOfATypeThatIsNotPartialCalledTwiceInATapedLoop", "[Differentiable] public static double F(double[] v, double[] w, double x) { double acc = x; for (int k = 0; k < 3; k++) { acc = Math.Tanh(acc * Plain.Dot(v, w)) + Plain.Dot(v, v) * 0.1; } return acc; } } public static class Plain { public static double Dot(double[] a, double[] b) { double s = 0; for (int i = 0; i < a.Length; i++) s += a[i] * b[i]; return s; } } public static partial class D {", "F", [3, 3]),
        new("StructMethodWithALoopAndABranch", "[Differentiable] public static double F(double a, double b, double x) { var q = new Poly(a, b); double e = q.Eval(x, 3); e += q.Eval(e * 0.1, 2); return e; } } public readonly record struct Poly(double A, double B) { public double Eval(double x, int times) { double s = 0; double p = x; for (int i = 0; i < times; i++) { if (p > 1) p = 1; s += A * p + B * Math.Sin(p); p = s * 0.5; } return s; } } public static partial class D {", "F"),
        new("LocalFunctionAssigningItsParameter", "[Differentiable] public static double F(double x, double y) { static double Clip(double v, double limit) { if (v > limit) v = limit; v *= v; return v + limit; } double e = Clip(x * y, 0.5); return e + Clip(e, y) * x; }", "F", Accept: (s, _) => Check.Away(s[0] * s[1], 0.5)),
        new("StructResultHelperWithALoop", "[Differentiable] public static double F(double[] xs, double[] ys, double w) { var c = Geo.Centroid(xs, ys); var d = Geo.Centroid(ys, xs); return c.X * w + c.Y * d.Y + Math.Sin(d.X); } } public readonly record struct P(double X, double Y); public static class Geo { public static P Centroid(double[] xs, double[] ys) { double sx = 0, sy = 0; for (int i = 0; i < xs.Length; i++) { sx += xs[i] * xs[i]; sy += ys[i] * xs[i]; } return new P(sx / xs.Length, sy / xs.Length); } } public static partial class D {", "F", [3, 3]),
        new("HelperCalledFromSecondOrderMethod", "static double Sq(double a) => a * a; [Differentiable(Hessian = true)] public static double F(double x, double y) => Sq(x * y) + Math.Exp(Sq(y) * 0.1);", "F"),
    ];

    public static IEnumerable<object[]> CaseData => Cases.Select(c => new object[] { c });

    [Theory]
    [MemberData(nameof(CaseData))]
    public void Helpers_are_differentiated_through(Case c)
    {
        var probe = Probe.For("Cases.C", c.Method, Sources.InClass(c.Members));
        Check.AtRandomPoints(probe, c.Arrays, c.Ints, accept: c.Accept, range: c.Range);
    }

    [Fact]
    public void A_generic_method_calls_a_generic_helper_in_both_precisions()
    {
        const string members = """
            static T Soft<T>(T a) where T : System.Numerics.IFloatingPointIeee754<T> => T.Log(T.One + T.Exp(a));
            [Differentiable] public static T F<T>(T x, T y) where T : System.Numerics.IFloatingPointIeee754<T> => Soft(x * y) * y;
            public static double[] AtDouble(double x, double y) { double v = FGradient(x, y, out double dx, out double dy); return [v, dx, dy]; }
            public static float[] AtFloat(float x, float y) { float v = FGradient(x, y, out float dx, out float dy); return [v, dx, dy]; }
            """;
        Type c = Harness.Load(Sources.InClass(members)).GetType("Cases.C")!;
        (double x, double y) = (0.6, -1.3);
        double Soft(double a) => Math.Log(1 + Math.Exp(a));
        double F(double p, double q) => Soft(p * q) * q;
        double[] d = (double[])c.GetMethod("AtDouble")!.Invoke(null, [x, y])!;
        float[] f = (float[])c.GetMethod("AtFloat")!.Invoke(null, [(float)x, (float)y])!;
        double[] expected = [F(x, y), Check.Central(t => F(t, y), x), Check.Central(t => F(x, t), y)];
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(expected[i], d[i], 8);
            Assert.Equal(expected[i], f[i], 4);
        }
    }

    [Fact]
    public void A_helper_gets_its_generated_methods_with_its_own_accessibility()
    {
        string generated = Harness.GeneratedSource(Sources.InClass("private static double Sq(double a) => a * a; [Differentiable] public static double F(double x) => Sq(x);"), "Cases.C.Sq.g.cs");
        Assert.Contains("private static void SqBackward(double a, double dSq, ref double da)", generated);
        string caller = Harness.GeneratedSource(Sources.InClass("private static double Sq(double a) => a * a; [Differentiable] public static double F(double x) => Sq(x);"), "Cases.C.F.g.cs");
        Assert.Contains("SqBackward(x, ", caller);
    }

    [Fact]
    public void A_Hessian_through_a_helper_matches_differences_of_the_gradient()
    {
        const string members = """
            static double Sq(double a) => a * a * a;
            [Differentiable(Hessian = true)] public static double F(double x, double y) => Sq(x * y) + Math.Sin(Sq(y));
            public static double[] H(double x, double y) { var h = new double[4]; FHessian(x, y, out _, out _, h); return h; }
            public static double[] G(double x, double y) { FGradient(x, y, out double dx, out double dy); return [dx, dy]; }
            """;
        Type c = Harness.Load(Sources.InClass(members)).GetType("Cases.C")!;
        double[] Gradient(double x, double y) => (double[])c.GetMethod("G")!.Invoke(null, [x, y])!;
        double[] h = (double[])c.GetMethod("H")!.Invoke(null, [0.4, -0.7])!;
        const double step = 1e-6;
        for (int k = 0; k < 2; k++)
        {
            double[] plus = k == 0 ? Gradient(0.4 + step, -0.7) : Gradient(0.4, -0.7 + step);
            double[] minus = k == 0 ? Gradient(0.4 - step, -0.7) : Gradient(0.4, -0.7 - step);
            for (int r = 0; r < 2; r++)
            {
                Assert.Equal((plus[r] - minus[r]) / (2 * step), h[r * 2 + k], 5);
            }
        }
    }

    private static (IReadOnlyList<Diagnostic> Generator, IReadOnlyList<Diagnostic> Compiler, string[] Files) Run(string members)
    {
        var (output, diagnostics, run) = Harness.Generate(Harness.Compilation("Implicit", null, Sources.InClass(members)));
        return (diagnostics, output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList(), run.GeneratedTrees.Select(t => System.IO.Path.GetFileName(t.FilePath)).ToArray());
    }

    [Fact]
    public void A_helper_that_cannot_be_differentiated_is_named_at_the_call_with_the_reason()
    {
        const string members = """
            static double Bad(double a) { try { return a * 2; } finally { } }
            [Differentiable] public static double F(double x) => x * Bad(x);
            """;
        var (generator, compiler, files) = Run(members);
        Diagnostic d = Assert.Single(generator);
        Assert.Equal("SD0029", d.Id);
        Assert.True(d.GetMessage().StartsWith("The call to 'Bad' cannot be differentiated: 'Bad' is not [Differentiable], so SymDiff differentiates its body, but its body cannot be differentiated (Source0.cs, line 8): A try statement", StringComparison.Ordinal), d.GetMessage());
        Assert.Equal("Bad(x)", Text(members, d));
        Assert.DoesNotContain(compiler, e => !e.Id.StartsWith("SD", StringComparison.Ordinal));
        Assert.DoesNotContain(files, f => f.EndsWith("C.F.g.cs", StringComparison.Ordinal) || f.EndsWith("C.Bad.g.cs", StringComparison.Ordinal));
    }

    [Fact]
    public void A_failure_deep_in_a_chain_is_reported_at_every_call_on_the_way()
    {
        const string members = """
            static double Deep(double a) => a < 1 ? a : Deep(a / 2);
            static double Middle(double a) => Deep(a) + a;
            [Differentiable] public static double F(double x) => Middle(x) * x;
            [Differentiable] public static double G(double x) => F(x) + 1;
            [Differentiable] public static double Fine(double x) => x * x;
            """;
        var (generator, compiler, files) = Run(members);
        Assert.All(generator, d => Assert.Equal("SD0029", d.Id));
        Assert.Contains(generator, d => Text(members, d) == "Deep(a / 2)" && d.GetMessage().Contains("recursive"));
        Assert.Contains(generator, d => Text(members, d) == "Deep(a)" && d.GetMessage().Contains("recursive"));
        Assert.Contains(generator, d => Text(members, d) == "Middle(x)" && d.GetMessage().Contains("it calls 'Deep', which cannot be differentiated"));
        Assert.DoesNotContain(compiler, e => !e.Id.StartsWith("SD", StringComparison.Ordinal));
        // F and G call what cannot be differentiated, so they get nothing; Fine is unaffected.
        Assert.Equal(["Cases.C.Fine.g.cs"], files.Where(f => f.StartsWith("Cases.", StringComparison.Ordinal)).ToArray());
    }

    [Fact]
    public void A_helper_in_a_type_that_is_not_partial_is_read_in_place_when_it_can_be_and_refused_at_the_call_otherwise()
    {
        const string readable = """
            [Differentiable] public static double F(double x) => Plain.Twice(x) * x;
            }
            public static class Plain { public static double Twice(double a) { double b = 2 * a; return b; } }
            public static partial class D {
            """;
        var (none, _, generated) = Run(readable);
        Assert.Empty(none);
        Assert.Contains(generated, f => f.EndsWith("C.F.g.cs", StringComparison.Ordinal));

        // With statements (a loop, an assignment) and one return at its end: read in place too.
        const string withLoop = """
            [Differentiable] public static double F(double x) => Plain.Twice(x) * x;
            }
            public static class Plain { public static double Twice(double a) { double r = 0; for (int i = 0; i < 2; i++) r += a; return r; } }
            public static partial class D {
            """;
        var (noneWithLoop, _, generatedWithLoop) = Run(withLoop);
        Assert.Empty(noneWithLoop);
        Assert.Contains(generatedWithLoop, f => f.EndsWith("C.F.g.cs", StringComparison.Ordinal));

        const string members = """
            [Differentiable] public static double F(double x) => Plain.Twice(x) * x;
            }
            public static class Plain { public static double Twice(double a) { double r = 0; for (int i = 0; i < 2; i++) { if (r > 9) return r; r += a; } return r; } }
            public static partial class D {
            """;
        var (generator, _, files) = Run(members);
        Diagnostic d = Assert.Single(generator);
        Assert.Equal("SD0029", d.Id);
        Assert.Equal("The call to 'Twice' cannot be differentiated: 'Twice' is not [Differentiable], so SymDiff differentiates its body, but its type 'Plain' is not partial, so its derivative cannot be generated beside it; make 'Plain' partial (or mark 'Twice' [Differentiable])", d.GetMessage());
        Assert.Equal("Plain.Twice(x)", Text(members, d));
        Assert.DoesNotContain(files, f => f.EndsWith("C.F.g.cs", StringComparison.Ordinal));
    }

    // The generator's diagnostics carry a file path and span, not the tree.
    private static string Text(string members, Diagnostic d) => Sources.InClass(members).Substring(d.Location.SourceSpan.Start, d.Location.SourceSpan.Length);

    [Fact]
    public void An_edit_inside_a_helper_parses_the_helper_again_and_not_its_caller()
    {
        // The helper comes after its caller, so that editing it moves nothing the caller's key holds.
        string Source(string body) => Sources.InClass($"[Differentiable] public static double F(double x) => Sq(x) + x; static double Sq(double a) => {body};");
        CSharpCompilation compilation = Harness.Compilation("Incremental", null, Source("a * a"), "namespace Cases; public static class Other { public static int Answer() => 42; }");
        GeneratorDriver driver = Harness.Driver(trackSteps: true).RunGenerators(compilation);
        string Generated(GeneratorRunResult r) => r.GeneratedSources.Single(s => s.HintName.EndsWith("Cases.C.Sq.g.cs", StringComparison.Ordinal)).SourceText.ToString();
        string before = Generated(driver.GetRunResult().Results.Single());

        CSharpCompilation edited = compilation.ReplaceSyntaxTree(compilation.SyntaxTrees[0], CSharpSyntaxTree.ParseText(Source("a * a * a"), Harness.ParseOptions, compilation.SyntaxTrees[0].FilePath));
        driver = driver.RunGenerators(edited);
        GeneratorRunResult result = driver.GetRunResult().Results.Single();
        Assert.All(Reasons(result, TrackingNames.Parse), r => Assert.Equal(IncrementalStepRunReason.Cached, r));
        Assert.Contains(IncrementalStepRunReason.Modified, Reasons(result, TrackingNames.ImplicitParse));
        Assert.NotEqual(before, Generated(result));

        // An edit elsewhere parses neither.
        CSharpCompilation other = edited.ReplaceSyntaxTree(edited.SyntaxTrees[1], CSharpSyntaxTree.ParseText("namespace Cases; public static class Other { public static int Answer() => 43; }", Harness.ParseOptions, edited.SyntaxTrees[1].FilePath));
        driver = driver.RunGenerators(other);
        result = driver.GetRunResult().Results.Single();
        Assert.All(Reasons(result, TrackingNames.Parse), r => Assert.Equal(IncrementalStepRunReason.Cached, r));
        Assert.All(Reasons(result, TrackingNames.ImplicitParse), r => Assert.Equal(IncrementalStepRunReason.Cached, r));
    }

    private static IEnumerable<IncrementalStepRunReason> Reasons(GeneratorRunResult result, string step) =>
        result.TrackedSteps[step].SelectMany(s => s.Outputs).Select(o => o.Reason);
}
