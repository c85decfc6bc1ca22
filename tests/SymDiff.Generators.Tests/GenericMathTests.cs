using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Text;
using SymDiff.Generators.Model;
using SymDiff.Generators.Tests.Infrastructure;
using Xunit;
using Case = SymDiff.Generators.Tests.GeneratedMethodTests.Case;

namespace SymDiff.Generators.Tests;

/// <summary>
/// Generic-math methods (<c>T Loss&lt;T&gt;(T w, T b) where T : IFloatingPointIeee754&lt;T&gt;</c>):
/// the generated methods are generic with the same constraint, so one method serves float and
/// double. Each case runs at T = double against central differences in both modes (the probe's
/// calls infer T from double arguments), and at T = float against the double instantiation.
/// </summary>
public class GenericMathTests
{
    public static readonly Case[] Cases =
    [
        new("Arithmetic", "[Differentiable] public static T F<T>(T w, T b) where T : IFloatingPointIeee754<T> { T two = T.CreateChecked(2); T r = w * two + b - T.One; return r * r / two + -w * b; }", "F"),
        new("Functions", "[Differentiable] public static T F<T>(T x, T y) where T : IFloatingPointIeee754<T> => T.Sin(x) * T.Exp(y) + T.Sqrt(x * x + T.One) + T.Pow(y * y + T.One, x) + T.Max(x, y) + T.Min(x, -y) + T.Tanh(x * y) + T.Atan2(x, y) + T.Abs(y) + T.Log(y * y + T.CreateChecked(0.5)) + T.Cbrt(x + T.CreateChecked(3)) + T.Clamp(x, -T.One, T.One) + T.Log(x * x + T.One, T.CreateChecked(3)) + T.Cos(y) / T.Cosh(x) + T.Asin(T.Sin(x) / T.CreateChecked(2)) + T.Atan(y) + T.Log2(y * y + T.One) + T.Log10(x * x + T.CreateChecked(2)) + T.FusedMultiplyAdd(x, y, x);", "F",
            Accept: (s, _) => Check.Away(s[0], s[1]) && Check.Away(s[0], -s[1]) && Check.Away(s[1], 0) && Check.Away(Math.Abs(s[0]), 1)),
        new("Constants", "[Differentiable] public static T F<T>(T x) where T : IFloatingPointIeee754<T> => T.Pi * x * x + T.E * T.Sin(T.Tau * x) + T.NegativeOne * x + T.Epsilon * x;", "F"),
        new("IntegerConversions", "[Differentiable] public static T F<T>(T[] v, T a, int n) where T : IFloatingPointIeee754<T> { T s = T.Zero; for (int i = 0; i < v.Length; i++) s += v[i] * a / T.CreateChecked(n + i) + T.CreateTruncating(i) * v[i]; return s * T.CreateChecked(v.Length); }", "F", [4], Ints: [3]),
        new("ArraysAndSpans", "[Differentiable] public static T F<T>(ReadOnlySpan<T> x, T[] w, T b) where T : IFloatingPointIeee754<T> { T loss = T.Zero; for (int i = 0; i < x.Length; i++) { T r = w[i] * x[i] + b; loss += r * r; } return loss / T.CreateChecked(x.Length); }", "F", [3, 3]),
        new("Branches", "[Differentiable] public static T F<T>(T x, T y) where T : IFloatingPointIeee754<T> { T r = x > T.Zero ? x * y : y - x; if (y < T.CreateChecked(0.5)) r *= T.Exp(x); int k = x < -T.One ? 1 : 2; return k switch { 1 => r, _ => r + x * x }; }", "F",
            Accept: (s, _) => Check.Away(s[0], 0) && Check.Away(s[1], 0.5) && Check.Away(s[0], -1)),
        new("TapedLoop", "[Differentiable] public static T F<T>(T[] v, T a) where T : IFloatingPointIeee754<T> { T acc = a; foreach (T e in v) { acc = T.Tanh(acc) * e + a; if (acc > T.One) break; } return acc; }", "F", [5],
            Accept: (s, a) => true),
        new("LocalArrays", "[Differentiable] public static T F<T>(T[] v, T x) where T : IFloatingPointIeee754<T> { T[] buf = new T[3]; for (int i = 0; i < v.Length; i++) { buf[i % 3] += v[i] * x; buf[(i + 1) % 3] = T.Sin(buf[i % 3]); } return buf[0] * buf[1] + buf[2]; }", "F", [4]),
        new("CallsBetweenGenericMethods", "[Differentiable] public static T Sq<T>(T x) where T : IFloatingPointIeee754<T> => x * x; [Differentiable] public static T F<T>(T x, T y) where T : IFloatingPointIeee754<T> => Sq(x * y) + T.Sin(Sq(y));", "F"),
        new("NarrowerInterfaceThatExtendsIt", "[Differentiable] public static T F<T>(T x, T y) where T : IBinaryFloatingPointIeee754<T> => T.Exp(x) * y - T.Log(T.One + y * y);", "F"),
    ];

    public static IEnumerable<object[]> CaseData => Cases.Select(c => new object[] { c });

    public static string Source(string members) => Sources.InClass(members).Replace("using System;", "using System;\nusing System.Numerics;");

    [Theory]
    [MemberData(nameof(CaseData))]
    public void At_double_the_generated_methods_match_central_differences(Case c)
    {
        var probe = Probe.For("Cases.C", c.Method, Source(c.Members));
        Check.AtRandomPoints(probe, c.Arrays, c.Ints, accept: c.Accept, range: c.Range);
    }

    [Theory]
    [MemberData(nameof(CaseData))]
    public void At_float_the_same_generated_methods_agree_with_double(Case c)
    {
        string source = Source(c.Members);
        var probe = Probe.For("Cases.C", c.Method, source);
        Type single = Harness.Load(source, SingleWrapper(c.Method, probe.Parameters)).GetType("SingleWrapper")!;
        var random = new Random(271828);
        int[] lengths = c.Arrays ?? Enumerable.Repeat(3, probe.Arrays).ToArray();
        long[] ints = c.Ints ?? new long[probe.Ints];
        for (int done = 0, attempt = 0; done < 4 && attempt < 200; attempt++)
        {
            // Points exact in float, so that both instantiations see the same inputs.
            double Next() => (float)((random.NextDouble() * 2 - 1) * c.Range);
            double[] s = Enumerable.Range(0, probe.Scalars).Select(_ => Next()).ToArray();
            double[][] a = lengths.Select(n => Enumerable.Range(0, n).Select(_ => Next()).ToArray()).ToArray();
            if (c.Accept is not null && !c.Accept(s, a))
            {
                continue;
            }

            var gs = new double[s.Length];
            double[][] ga = a.Select(x => new double[x.Length]).ToArray();
            double value = probe.Gradient(s, a, ints, gs, ga);
            var fs = new double[s.Length];
            double[][] fa = a.Select(x => new double[x.Length]).ToArray();
            double floatValue = Invoke(single, "Gradient", s, a, ints, fs, fa);
            Close(value, floatValue, "value");
            for (int i = 0; i < gs.Length; i++)
            {
                Close(gs[i], fs[i], $"scalar adjoint {i}");
            }

            for (int k = 0; k < ga.Length; k++)
            {
                for (int i = 0; i < ga[k].Length; i++)
                {
                    Close(ga[k][i], fa[k][i], $"array adjoint {k}[{i}]");
                }
            }

            double[] ts = s.Select(_ => random.NextDouble() - 0.5).Select(t => (double)(float)t).ToArray();
            double[][] ta = a.Select(x => x.Select(_ => (double)(float)(random.NextDouble() - 0.5)).ToArray()).ToArray();
            Close(probe.Derivative(s, a, ints, ts, ta), Invoke(single, "Derivative", s, a, ints, ts, ta), "derivative");
            done++;
        }
    }

    // float carries about 7 digits; a chain of a few operations keeps 4 of them.
    private static void Close(double expected, double actual, string what) =>
        Assert.True(Math.Abs(expected - actual) <= 1e-3 * (1 + Math.Abs(expected)), $"{what}: double {expected}, float {actual}");

    private static double Invoke(Type wrapper, string name, params object[] args)
    {
        try
        {
            return (double)wrapper.GetMethod(name)!.Invoke(null, args)!;
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            throw e.InnerException;
        }
    }

    // Calls Gradient and Derivative at T = float, converting the probe's double arrays.
    private static string SingleWrapper(string method, Probe.Signature[] ps)
    {
        var args = new List<string>();
        var adjoints = new List<string>();
        var tangents = new List<string>();
        var copyBack = new StringBuilder();
        var before = new StringBuilder();
        foreach (Probe.Signature p in ps)
        {
            switch (p.Kind)
            {
                case ParamKind.Double:
                    args.Add($"(float)s[{p.Slot}]");
                    if (p.Differentiable)
                    {
                        before.Append($"float g{p.Slot}; ");
                        adjoints.Add($"out g{p.Slot}");
                        tangents.Add($"(float)ts[{p.Slot}]");
                        copyBack.Append($"gs[{p.Slot}] = g{p.Slot}; ");
                    }

                    break;
                case ParamKind.Int:
                    args.Add($"(int)n[{p.Slot}]");
                    break;
                default:
                    args.Add($"F32(a[{p.Slot}])");
                    if (p.Differentiable)
                    {
                        before.Append($"float[] h{p.Slot} = new float[a[{p.Slot}].Length]; ");
                        adjoints.Add($"h{p.Slot}");
                        tangents.Add($"F32(ta[{p.Slot}])");
                        copyBack.Append($"for (int i = 0; i < h{p.Slot}.Length; i++) ga[{p.Slot}][i] = h{p.Slot}[i]; ");
                    }

                    break;
            }
        }

        string call = string.Join(", ", args);
        return $$"""
            public static class SingleWrapper
            {
                private static float[] F32(double[] v) => System.Array.ConvertAll(v, x => (float)x);

                public static double Gradient(double[] s, double[][] a, long[] n, double[] gs, double[][] ga)
                {
                    {{before}}
                    float value = global::Cases.C.{{method}}Gradient({{string.Join(", ", args.Concat(adjoints))}});
                    {{copyBack}}
                    return value;
                }

                public static double Derivative(double[] s, double[][] a, long[] n, double[] ts, double[][] ta) =>
                    global::Cases.C.{{method}}Derivative({{string.Join(", ", args.Concat(tangents))}});
            }
            """;
    }

    /// <summary>The line fit of the seed article, written once over T.</summary>
    public const string GenericLineFit = """
            [Differentiable]
            public static T Loss<T>(T w, T b, [NoGradient] ReadOnlySpan<T> xs, [NoGradient] ReadOnlySpan<T> ys)
                where T : IFloatingPointIeee754<T>
            {
                T sum = T.Zero;
                for (int i = 0; i < xs.Length; i++)
                {
                    T error = w * xs[i] + b - ys[i];
                    sum += error * error;
                }

                return sum / T.CreateChecked(xs.Length);
            }
        """;

    [Fact]
    public void The_generic_line_fit_gives_the_seed_figures_in_both_precisions()
    {
        // At (w, b) = (−3, 3) the residuals are 12, 7, 2, −3, −8: loss 54, ∂/∂w −20, ∂/∂b 4 (to rounding: 2·Σr/5 is 4 + 2e-15 in double).
        const string members = GenericLineFit + """
            public static double[] AtDouble(double w, double b) { double[] x = [-2, -1, 0, 1, 2], y = [-3, -1, 1, 3, 5]; double loss = LossGradient<double>(w, b, x, y, out double dw, out double db); return [loss, dw, db]; }
            public static float[] AtFloat(float w, float b) { float[] x = [-2, -1, 0, 1, 2], y = [-3, -1, 1, 3, 5]; float loss = LossGradient<float>(w, b, x, y, out float dw, out float db); return [loss, dw, db]; }
            """;
        Type c = Harness.Load(Source(members)).GetType("Cases.C")!;
        double[] atDouble = (double[])c.GetMethod("AtDouble")!.Invoke(null, [-3.0, 3.0])!;
        float[] atFloat = (float[])c.GetMethod("AtFloat")!.Invoke(null, [-3f, 3f])!;
        double[] expected = [54, -20, 4];
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(expected[i], atDouble[i], 12);
            Assert.Equal(expected[i], atFloat[i], 5);
        }
    }

    [Fact]
    public void The_generated_methods_are_generic_with_the_methods_constraint()
    {
        string generated = Harness.GeneratedSource(Source("[Differentiable] public static T F<T>(T x) where T : IFloatingPointIeee754<T> => T.Sin(x) * T.CreateChecked(3);"), "Cases.C.F.g.cs");
        Assert.Contains("public static T FGradient<T>(T x, out T dx) where T : global::System.Numerics.IFloatingPointIeee754<T>", generated);
        Assert.Contains("public static void FBackward<T>(T x, T dF, ref T dx) where T : global::System.Numerics.IFloatingPointIeee754<T>", generated);
        Assert.Contains("public static T FDerivative<T>(T x, T dx) where T : global::System.Numerics.IFloatingPointIeee754<T>", generated);
        // Transcendental functions go through GenericMath (Math.Cos itself for double, MathF.Cos
        // for float, T.Cos otherwise); nothing is written for one precision; formulas say T.Cos.
        string code = generated.Split('\n').Where(l => !l.TrimStart().StartsWith("///", StringComparison.Ordinal)).Aggregate(string.Empty, string.Concat);
        Assert.Contains("global::SymDiff.GenericMath.Cos(x)", code);
        Assert.DoesNotContain("System.Math", code);
        Assert.DoesNotContain("T.Cos", code);
        Assert.Contains("Cos(x)", generated.Split('\n').Where(l => l.TrimStart().StartsWith("///", StringComparison.Ordinal)).Aggregate(string.Empty, string.Concat));
        Assert.DoesNotContain("GenericMath", generated.Split('\n').Where(l => l.TrimStart().StartsWith("///", StringComparison.Ordinal)).Aggregate(string.Empty, string.Concat));
    }

    [Fact]
    public void A_generic_second_order_method_gets_generic_Hessians_and_Jacobians()
    {
        const string members = """
            [Differentiable(Hessian = true)] public static T F<T>(T[] v, T a) where T : IFloatingPointIeee754<T> { T s = a; for (int i = 0; i < v.Length; i++) s = T.Sin(s) * v[i] + a * a; return s; }
            [Differentiable(Jacobian = true)] public static void G<T>(ReadOnlySpan<T> x, T w, [Output] Span<T> y) where T : IFloatingPointIeee754<T> { for (int i = 0; i < x.Length; i++) y[i] = T.Exp(x[i] * w); }
            public static double[] Hessian(double[] v, double a) { var h = new double[(v.Length + 1) * (v.Length + 1)]; FHessian(v, a, new double[v.Length], out _, h); return h; }
            public static float[] HessianSingle(float[] v, float a) { var h = new float[(v.Length + 1) * (v.Length + 1)]; FHessian(v, a, new float[v.Length], out _, h); return h; }
            public static double F64(double[] v, double a) => F(v, a);
            public static float[] Jacobian(float[] x, float w) { var j = new float[x.Length * (x.Length + 1)]; GJacobian(x, w, new float[x.Length], j); return j; }
            """;
        Type c = Harness.Load(Source(members)).GetType("Cases.C")!;
        double[] v = [0.3, -0.8, 0.5];
        double a = 0.7;
        double[] h = (double[])c.GetMethod("Hessian")!.Invoke(null, [v, a])!;
        float[] hs = (float[])c.GetMethod("HessianSingle")!.Invoke(null, [v.Select(x => (float)x).ToArray(), (float)a])!;
        double F(double[] p) => (double)c.GetMethod("F64")!.Invoke(null, [p.Take(3).ToArray(), p[3]])!;
        double[] point = [.. v, a];
        for (int r = 0; r < 4; r++)
        {
            for (int k = 0; k < 4; k++)
            {
                // A central difference of central differences: the second partial ∂²F/∂p_r∂p_k.
                const double step = 1e-4;
                double At(double dr, double dk)
                {
                    double[] p = (double[])point.Clone();
                    p[r] += dr;
                    p[k] += dk;
                    return F(p);
                }

                double numerical = (At(step, step) - At(step, -step) - At(-step, step) + At(-step, -step)) / (4 * step * step);
                Assert.Equal(numerical, h[r * 4 + k], 4);
                Assert.Equal(h[r * 4 + k], hs[r * 4 + k], 3);
            }
        }

        float[] x = [0.2f, -0.4f];
        float w = 1.3f;
        float[] j = (float[])c.GetMethod("Jacobian")!.Invoke(null, [x, w])!;
        for (int i = 0; i < 2; i++)
        {
            // y_i = exp(x_i w): ∂y_i/∂x_i = w y_i, ∂y_i/∂w = x_i y_i; columns x0, x1, w.
            float y = MathF.Exp(x[i] * w);
            Assert.Equal(w * y, j[i * 3 + i], 4);
            Assert.Equal(0, j[i * 3 + (1 - i)], 6);
            Assert.Equal(x[i] * y, j[i * 3 + 2], 4);
        }
    }
}
