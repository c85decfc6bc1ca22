using System;
using System.Collections.Generic;
using System.Linq;
using SymDiff.Generators.Tests.Infrastructure;
using Xunit;
using Case = SymDiff.Generators.Tests.GeneratedMethodTests.Case;

namespace SymDiff.Generators.Tests;

/// <summary>
/// The constructs of the taped strategy (branches, while and do loops, jumps, loop-carried
/// values, local arrays, more Math functions, constant inputs), each checked at random points
/// like the rules: Gradient against central differences, Backward's accumulation, Derivative
/// against the gradient.
/// </summary>
public class ControlFlowTests
{
    public static readonly Case[] Cases =
    [
        // Branches.
        new("IfElse", "[Differentiable] public static double F(double x, double y) { double r; if (x > y) { r = x * x; } else { r = Math.Sin(y) * x; } return r + y; }", "F", Accept: (s, _) => Check.Away(s[0], s[1])),
        new("IfWithoutElse", "[Differentiable] public static double F(double x) { double r = x; if (x < 0.5) r = r * 3 + x * x; return r * x; }", "F", Accept: (s, _) => Check.Away(s[0], 0.5)),
        new("Ternary", "[Differentiable] public static double F(double x, double y) => x > 0 && y > 0 ? x * y : (x < -1 || !(y < 1) ? Math.Exp(x) : y - x);", "F", Accept: (s, _) => Check.Away(s[0], 0) && Check.Away(s[1], 0) && Check.Away(s[0], -1) && Check.Away(s[1], 1)),
        new("EarlyReturn", "[Differentiable] public static double F(double x, double y) { if (x > 1) return x * y; double t = Math.Tanh(x); if (t < 0) { return t * y * y; } return t + y; }", "F", Accept: (s, _) => Check.Away(s[0], 1) && Check.Away(s[0], 0)),
        // Loops with loop-carried values.
        new("LoopCarriedSquare", "[Differentiable] public static double F(double x, int n) { for (int i = 0; i < n; i++) { x = x * x; } return x; }", "F", Ints: [3], Accept: (s, _) => Math.Abs(s[0]) < 1.2, Range: 1.2),
        new("LoopCarriedSin", "[Differentiable] public static double F(double[] v, double a) { double acc = a; for (int i = 0; i < v.Length; i++) { acc = Math.Sin(acc) + v[i] * acc; } return acc; }", "F", [4]),
        new("While", "[Differentiable] public static double F(double x) { double s = 0; int k = 0; while (k < 4) { s = s * x + k; k++; } return s; }", "F"),
        new("DoWhile", "[Differentiable] public static double F(double x) { double p = 1; int k = 0; do { p *= 1 + x / (k + 1); k += 1; } while (k < 3); return p; }", "F"),
        new("BreakContinue", "[Differentiable] public static double F(double[] v, double w) { double s = 0; for (int i = 0; i < v.Length; i++) { if (v[i] < -0.5) continue; s += v[i] * w; if (s > 1.5) break; s = s * w; } return s; }", "F", [5], Accept: (s, a) => a[0].All(x => Check.Away(x, -0.5))),
        new("ReturnInLoop", "[Differentiable] public static double F(double[] v, double x) { double p = x; for (int i = 0; i < v.Length; i++) { p = p * v[i] + x; if (p > 2) return p * p; } return -p; }", "F", [4]),
        new("LongCounter", "[Differentiable] public static double F(double[] v, double x) { double p = x; for (long i = v.Length - 1; i >= 0; i -= 2) p = Math.Sin(p * v[i]) + x; return p; }", "F", [5]),
        new("DoubleCounter", "[Differentiable] public static double F(double x) { double s = 0; for (double t = x; t < 3; t += 0.75) s += t * t; return s; }", "F", Accept: (s, _) => Enumerable.Range(0, 10).All(k => Check.Away(s[0] + 0.75 * k, 3, 0.05))),
        new("NestedWithBreak", "[Differentiable] public static double F(double[] m, double x) { double s = 0; for (int i = 0; i < 3; i++) { double row = x; for (int j = 0; j < 3; j++) { row = row * m[i * 3 + j] + 1; if (j == i) break; } s += Math.Tanh(row); } return s; }", "F", [9]),
        new("Switch", "[Differentiable] public static double F(double x, int mode) { double r = 0; switch (mode) { case 0: r = x * x; break; case 1: case 2: r = Math.Exp(x); break; default: r = -x; break; } return r * x; }", "F", Ints: [2]),
        new("SwitchOnEnum", "public enum Shape { Flat, Bowl, Wave } [Differentiable] public static double F(double x, Shape shape) { switch (shape) { case Shape.Bowl: return x * x; case Shape.Wave: x = Math.Sin(x) * 2; break; default: x += 1; break; } return x * x * x; } [Differentiable] public static double G(double x) => F(x, Shape.Flat) + F(x, Shape.Bowl) * 2 + F(x * 3, Shape.Wave);", "G"),
        // Local arrays.
        new("LocalArray", "[Differentiable] public static double F(double[] W, double[] x) { int n = 2; double[] a = new double[n]; for (int j = 0; j < n; j++) { double z = 0; for (int k = 0; k < x.Length; k++) z += W[j * x.Length + k] * x[k]; a[j] = Math.Max(0, z); } double s = 0; for (int j = 0; j < n; j++) s += a[j] * a[j] * (j + 1); return s; }", "F", [6, 3], Accept: (s, a) => Enumerable.Range(0, 2).All(j => Check.Away(Enumerable.Range(0, 3).Sum(k => a[0][j * 3 + k] * a[1][k]), 0))),
        new("LocalArrayOverwritten", "[Differentiable] public static double F(double[] v) { double[] a = new double[3]; for (int i = 0; i < 3; i++) a[i] = v[i]; for (int r = 0; r < 2; r++) for (int i = 0; i < 3; i++) a[i] = Math.Sin(a[i]) * a[(i + 1) % 3]; return a[0] + a[1] * a[2]; }", "F", [3]),
        // More of System.Math and constant inputs.
        new("Clamp", "[Differentiable] public static double F(double x, double lo) => Math.Clamp(x, lo, lo + 1) * x;", "F", Accept: (s, _) => Check.Away(s[0], s[1]) && Check.Away(s[0], s[1] + 1)),
        new("Rounding", "[Differentiable] public static double F(double x) => Math.Floor(x) * x + Math.Ceiling(x) + Math.Round(x) * x * x + Math.Truncate(x) + Math.Sign(x) * x;", "F", Accept: (s, _) => Check.Away(s[0] * 2, Math.Round(s[0] * 2), 0.05)),
        new("Logs", "[Differentiable] public static double F(double x, double b) => Math.Log(x, b) + Math.Log2(x) + Math.Cbrt(x * 3) + Math.FusedMultiplyAdd(x, b, x);", "F", Accept: (s, _) => s[0] > 0.1 && s[1] > 0.1 && Check.Away(s[1], 1, 0.1)),
        new("ConstantInputs", "public enum Kind { A, B } static int Twice(int k) => 2 * k; static bool Long(string s) => s.Length > 3; [Differentiable] public static double F(double x, bool flip, char c, string name, Kind kind, int n) { double r = flip ? -x : x; if (c == 'a' && Long(name)) r *= 2; if (kind == Kind.B) r += Twice(n) * x; return r * x; } [Differentiable] public static double G(double x, int n) => F(x, true, 'a', \"long name\", Kind.B, n) + F(x * 2, false, 'b', \"x\", Kind.A, n);", "G", Ints: [1]),
        // Calls through registered custom derivatives (the runtime's stable SoftPlus and LogSumExp).
        new("CustomDerivatives", "[Differentiable] public static double F(double[] v, double x) { double s = SymDiff.Nn.Stable.LogSumExp(v) * x; if (s > 0) s += SymDiff.Nn.Stable.SoftPlus(x * v[0]); return s; }", "F", [3], Accept: (s, a) => Check.Away(Math.Log(a[0].Sum(Math.Exp)) * s[0], 0)),
    ];

    [Fact]
    public void A_registered_stop_gradient_is_used_instead_of_the_body()
    {
        const string members = """
            [CustomDerivative(nameof(StopBackward), nameof(StopDerivative))]
            public static double Stop(double x) => x;
            public static void StopBackward(double x, double dStop, ref double dx) { }
            public static double StopDerivative(double x, double dx) => 0;
            [Differentiable] public static double F(double x) => x * Stop(x);
            public static double G(double x) { FGradient(x, out double dx); return dx; }
            public static double D(double x) => FDerivative(x, 1);
            """;
        Type c = Harness.Load(Sources.InClass(members)).GetType("Cases.C")!;
        Assert.Equal(1.5, (double)c.GetMethod("G")!.Invoke(null, [1.5])!, 12);
        Assert.Equal(1.5, (double)c.GetMethod("D")!.Invoke(null, [1.5])!, 12);
    }

    public static IEnumerable<object[]> CaseData => Cases.Select(c => new object[] { c });

    [Theory]
    [MemberData(nameof(CaseData))]
    public void Generated_methods_match_central_differences(Case c)
    {
        var probe = Probe.For("Cases.C", c.Method, Sources.InClass(c.Members));
        Check.AtRandomPoints(probe, c.Arrays, c.Ints, accept: c.Accept, range: c.Range);
    }
}
