using System;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using SymDiff.Generators.Tests.Infrastructure;
using Xunit;

namespace SymDiff.Generators.Tests;

/// <summary>
/// The bug classes of "the generator never breaks a build and is never silently wrong": each
/// case failed before its fix (generated code that did not compile, or a wrong number). Every
/// accepted case is compiled with warnings as errors and run against central differences.
/// </summary>
public class TrustTests
{
    public sealed record Case(string Name, string Method, string Members)
    {
        public override string ToString() => Name;
    }

    private static Case C(string name, string method, string members) => new(name, method, members);

    public static TheoryData<Case> Accepted => new()
    {
        // 1. Hygiene: adjoint names that are keywords or collide, escaped parameters, captured framework names.
        C("local o gets an adjoint that is not the keyword do", "F", "[Differentiable] public static double F(double x) { double o = x * x; return o * x; }"),
        C("keyword parameters", "F", "[Differentiable] public static double F(double @in, double @event, double @class) { double @double = @in * @event; return @double + @class * @in; }"),
        C("rate and Rate", "F", "[Differentiable] public static double F(double rate, double Rate) => rate * Rate * Rate;"),
        C("a static field named like an adjoint", "F", "static double dx = 2; [Differentiable] public static double F(double x) => x * x * dx;"),
        C("a cast of an integer expression keeps its parentheses", "F", "[Differentiable] public static double F(double x, double y) { int n = (int)(y * 10) + 100; int k = (short)(n * 1000) / 1000; return x * k + y; }"),
        C("a static field named like a local adjoint", "F", "static double dS = 2; [Differentiable] public static double F(double x) { double s = x * x; return s * dS + s; }"),
        C("a member named Math", "F", "public const double Math = 2; [Differentiable] public static double F(double x) => System.Math.Sin(x) * Math;"),
        C("a member named Span", "F", "public const int Span = 2; [Differentiable] public static double F(double[] v) { double s = 0; for (int i = 0; i < v.Length; i++) s += v[i] * v[i] * Span; return s; }"),

        // 2. User names that look like generated ones are kept; the generated names move.
        C("a local named dx", "F", "[Differentiable] public static double F(double x) { double dx = x * 2; return dx * x; }"),
        C("a parameter named dt", "Step", "[Differentiable] public static double Step(double t, double dt) => t * t * dt;"),
        C("a local named like the seed", "Loss", "[Differentiable] public static double Loss(double w) { double dLoss = w * 3; return dLoss * w; }"),
        C("a local named dx in a taped method", "F", "[Differentiable] public static double F(double x) { double dx = x * 2; if (x > 0) dx = dx * x; return dx * x; }"),

        // 3. Overloads as the source chose them.
        C("Floor of an integer converted to double", "F", "[Differentiable] public static double F(double x, int n) => x * Math.Floor((double)n);"),
        C("Truncate of a double literal", "F", "[Differentiable] public static double F(double x) => x * Math.Truncate(3.0);"),
        C("Math.Abs of an integer literal", "F", "[Differentiable] public static double F(double x) => x * Math.Sqrt(4.0) + Math.Max(x, 2.0);"),

        // 4. Taped methods.
        C("a reassigned parameter that is not differentiated, made active", "F", "[Differentiable(nameof(x))] public static double F(double x, double w) { if (x > 0) w = w * x; return x * w; }"),
        C("an integer accumulated in a loop, read after it", "F", "[Differentiable] public static double F(double x, int m) { int q = 1; for (int i = 0; i < 3; i++) q += m; double s = x; if (x > 0) s = s * x; return s * q; }"),
        C("a reassigned parameter that is not differentiated", "F", "[Differentiable(nameof(x))] public static double F(double x, double w) { w = w * 2; if (x > 0) x = x * w; return x * w; }"),
        C("an integer accumulated in a loop", "F", "[Differentiable] public static double F(double x, int m) { int q = 1; double s = x; for (int i = 0; i < 3; i++) { q += m; s = s * x + q; } return s; }"),
        C("an integer accumulated in a tape-free loop", "F", "[Differentiable] public static double F(double x, int m) { int q = 1; double s = 0; for (int i = 0; i < 3; i++) { q += m; s += x * q; } return s; }"),
        C("the same local in two sibling blocks", "F", "[Differentiable] public static double F(double x) { double s = 0; { double t = x * 2; s += t; } { double t = x * 3; s += t * t; } return s; }"),
        C("the same local in two sibling blocks, taped", "F", "[Differentiable] public static double F(double x) { double s = x; if (x > 0) { double t = x * 2; s = s * t; } else { double t = x * 3; s = s * t; } { double t = s; s = t * t; } return s; }"),
        C("two sibling for loops with a double counter", "F", "[Differentiable] public static double F(double x) { double s = 0; for (double t = 0; t < 1; t += 0.5) s += x * t; for (double t = 0; t < 2; t += 0.5) s += x * x * t; return s; }"),

        C("an integer updated in a loop from a loop-local integer", "F", "[Differentiable] public static double F(double x, int m) { int q = 1; double s = x; for (int i = 0; i < 3; i++) { int step = i * m + 1; q += step; s = s * x + q * x; } return s; }"),

        // The integer sub-language: constant for differentiation, accepted as written.
        C("while (counter-- != 0)", "F", "[Differentiable] public static double F(double x, int n) { int counter = n + 1; double s = x; while (counter-- != 0) s = s * x + counter; return s; }"),
        C("an integer ternary", "F", "[Differentiable] public static double F(double x) { double s = 0; for (int i = 0; i < 5; i++) { int sign = i % 4 == 1 ? 1 : -1; s += sign * x * x; } return s; }"),
        C("an int counter bounded by a double", "F", "[Differentiable(nameof(x))] public static double F(double x, double n) { double s = 0; for (int i = 0; i < n + 3; i++) s += x * i; return s; }"),
        C("ulong and long counters with %", "F", "[Differentiable] public static double F(double x) { double s = 0; for (ulong k = 0; k < 6UL; k++) s += (k % 3UL == 0UL ? x : 1.0) * x; long m = 7; for (long j = 0; j < m; j++) s += (j % 2 == 0 ? 0.5 : 0.25) * x; return s; }"),
        C("string and char tests", "F", "static readonly string Mode = \"ab\"; [Differentiable] public static double F(double x) { double s = x; if (Mode[0] == 'a') s = s * x; char c = Mode[1]; if (c == 'b') s += x; return s; }"),
        C("a double converted to an int as a loop bound", "F", "[Differentiable] public static double F(double x, double y) { double s = 0; int n = (int)(y * y + 3); for (int i = 0; i < n; i++) s += x * i; return s + y * x; }"),
        C("Data[i++]", "F", "static readonly double[] Data = { 1, 2, 3, 4 }; [Differentiable] public static double F(double x) { int i = 0; double s = 0; while (i < 4) s += Data[i++] * x * x; return s; }"),
        C("an increment inside a condition", "F", "[Differentiable] public static double F(double x) { int k = 0; double s = x; while (++k < 4) { if (k % 2 == 0) s = s * x; else s += x; } return s; }"),
        C("shifts, nameof and a call returning an int", "F", "static int Twice(int n) => 2 * n; [Differentiable] public static double F(double x) { int k = 1 << 3; int len = nameof(x).Length; return x * (k >> 1) + x * len + x * Twice(len); }"),
        C("a do loop with a decrement in its condition", "F", "[Differentiable] public static double F(double x, int n) { int left = n + 2; double s = x; do { s = Math.Sin(s) + x; } while (--left > 0); return s; }"),

        // 5. Overloads of one [Differentiable] method; a constant division by zero.
        C("a constant division by zero", "F", "[Differentiable] public static double F(double x, double y) => y * (x < 1e300 ? 1 : x / 0);"),

        // 6. A local holding a math result that changes afterwards.
        C("Exp then +=", "F", "[Differentiable] public static double F(double x) { double s = Math.Exp(x); s += 1; return s; }"),
        C("Sqrt then *=", "F", "[Differentiable] public static double F(double x) { double s = Math.Sqrt(x * x + 1); s *= 3; return s; }"),
        C("Tanh then -=", "F", "[Differentiable] public static double F(double x) { double s = Math.Tanh(x); s -= x; return s * s; }"),
        C("Pow then += in a loop", "F", "[Differentiable] public static double F(double x) { double s = Math.Pow(x * x + 1, 1.5); for (int i = 0; i < 2; i++) s += x; return s; }"),
        C("Cbrt then += taped", "F", "[Differentiable] public static double F(double x) { double s = Math.Cbrt(x); if (x > 5) s = s * 2; s += x; return s; }"),

        // 7, 9. Integer-valued calls read the current value; Math.Sign of an expression.
        C("Sign reads the new version", "F", "[Differentiable] public static double F(double x, double y) { double s = x; s = y; return Math.Sign(s) * x; }"),
        C("Sign of a parameter that a later loop accumulates into", "F", "[Differentiable] public static double F(double x, double y) { y -= Math.Max(Math.Sin(y), Math.Sign(x) * y); for (int i = 0; i < 3; i++) x += y * 0.5; return x * y; }"),
        C("Sign of an expression", "F", "[Differentiable] public static double F(double x, double y) => Math.Sign(x * y - 0.25) * x + y;"),
    };

    [Theory]
    [MemberData(nameof(Accepted))]
    public void Accepted_code_compiles_and_matches_central_differences(Case c)
    {
        var probe = Probe.For("Cases.C", c.Method, Sources.InClass(c.Members));
        Check.AtRandomPoints(probe, ints: Enumerable.Repeat(2L, probe.Ints).ToArray(), accept: (s, _) => s.All(v => Math.Abs(v) > 0.05));
    }

    [Fact]
    public void A_user_type_named_Math_does_not_capture_generated_calls()
    {
        const string source = """
            using SymDiff;
            namespace Cases
            {
                public static class Math { public static double Sin(double v) => 100; public static double Cos(double v) => 100; }
                public static partial class C
                {
                    [Differentiable] public static double F(double x) => System.Math.Sin(x) * System.Math.Exp(x);
                }
            }
            """;
        var probe = Probe.For("Cases.C", "F", source);
        Check.AtRandomPoints(probe);
    }

    // A chain of locals each read twice: the closed form in the doc comment, built by inlining
    // every local, doubled at every line (15 lines took 31 s, 20 never finished, 100 ran out of
    // memory). The budget is 20× what the run takes here: it catches the exponential, not noise.
    [Fact]
    public void Float_methods_call_the_overloads_the_source_called()
    {
        const string source = """
            using System;
            using SymDiff;
            namespace Cases;
            public static partial class C
            {
                [Differentiable] public static float Clamped(float x) => Math.Clamp(x, -1f, 1f) * x;
                [Differentiable] public static float Signed(float x) => MathF.Sign(0.75f) * x + MathF.Sign(x - 0.25f) * x;
                [Differentiable] public static float Floored(float x, int n) => x * (float)Math.Floor((double)n) + x * (float)Math.Truncate(3.0);
                public static float Check(float x)
                {
                    float g = ClampedGradient(x, out float d1) + SignedGradient(x, out float d2) + FlooredGradient(x, 3, out float d3);
                    return d1 + d2 + d3 + 0 * g;
                }
            }
            """;
        Type type = Harness.Load(source).GetType("Cases.C")!;
        float D(float x) => (float)type.GetMethod("Check")!.Invoke(null, [x])!;

        // x = 0.5: clamp passes x through (2x = 1), sign terms 1 + 1, floor 3 + truncate 3.
        Assert.Equal(1f + 2f + 6f, D(0.5f), 4);
        Assert.Equal(-1f + 0f + 6f, D(-0.5f), 4);
    }

    [Fact]
    public void Integer_literals_keep_their_type_so_the_arithmetic_does_not_overflow_where_the_source_does_not()
    {
        // n * 2L multiplies in long; written n * 2 it overflowed int for n = 2,000,000,000 and the
        // generated methods computed with -294,967,296 where the source had 4,000,000,000.
        const string source = """
            using SymDiff;
            namespace Cases;
            public static partial class C
            {
                [Differentiable] public static double F(double x, int n) { long big = n * 2L; uint u = 3000000000; ulong w = 5UL * (ulong)n; return x * big + x * x * u + w * 1e-9 * x; }
                public static double[] All(double x, int n) => [F(x, n), FGradient(x, n, out double dx), dx, FDerivative(x, n, 1)];
            }
            """;
        Type type = Harness.Load(source).GetType("Cases.C")!;
        double[] all = (double[])type.GetMethod("All")!.Invoke(null, [0.5, 2_000_000_000])!;
        double value = 0.5 * 4e9 + 0.25 * 3e9 + 1e10 * 1e-9 * 0.5, slope = 4e9 + 2 * 0.5 * 3e9 + 1e10 * 1e-9;
        Assert.Equal(value, all[0], 6);
        Assert.Equal(value, all[1], 6);
        Assert.Equal(slope, all[2], 6);
        Assert.Equal(slope, all[3], 6);
    }

    [Fact]
    public void Two_overloads_each_get_their_generated_methods()
    {
        const string source = """
            using SymDiff;
            namespace Cases;
            public static partial class C
            {
                [Differentiable] public static double G(double x) => x * x;
                [Differentiable] public static double G(double x, double y) => x * y;
                public static double Both(double x, double y) => GGradient(x, out double a) + GGradient(x, y, out double b, out double c) + 0 * (a + b + c) + a * 1000 + b * 100 + c * 10;
            }
            """;
        Type type = Harness.Load(source).GetType("Cases.C")!;
        double both = (double)type.GetMethod("Both")!.Invoke(null, [3.0, 5.0])!;
        Assert.Equal(9 + 15 + 6 * 1000 + 5 * 100 + 3 * 10, both);
    }

    [Fact]
    public void Pow_at_a_zero_base_has_the_derivatives_of_the_reference_systems()
    {
        const string members = """
            [Differentiable] public static double Poly(double x, double[] c) { double s = 0; for (int i = 0; i < c.Length; i++) s += c[i] * Math.Pow(x, i); return s; }
            [Differentiable] public static double P(double x, double y) => Math.Pow(x, y);
            """;
        var poly = Probe.For("Cases.C", "Poly", Sources.InClass(members));
        double[] c = [1.5, -2, 3, 4];
        var gs = new double[1];
        double[][] ga = [new double[4]];
        poly.Gradient([0.0], [c], [], gs, ga);
        Assert.Equal(-2, gs[0]);
        Assert.Equal([1, 0, 0, 0], ga[0]);

        var p = Probe.For("Cases.C", "P", Sources.InClass(members));
        var g = new double[2];
        Assert.Equal(0, p.Gradient([0.0, 2.0], [], [], g, []));
        Assert.Equal([0.0, 0.0], g);
        p.Gradient([0.0, 1.0], [], [], g, []);
        Assert.Equal([1.0, 0.0], g);
        Assert.Equal(1.0, p.Derivative([0.0, 1.0], [], [], [1.0, 1.0], []));
    }

    [Fact]
    public void An_unused_undefined_value_does_not_poison_the_gradient()
    {
        const string members = """
            [Differentiable] public static double F(double x, double y, double[] v)
            {
                double s = x;
                for (int i = 0; i < v.Length; i++)
                {
                    double unused = Math.Atan2(v[i] * y, y * x);
                    s = s * v[i] + x;
                }
                return s;
            }
            """;
        var probe = Probe.For("Cases.C", "F", Sources.InClass(members));
        var gs = new double[2];
        double[][] ga = [new double[3]];
        probe.Gradient([0.5, 0.0], [[1.0, 2.0, 3.0]], [], gs, ga);
        Assert.DoesNotContain(gs, double.IsNaN);
        Assert.DoesNotContain(ga[0], double.IsNaN);
        Check.AtRandomPoints(probe);
    }

    public static TheoryData<string, string> Refused => new()
    {
        // An [Output] method must return void.
        { "SD0003", "[Differentiable] public static double F(double x, [Output] Span<double> z) { z[0] = x; return x; }" },

        // A user method that already has a generated name.
        { "SD0026", "public static double LossGradient(double w, out double dw) { dw = 1; return w; } [Differentiable] public static double Loss(double w) => w * w;" },

        // Two overloads whose generated methods would have one signature.
        { "SD0026", "[Differentiable] public static double H(double x, double y) => x * y; [Differentiable(nameof(a))] public static double H(double a, double b, double c) => a * b * c;" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void Refused_code_gets_one_diagnostic_and_the_project_compiles(string id, string members)
    {
        var (output, diagnostics, run) = Harness.Generate(Harness.Compilation("Refused", null, Sources.InClass(members)));
        Diagnostic d = Assert.Single(diagnostics);
        Assert.Equal(id, d.Id);
        Assert.Null(run.Results.Single().Exception);
        Assert.Empty(output.GetDiagnostics().Where(x => x.Severity == DiagnosticSeverity.Error));
    }

    [Fact]
    public void A_custom_derivative_with_a_wrong_shape_is_reported_once_and_its_callers_still_compile()
    {
        const string members = """
            [CustomDerivative(nameof(B), nameof(D))] public static double F(double x) => x;
            public static void B(double x, double dF, double dx) { }
            public static double D(double x, double dx) => dx;
            [Differentiable] public static double G(double x) => F(x) * x;
            """;
        var (output, diagnostics, _) = Harness.Generate(Harness.Compilation("Custom", null, Sources.InClass(members)));
        Diagnostic d = Assert.Single(diagnostics);
        Assert.Equal("SD0025", d.Id);
        Assert.Empty(output.GetDiagnostics().Where(x => x.Severity == DiagnosticSeverity.Error));
    }

    [Theory]
    [InlineData("[Differentiable] public static double F(double x) => x * undefinedName + Math.Sin(;")]
    [InlineData("[Differentiable] public static double F(double x) => x * undefinedName;")]
    [InlineData("[Differentiable] public static double F(double x) { string s = x; return x; }")]
    [InlineData("[Differentiable] public static double F(double x) => Math.Sin(x, x);")]
    [InlineData("[Differentiable] public static double F(double x) { int n = x; return n * x; }")]
    [InlineData("[Differentiable] public static double F(Undefined x) => 2.0;")]
    public void A_method_with_compiler_errors_gets_no_diagnostic_of_its_own(string members)
    {
        var (_, diagnostics, run) = Harness.Generate(Harness.Compilation("Typing", null, Sources.InClass(members)));
        Assert.Empty(diagnostics);
        Assert.Empty(run.GeneratedTrees);
    }
}
