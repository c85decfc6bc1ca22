using System;
using System.Collections.Generic;
using System.Linq;
using SymDiff.Generators.Tests.Infrastructure;
using Xunit;
using Case = SymDiff.Generators.Tests.GeneratedMethodTests.Case;

namespace SymDiff.Generators.Tests;

/// <summary>
/// C# as it is written today (foreach, switch expressions, is patterns, the INumber static
/// forms, index-from-end reads and stores, chained assignment), each differentiated and checked at
/// random points like the core constructs: Gradient against central differences, Backward's
/// accumulation, Derivative against the gradient. Their refused neighbours are in DiagnosticTests.
/// </summary>
public class TodaysCSharpTests
{
    public static readonly Case[] Cases =
    [
        // foreach over arrays, spans and local arrays: a counted loop reading each element.
        new("ForEachArray", "[Differentiable] public static double F(double[] v, double w) { double s = 0; foreach (double e in v) s += Math.Sin(e * w); return s; }", "F", [4]),
        new("ForEachSpanLoopCarried", "[Differentiable] public static double F(ReadOnlySpan<double> v, double a) { double acc = a; foreach (var e in v) { acc = Math.Tanh(acc) * e + a; } return acc; }", "F", [5]),
        new("ForEachNoGradientData", "[Differentiable] public static double F(double w, double b, [NoGradient] double[] xs) { double loss = 0; foreach (double x in xs) { double r = w * x + b - 2 * x; loss += r * r; } return loss; }", "F", [4]),
        new("ForEachLocalArrayWithBreak", "[Differentiable] public static double F(double[] v, double x) { double[] a = new double[3]; for (int i = 0; i < 3; i++) a[i] = v[i] * x; double s = 0; foreach (double e in a) { if (e > 1) break; s += e * e; } return s; }", "F", [3], Accept: (s, a) => a[0].All(v => Check.Away(v * s[0], 1))),
        new("ForEachNested", "[Differentiable] public static double F(double[] u, double[] v) { double s = 0; foreach (double a in u) foreach (double b in v) s += a * Math.Exp(b * a); return s; }", "F", [3, 2]),
        // Switch expressions: constant, relational, and/or/not, guards and '_'.
        new("SwitchExpressionRelational", "[Differentiable] public static double F(double x) => x switch { < -1 => -x * x, < 0.5 and not 0 => Math.Sin(x), _ => Math.Exp(x) };", "F", Accept: (s, _) => Check.Away(s[0], -1) && Check.Away(s[0], 0.5)),
        new("SwitchExpressionOnInt", "[Differentiable] public static double F(double x, int mode) => mode switch { 0 => x * x, 1 or 2 => Math.Exp(x), _ => -x } * x;", "F", Ints: [2]),
        new("SwitchExpressionOnEnum", "public enum Kind { Flat, Bowl, Wave } [Differentiable] public static double F(double x, Kind kind) => kind switch { Kind.Bowl => x * x, Kind.Wave => Math.Sin(3 * x), _ => x }; [Differentiable] public static double G(double x) => F(x, Kind.Bowl) + 2 * F(x, Kind.Wave) + F(x, Kind.Flat);", "G"),
        new("SwitchExpressionGuards", "[Differentiable] public static double F(double x, double y) => x switch { > 0 when y > 0 => x * y, > 0 => x - y, _ => y * y * x };", "F", Accept: (s, _) => Check.Away(s[0], 0) && Check.Away(s[1], 0)),
        new("SwitchExpressionIntegerResult", "[Differentiable] public static double F(double x, double y) { int k = x switch { < 0 => 2, < 1 => 3, _ => 4 }; return Math.Pow(y, k) * x; }", "F", Accept: (s, _) => Check.Away(s[0], 0) && Check.Away(s[0], 1)),
        new("SwitchExpressionInLoop", "[Differentiable] public static double F(double[] v, double w) { double s = 0; for (int i = 0; i < v.Length; i++) { s = (i % 3) switch { 0 => s * w + v[i], 1 => Math.Sin(s) + v[i] * w, _ => s - v[i] * v[i] }; } return s; }", "F", [5]),
        // is patterns in conditions, in bool locals and in integer code.
        new("IsPatterns", "[Differentiable] public static double F(double x, double y) { double r = x; if (x is > 0 and < 1) r = x * y; if (y is < -0.5 or > 0.5) r += y * y; bool far = x is not (> -1 and < 1); return far ? r * 2 : r; }", "F", Accept: (s, _) => new[] { 0.0, 1, -1 }.All(p => Check.Away(s[0], p)) && Check.Away(Math.Abs(s[1]), 0.5)),
        new("IsPatternOnInt", "[Differentiable] public static double F(double x, int n) { int m = n is 1 or 3 ? 2 : 5; return n is >= 2 ? x * m : Math.Sin(x) * m; }", "F", Ints: [3]),
        new("IsPatternOnCall", "[Differentiable] public static double F(double x) => Math.Sin(x) is > 0 and < 0.5 ? x * x : Math.Cos(x);", "F", Accept: (s, _) => Check.Away(Math.Sin(s[0]), 0) && Check.Away(Math.Sin(s[0]), 0.5)),
        // The INumber static forms are the Math functions.
        new("NumberStaticForms", "[Differentiable] public static double F(double x, double y) => double.Sin(x) * double.Exp(y) + double.Sqrt(x * x + 1) + double.Pow(x, 3) + double.Max(x, y) + double.Log(y * y + 1) + double.Tanh(x) + double.Atan2(x, y) + double.Abs(y) + double.Clamp(x, -0.5, 0.5) + double.Log(y * y + 2, 3) + double.Cbrt(x);", "F", Accept: (s, _) => Check.Away(s[0], s[1]) && Check.Away(s[1], 0) && Check.Away(Math.Abs(s[0]), 0.5) && Check.Away(s[0], 0, 0.1)),
        // Index from the end, reading and storing.
        new("IndexFromEnd", "[Differentiable] public static double F(double[] v, ReadOnlySpan<double> u, double x) { double[] a = new double[3]; a[^1] = x * v[^2]; a[0] = u[^1] * u[^3]; return a[2] * v[^1] + a[^3] * x; }", "F", [3, 3]),
        // Ranges as reads: v[a..b], AsSpan and Slice name elements of the array they cut, nothing is copied.
        new("RangeLocals", "[Differentiable] public static double F(double[] v, ReadOnlySpan<double> u, double x) { var tail = v[1..]; ReadOnlySpan<double> head = u[..^1]; double s = tail[0] * x + head[^1] * tail.Length; for (int i = 0; i < head.Length; i++) s += head[i] * tail[i % tail.Length]; return s + v[1..][0] * v.AsSpan(2, 2)[^1] + u.Slice(1)[1..][0]; }", "F", [4, 4]),
        new("ForEachOverRange", "[Differentiable] public static double F(double[] v, double x) { double s = 0; foreach (double e in v[1..^1]) s = Math.Sin(s) * e + x; var rest = v.AsSpan(1); foreach (var e in rest[..2]) s += e * e * x; return s; }", "F", [5]),
        new("RangeInLoopBody", "[Differentiable] public static double F(double[] v, double x) { double acc = x; for (int i = 0; i < v.Length - 1; i++) { var rest = v[i..]; acc = Math.Tanh(acc * rest[0]) + rest[^1] * rest[1]; } return acc; }", "F", [4]),
        new("RangeOfLocalArray", "[Differentiable] public static double F(double x, double y) { double[] a = [x, y, x * y, Math.Sin(x)]; Span<double> middle = a.AsSpan(1..3); double s = 0; foreach (double e in middle) s += e * e; return s + a[1..][^1]; }", "F"),
        // A range passed to a [Differentiable] method: the callee's adjoint and tangent are the same range of the array's.
        new("RangePassedToDifferentiableMethod", RangeCallee + "[Differentiable] public static double F(double[] v, double x) => G(v[1..], x) + G(v.AsSpan(0, 2), x * x) * G(v[1..^1][1..], x);", "F", [5]),
        new("RangeOfSpanPassedToDifferentiableMethod", RangeCallee + "[Differentiable] public static double F(ReadOnlySpan<double> u, double x) { var head = u[..^1]; return G(head, x) * G(u.Slice(1), x) + G(head[1..], u[0]); }", "F", [4]),
        new("RangeOfLocalArrayPassedToDifferentiableMethod", RangeCallee + "[Differentiable] public static double F(double x, double[] v) { double[] a = [x, x * v[0], 3, Math.Sin(x)]; a[2] = a[1] * v[1]; return G(a[1..], x) + G(a.AsSpan(2, 2), v[2]); }", "F", [3]),
        new("RangeOfFieldPassedToDifferentiableMethod", RangeCallee + "static readonly double[] K = { 0.5, -1, 2, 0.25 }; [Differentiable] public static double F(double x, double[] v) => G(K[1..], x) * G(v[..2], K[^1]) + G(K.AsSpan(0, 2), x * v[2]);", "F", [3]),
        new("RangePassedInTapedLoop", RangeCallee + "[Differentiable] public static double F(double[] v, double x) { double acc = x; for (int i = 0; i < v.Length - 1; i++) { if (acc > 0) acc = G(v[i..], acc) * 0.5; else acc += v[i] * x; } return acc; }", "F", [4]),
        new("RangePassedToLocalFunction", "[Differentiable] public static double F(double[] v, double x) { static double Ends(ReadOnlySpan<double> s, double y) { var t = s[1..]; return t[0] * t[^1] * y + s.Length; } return Ends(v[1..^1], x) + Ends(v.AsSpan(2), x * x); }", "F", [5]),
        // a = b = e.
        new("ChainedAssignment", "[Differentiable] public static double F(double x, double y) { double a, b; a = b = x * y; a *= x; b = Math.Sin(b); return a + b; }", "F"),
        new("ChainedAssignmentInLoop", "[Differentiable] public static double F(double[] v, double x) { double p = x, q = 0; for (int i = 0; i < v.Length; i++) { q = p = p * v[i] + x; } return p * q; }", "F", [4]),
        // Local arrays from collection expressions, array initialisers and stackalloc.
        new("CollectionExpression", "[Differentiable] public static double F(double x, double y) { double[] a = [x, y * 2, Math.Sin(x * y)]; double s = 0; for (int i = 0; i < a.Length; i++) s += a[i] * a[(i + 1) % 3]; return s; }", "F"),
        new("ArrayInitializer", "[Differentiable] public static double F(double x, double[] v) { double[] w = new double[] { x, x * x, 0.5 }; double s = 0; foreach (double e in v) { s = s * w[1] + e * w[0] + w[2]; } return s; }", "F", [3]),
        new("StackAlloc", "[Differentiable] public static double F(double[] v, double x) { Span<double> t = stackalloc double[v.Length]; for (int i = 0; i < v.Length; i++) t[i] = Math.Tanh(v[i] * x); double s = 0; for (int i = 0; i < t.Length; i++) s += t[i] * t[^1]; return s; }", "F", [4]),
        // Local arrays declared inside loops and branches: created once, zeroed (or filled) where declared.
        new("LocalArrayInsideLoop", "[Differentiable] public static double F(double[] v, double x) { double s = 0; for (int i = 0; i < v.Length; i++) { double[] a = new double[3]; a[i % 3] = v[i] * x; a[(i + 1) % 3] += s; s += a[0] * a[1] + a[2] * x + Math.Sin(a[i % 3]); } return s; }", "F", [4]),
        new("LocalArraysInsideBranches", "[Differentiable] public static double F(double x, double y) { double r = x; if (x > 0) { double[] a = [x, y, x * y]; r = a[0] * a[2] - a[1]; } else { Span<double> t = stackalloc double[2]; t[0] = y * r; r += t[0] * t[1] + t[0]; } return r * y; }", "F", Accept: (s, _) => Check.Away(s[0], 0)),
        // Deconstruction of tuple literals: a swap in a loop, declarations.
        new("TupleSwapInLoop", "[Differentiable] public static double F(double x, double y) { double a = x, b = y; for (int i = 0; i < 4; i++) { (a, b) = (b, a * 0.5 + Math.Sin(b)); } return a * b; }", "F"),
        new("TupleIntoDeclaredLocals", "[Differentiable] public static double F(double x, double y) { double p, q; (p, q) = (x * y, x - y); return p * q + p; }", "F"),
    ];

    // A [Differentiable] callee that takes a read-only span, for the range arguments above.
    private const string RangeCallee = "[Differentiable] public static double G(ReadOnlySpan<double> s, double y) { double t = 0; for (int i = 0; i < s.Length; i++) t += s[i] * Math.Sin(s[i] * y); return t; } ";

    public static IEnumerable<object[]> CaseData => Cases.Select(c => new object[] { c });

    [Theory]
    [MemberData(nameof(CaseData))]
    public void Generated_methods_match_central_differences(Case c)
    {
        var probe = Probe.For("Cases.C", c.Method, Sources.InClass(c.Members));
        Check.AtRandomPoints(probe, c.Arrays, c.Ints, accept: c.Accept, range: c.Range);
    }

    [Fact]
    public void Float_static_forms_use_the_float_rules()
    {
        const string members = """
            [Differentiable] public static float F(float x, float y) => float.Sin(x) * float.Exp(y) + float.Pow(x, 2) * y + float.Max(x, y) + float.Sqrt(y * y + 1);
            public static double Value(double x, double y) => F((float)x, (float)y);
            public static double[] Gradient(double x, double y) { FGradient((float)x, (float)y, out float dx, out float dy); return [dx, dy]; }
            public static double Derivative(double x, double y, double tx, double ty) => FDerivative((float)x, (float)y, (float)tx, (float)ty);
            """;
        Type c = Harness.Load(Sources.InClass(members)).GetType("Cases.C")!;
        double Value(double x, double y) => (double)c.GetMethod("Value")!.Invoke(null, [x, y])!;
        foreach ((double x, double y) in new[] { (0.3, -0.7), (1.1, 0.4), (-0.8, 0.9) })
        {
            double[] gradient = (double[])c.GetMethod("Gradient")!.Invoke(null, [x, y])!;
            // float values: a wide step and a loose tolerance for the differences.
            Assert.Equal(Check.Central(1e-2, t => Value(t, y), x), gradient[0], 2);
            Assert.Equal(Check.Central(1e-2, t => Value(x, t), y), gradient[1], 2);
            double derivative = (double)c.GetMethod("Derivative")!.Invoke(null, [x, y, 0.5, -2.0])!;
            Assert.Equal(0.5 * gradient[0] - 2 * gradient[1], derivative, 4);
        }
    }

    [Fact]
    public void Foreach_runs_as_a_counted_loop_that_the_gradient_runs_backwards_without_a_tape()
    {
        const string source = """
            using System;
            using SymDiff;

            namespace Cases;

            public static partial class C
            {
                [Differentiable]
                public static double F(double w, [NoGradient] double[] xs)
                {
                    double loss = 0;
                    foreach (double x in xs)
                    {
                        double r = w * x - 1;
                        loss += r * r;
                    }

                    return loss;
                }
            }
            """;
        string generated = Harness.GeneratedSource(source, "Cases.C.F.g.cs");
        Assert.Contains("for (int i = 0; i < xs.Length; i++)", generated);
        Assert.Contains("double x = xs[i];", generated);
        Assert.DoesNotContain("Push", generated);
    }
}
