using System;
using System.Collections.Generic;
using System.Linq;
using SymDiff.Generators.Tests.Infrastructure;
using Xunit;

namespace SymDiff.Generators.Tests;

/// <summary>
/// Every derivative rule and supported construct, compiled with the generator and checked at
/// random points: Gradient against central differences, Backward's accumulation, and
/// Derivative against the gradient (the dot-product test).
/// </summary>
public class GeneratedMethodTests
{
    /// <summary>Name, members of class C, method to check, array lengths, integer arguments, domain filter.</summary>
    public sealed record Case(string Name, string Members, string Method, int[]? Arrays = null, long[]? Ints = null, Func<double[], double[][], bool>? Accept = null, double Range = 2)
    {
        public override string ToString() => Name;
    }

    public static readonly Case[] Cases =
    [
        // One row per rule of Symbolic/Rules.cs.
        new("Sin", "[Differentiable] public static double F(double x) => Math.Sin(x);", "F"),
        new("Cos", "[Differentiable] public static double F(double x) => Math.Cos(x);", "F"),
        new("Tan", "[Differentiable] public static double F(double x) => Math.Tan(x);", "F", Accept: (s, _) => Math.Abs(s[0]) < 1.3),
        new("Exp", "[Differentiable] public static double F(double x) => Math.Exp(x);", "F"),
        new("Log", "[Differentiable] public static double F(double x) => Math.Log(x);", "F", Accept: (s, _) => s[0] > 0.1),
        new("Log10", "[Differentiable] public static double F(double x) => Math.Log10(x);", "F", Accept: (s, _) => s[0] > 0.1),
        new("Sqrt", "[Differentiable] public static double F(double x) => Math.Sqrt(x);", "F", Accept: (s, _) => s[0] > 0.1),
        new("PowConstant", "[Differentiable] public static double F(double x) => Math.Pow(x, 3);", "F"),
        new("PowBoth", "[Differentiable] public static double F(double x, double y) => Math.Pow(x, y);", "F", Accept: (s, _) => s[0] > 0.1),
        new("Abs", "[Differentiable] public static double F(double x) => Math.Abs(x);", "F", Accept: (s, _) => Check.Away(s[0], 0)),
        new("Tanh", "[Differentiable] public static double F(double x) => Math.Tanh(x);", "F"),
        new("Sinh", "[Differentiable] public static double F(double x) => Math.Sinh(x);", "F"),
        new("Cosh", "[Differentiable] public static double F(double x) => Math.Cosh(x);", "F"),
        new("Asin", "[Differentiable] public static double F(double x) => Math.Asin(x);", "F", Accept: (s, _) => Math.Abs(s[0]) < 0.9),
        new("Acos", "[Differentiable] public static double F(double x) => Math.Acos(x);", "F", Accept: (s, _) => Math.Abs(s[0]) < 0.9),
        new("Atan", "[Differentiable] public static double F(double x) => Math.Atan(x);", "F"),
        new("Atan2", "[Differentiable] public static double F(double y, double x) => Math.Atan2(y, x);", "F", Accept: (s, _) => Math.Abs(s[0]) + Math.Abs(s[1]) > 0.2 && !(s[1] < 0 && Math.Abs(s[0]) < 0.05)),
        new("Max", "[Differentiable] public static double F(double x, double y) => Math.Max(x, y);", "F", Accept: (s, _) => Check.Away(s[0], s[1])),
        new("Min", "[Differentiable] public static double F(double x, double y) => Math.Min(x, y);", "F", Accept: (s, _) => Check.Away(s[0], s[1])),
        new("Relu", "[Differentiable] public static double F(double z) => Math.Max(0, z);", "F", Accept: (s, _) => Check.Away(s[0], 0)),

        // Arithmetic, constants and locals.
        new("Arithmetic", "[Differentiable] public static double F(double x, double y) => (x - y) / (x * x + 1) - -y * 3 + 1 / (2 + y * y);", "F"),
        new("Constants", "const double K = 0.5; static readonly double Scale = 3; [Differentiable] public static double F(double x) => -K * x * x + Math.PI * Scale * x + Math.E;", "F"),
        new("Reassignment", "[Differentiable] public static double F(double x, double y) { double t = x; t = t * t + y; t *= x; t /= 1 + y * y; t -= x; t += Math.Sin(t); return t; }", "F"),
        new("BareDeclaration", "[Differentiable] public static double F(double x) { double t; t = Math.Exp(x) * x; return t * t; }", "F"),
        new("ParameterOverwritten", "[Differentiable] public static double F(double x, double y) { x = x * y; y = y + x; return x * y; }", "F"),
        new("NestedCalls", "[Differentiable] public static double F(double x, double y) => Math.Exp(Math.Sin(x * y) + Math.Cos(Math.Tanh(x) / (1 + y * y)));", "F"),
        new("WrtSubset", "[Differentiable(nameof(y))] public static double F(double x, double y) => x * y * y + Math.Sin(x);", "F"),
        new("NoGradient", "[Differentiable] public static double F(double x, [NoGradient] double y) => x * y * y;", "F"),
        new("SharedAcrossStatements", "[Differentiable] public static double F(double x, double y) => Math.Tanh(x * y) * x + Math.Tanh(x * y) * y;", "F"),
        new("SharedThenReassigned", "[Differentiable] public static double F(double x, double y) { double a = Math.Sin(x) * Math.Sin(x) * y; x = x * y; double b = Math.Sin(x) * Math.Sin(x) + a; return b * x; }", "F"),

        // Loops and arrays.
        new("Dot", "[Differentiable] public static double F(double[] u, ReadOnlySpan<double> v) { double s = 0; for (int i = 0; i < u.Length; i++) s += u[i] * v[i]; return s; }", "F", [4, 4]),
        new("ConstantIndices", "[Differentiable] public static double F(double[] v, double x) { double t = v[0] * x; t += Math.Sin(v[1]) * v[0]; return t; }", "F", [4]),
        new("SpanParam", "[Differentiable] public static double F(Span<double> v, double c) { double s = 0; for (int i = 0; i < v.Length; i++) { double t = Math.Tanh(v[i] * c); s += t * t; } return Math.Sqrt(s + 1); }", "F", [5]),
        new("SubtractInLoop", "[Differentiable] public static double F(double[] v, double a) { double s = a * a; for (int i = v.Length - 1; i >= 0; i--) { s -= v[i] * a; } return s * 2; }", "F", [3]),
        new("StepOfTwo", "[Differentiable] public static double F(double[] v) { double s = 0; for (int i = 0; i < v.Length; i += 2) s += v[i] * v[i + 1]; return s; }", "F", [6]),
        new("LocalBeforeLoop", "[Differentiable] public static double F(double[] v, double w) { double scale = w * 2; double s = 0; for (int i = 0; i < v.Length; i++) s += scale * v[i] * v[i]; return s / v.Length; }", "F", [3]),
        new("AccumulatorReadBeforeLoop", "[Differentiable] public static double F(double[] v, double x) { double s = x * x; double t = s * s; for (int i = 0; i < v.Length; i++) s += v[i] * x; return s * t; }", "F", [3]),
        new("TwoLoops", "[Differentiable] public static double F(double[] v) { double m = 0; for (int i = 0; i < v.Length; i++) m += v[i]; m = m / v.Length; double var = 0; for (int i = 0; i < v.Length; i++) { double d = v[i] - m; var += d * d; } return var; }", "F", [4]),
        new("NestedLoops", "[Differentiable] public static double F(double[] W, double[] x, int rows) { int cols = x.Length; double s = 0; for (int r = 0; r < rows; r++) { double z = 0; for (int c = 0; c < cols; c++) z += W[r * cols + c] * x[c]; s += Math.Tanh(z); } return s; }", "F", [6, 3], [2]),
        new("NoGradientData", "[Differentiable(nameof(w), nameof(b))] public static double F(double w, double b, [NoGradient] double[] xs, double[] ys) { double s = 0; for (int i = 0; i < xs.Length; i++) { double e = w * xs[i] + b - ys[i]; s += e * e; } return s / xs.Length; }", "F", [4, 4]),
        new("FixedIndices", "[Differentiable] public static double F(double[] p) => p[0] * p[1] + Math.Exp(p[2]) * p[0];", "F", [3]),

        // Calls between generated methods.
        new("CallScalar", "[Differentiable] public static double G(double a, double b) => a * Math.Sin(b); [Differentiable] public static double F(double x, double y) => G(x * y, x) + G(y, y * y) * x;", "F"),
        new("CallArrays", "[Differentiable] public static double Dot(double[] u, double[] v) { double s = 0; for (int i = 0; i < u.Length; i++) s += u[i] * v[i]; return s; } [Differentiable] public static double F(double[] a, [NoGradient] double[] b, double c) => Dot(a, b) * c + Dot(a, a);", "F", [3, 3]),
        new("CallInLoop", "[Differentiable] public static double Sq(double u) => u * u; [Differentiable] public static double F(double[] v, double w) { double s = 0; for (int i = 0; i < v.Length; i++) s += Sq(v[i] * w); return s; }", "F", [3]),
        new("CallWithSubset", "[Differentiable(nameof(a))] public static double G(double a, double b) => a * b * b; [Differentiable] public static double F(double x, [NoGradient] double y) => G(x, y) + G(x * 2, 3);", "F"),
        new("SharedAcrossACall", "[Differentiable] public static double G(double a, double b) => a * Math.Sin(b); [Differentiable] public static double F(double w, double b) { double g = G(w, b); return g * Math.Sqrt(1 + b * b) + Math.Sqrt(1 + b * b); }", "F"),
        new("CallOtherType", "[Differentiable] public static double F(double x) => Other.H(x) * 2; } public static partial class Other { [Differentiable] public static double H(double t) => Math.Exp(-t * t);", "F"),
    ];

    public static IEnumerable<object[]> CaseData => Cases.Select(c => new object[] { c });

    [Fact]
    public void A_shared_call_is_computed_once_per_method_while_its_arguments_are_unchanged()
    {
        // Both adjoint statements of Backward need tanh(x·y): one local serves both, and
        // Gradient's return value reuses it too.
        string source = Sources.InClass(Cases.Single(c => c.Name == "SharedAcrossStatements").Members);
        string generated = Harness.GeneratedSource(source, "Cases.C.F.g.cs");
        foreach (string method in new[] { "FGradient(", "FBackward(" })
        {
            int start = generated.IndexOf("public static double " + method, StringComparison.Ordinal);
            start = start >= 0 ? start : generated.IndexOf("public static void " + method, StringComparison.Ordinal);
            int end = generated.IndexOf("\n    }", start, StringComparison.Ordinal);
            // Code lines only: the comments quote the source, which calls Tanh twice.
            string[] code = generated.Substring(start, end - start).Split('\n').Where(line => !line.TrimStart().StartsWith("//", StringComparison.Ordinal)).ToArray();
            Assert.Equal(1, code.Sum(line => line.Split("Math.Tanh(").Length - 1));
        }
    }

    [Fact]
    public void A_shared_call_outlives_a_pullback_that_does_not_assign_its_arguments()
    {
        // GBackward writes the adjoints dw and db only, so the sqrt(1 + b²) that the backward
        // sweep computes before it still holds for Gradient's return value after it.
        string source = Sources.InClass(Cases.Single(c => c.Name == "SharedAcrossACall").Members);
        string generated = Harness.GeneratedSource(source, "Cases.C.F.g.cs");
        int start = generated.IndexOf("public static double FGradient(", StringComparison.Ordinal);
        string body = generated.Substring(start, generated.IndexOf("\n    }", start, StringComparison.Ordinal) - start);
        string[] code = body.Split('\n').Where(line => !line.TrimStart().StartsWith("//", StringComparison.Ordinal)).ToArray();
        Assert.Contains(code, line => line.Contains("GBackward(", StringComparison.Ordinal));
        Assert.Equal(1, code.Sum(line => line.Split("Math.Sqrt(").Length - 1));
    }

    [Theory]
    [MemberData(nameof(CaseData))]
    public void Generated_methods_match_central_differences(Case c)
    {
        var probe = Probe.For("Cases.C", c.Method, Sources.InClass(c.Members));
        Check.AtRandomPoints(probe, c.Arrays, c.Ints, accept: c.Accept);
    }
}
