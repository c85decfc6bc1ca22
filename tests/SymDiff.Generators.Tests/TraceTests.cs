using System;
using System.Linq;
using System.Reflection;
using SymDiff.Generators.Tests.Infrastructure;
using Xunit;

namespace SymDiff.Generators.Tests;

/// <summary>
/// <c>[Differentiable(Trace = true)]</c>: the generated <c>FTrace</c> records the seed articles'
/// numbers (line fit, 3-2-2 network), gives the same value and gradient as <c>FGradient</c> on
/// every kind of method (straight-line, loops, taped branches, float, generic, structs, calls),
/// leaves the tape as it found it, and caps long loops with a summary row.
/// </summary>
public class TraceTests
{
    /// <summary>The line fit of samples/LineFit with a trace (also the LineFit snapshot).</summary>
    public const string LineFit = """
            public static readonly double[] X = { -2, -1, 0, 1, 2 };
            public static readonly double[] Y = { -3, -1, 1, 3, 5 };

            [Differentiable(Trace = true)]
            public static double Loss(double w, double b)
            {
                double sum = 0;
                for (int i = 0; i < X.Length; i++)
                {
                    double error = w * X[i] + b - Y[i];
                    sum += error * error;
                }

                return sum / X.Length;
            }
        """;

    [Fact]
    public void Line_fit_trace_shows_the_residuals_loss_and_gradient_of_the_seed_article()
    {
        Type type = Harness.Load(Sources.InClass(LineFit)).GetType("Cases.C")!;
        var trace = new GradientTrace();
        double loss = (double)Call(type, "LossTrace", -3.0, 3.0, trace);

        Assert.Equal(54, loss, 12);
        Assert.Equal(54, trace.Value, 12);
        Assert.Equal([12.0, 7, 2, -3, -8], Rows(trace.Forward, TraceStepKind.Statement, "error").Select(r => r.Value));
        Assert.Equal([0.0, 1, 2, 3, 4], trace.Forward.Where(r => r.Kind == TraceStepKind.Iteration).Select(r => r.Value));
        Assert.Equal(-20, trace.GradientOf("w"), 12);
        Assert.Equal(4, trace.GradientOf("b"), 12);

        // The first backward steps: dSum = 1/5 · dLoss, then dError = 2·error · dSum = 24 · 0.2 = 4.8.
        TraceStep dSum = Rows(trace.Backward, TraceStepKind.Adjoint, "dSum").Single();
        Assert.Equal((0.2, 1.0, 0.2), (dSum.FactorValue, dSum.IncomingValue, dSum.Value));
        Assert.Equal("dLoss", dSum.Incoming);
        TraceStep dError = Rows(trace.Backward, TraceStepKind.Adjoint, "dError").First();
        Assert.Equal(("2 * error", "dSum"), (dError.Factor, dError.Incoming));
        Assert.Equal(24, dError.FactorValue, 12);
        Assert.Equal(0.2, dError.IncomingValue, 12);
        Assert.Equal(4.8, dError.Value, 12);
        Assert.Equal([4.8, 2.8, 0.8, -1.2, -3.2], Rows(trace.Backward, TraceStepKind.Adjoint, "dError").Select(r => Math.Round(r.Value, 12)));

        // dw accumulates X[i] · dError over the five points: −9.6, −12.4, −12.4, −13.6, −20.
        TraceStep[] dw = Rows(trace.Backward, TraceStepKind.Adjoint, "dw").ToArray();
        Assert.All(dw, r => Assert.True(r.Accumulates));
        Assert.Equal([-9.6, -12.4, -12.4, -13.6, -20], dw.Select(r => Math.Round(r.Value, 12)));

        // Same numbers as the generated gradient.
        object[] args = [-3.0, 3.0, 0.0, 0.0];
        Assert.Equal(loss, (double)type.GetMethod("LossGradient")!.Invoke(null, args)!, 12);
        Assert.Equal((double)args[2], trace.GradientOf("w"), 12);
        Assert.Equal((double)args[3], trace.GradientOf("b"), 12);

        Assert.Contains("dError = 2 * error × dSum = 24 × 0.2 = 4.8", trace.ToText(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("straight-line")]
    [InlineData("loops and a local activation array")]
    public void Three_two_two_network_trace_shows_every_activation_and_all_fourteen_gradients(string form)
    {
        string method = (form == "straight-line" ? SeedFigureTests.Network : SeedFigureTests.NetworkWithLoops)
            .Replace("nameof(b2))]", "nameof(b2), Trace = true)]", StringComparison.Ordinal);
        Type type = Harness.Load(Sources.InClass(method)).GetType("Cases.C")!;
        double[] W1 = [0.1, 0.2, -0.1, -0.2, 0.1, 0.3], b1 = [0.1, -0.1], W2 = [0.2, -0.1, 0.1, 0.2], b2 = [0.05, 0.1];
        var trace = new GradientTrace(maxStepsPerLine: 50);
        double loss = (double)Call(type, "NetLossTrace", W1, b1, W2, b2, new double[] { 4, 7, 0.85 }, new double[] { 0.9, 0.8 }, trace);

        Assert.Equal(0.5001125, loss, 12);
        double[] values = trace.Forward.Where(r => r.Kind == TraceStepKind.Statement).Select(r => r.Value).ToArray();
        foreach (double expected in new[] { 1.815, 0.055, 0.4075, 0.2925, -0.4925, -0.5075 })
        {
            Assert.Contains(values, v => Math.Abs(v - expected) < 1e-12);
        }

        double[] article =
        [
            -1.194, -2.0895, -0.253725, -0.418, -0.7315, -0.088825,
            -0.2985, -0.1045,
            -1.787775, -0.054175, -1.842225, -0.055825,
            -0.985, -1.015,
        ];
        string[] names = [.. Names("W1", 6), .. Names("b1", 2), .. Names("W2", 4), .. Names("b2", 2)];
        Assert.Equal(names, trace.Gradient.Select(g => g.Name));
        for (int i = 0; i < names.Length; i++)
        {
            Assert.Equal(article[i], trace.GradientOf(names[i]), 12);
        }

        // The matrix form's δ vectors appear as adjoints: δ2 = 2e = (−0.985, −1.015), δ1 = W2ᵀδ2 ⊙ relu′(z1) = (−0.2985, −0.1045).
        double[] adjoints = trace.Backward.Where(r => r.Kind == TraceStepKind.Adjoint).Select(r => r.Value).ToArray();
        foreach (double delta in new[] { -0.985, -1.015, -0.2985, -0.1045 })
        {
            Assert.Contains(adjoints, v => Math.Abs(v - delta) < 1e-12);
        }
    }

    /// <summary>A taped loop with a branch (also the TapedTrace snapshot).</summary>
    public const string Taped = """
            [Differentiable(Trace = true)]
            public static double Taped(double x, double[] v)
            {
                double acc = x;
                for (int i = 0; i < v.Length; i++)
                {
                    if (acc > 0) acc = Math.Tanh(acc) * v[i];
                    else acc += v[i] * x;
                }

                return acc * acc;
            }
        """;

    private const string Kinds = """
            public record struct XY(double X, double Y);

            public static partial class K
            {
        """ + Taped + """

                [Differentiable(Trace = true)]
                public static double Early(double x, double[] v)
                {
                    double s = 0;
                    int n = 0;
                    while (n < v.Length)
                    {
                        if (s > 3) break;
                        s += Math.Exp(v[n] * x);
                        n++;
                    }

                    return Math.Log(s + 1);
                }

                [Differentiable(Trace = true)]
                public static float Single(float x, float[] v)
                {
                    float s = 0;
                    for (int i = 0; i < v.Length; i++) s += MathF.Exp(v[i] * x);
                    return MathF.Log(s);
                }

                [Differentiable(Trace = true)]
                public static T Generic<T>(T x, T y) where T : System.Numerics.IFloatingPointIeee754<T>
                {
                    T z = T.Sin(x) * y + T.CreateChecked(2) * x;
                    return z * z;
                }

                [Differentiable(Trace = true)]
                public static double Struct(XY p, double[] v)
                {
                    double s = p.X * p.Y;
                    for (int i = 0; i < v.Length; i++) s += v[i] * Math.Sin(p.X);
                    return s;
                }

                [Differentiable]
                public static double Sq(double a) => a * a;

                [Differentiable]
                public static double Squares(ReadOnlySpan<double> s)
                {
                    double t = 0;
                    foreach (double e in s) t += e * e;
                    return t;
                }

                [Differentiable(Trace = true)]
                public static double Calls(double x, double[] v)
                {
                    double[] a = [x * v[0], x, v[2] * v[1]];
                    double u = Sq(x + v[0]) * 3 + Squares(v[1..]) * x + Squares(a.AsSpan(1, 2));
                    return Sq(u) + x * v[1];
                }
            }
        """;

    // FGradient of each method, called with plain arrays: g receives the gradient in parameter order.
    private const string GradientWrappers = """
            public static class W
            {
                public static double Taped(double x, double[] v, double[] g) => K.TapedGradient(x, v, out g[0], g.AsSpan(1));
                public static double Early(double x, double[] v, double[] g) => K.EarlyGradient(x, v, out g[0], g.AsSpan(1));
                public static double Calls(double x, double[] v, double[] g) => K.CallsGradient(x, v, out g[0], g.AsSpan(1));
                public static double Struct(double x, double y, double[] v, double[] g)
                {
                    double r = K.StructGradient(new XY(x, y), v, out XY d, g.AsSpan(2));
                    (g[0], g[1]) = (d.X, d.Y);
                    return r;
                }

                public static double Single(double x, double[] v, double[] g)
                {
                    float[] f = Array.ConvertAll(v, e => (float)e), d = new float[v.Length];
                    float r = K.SingleGradient((float)x, f, out float dx, d);
                    g[0] = dx;
                    for (int i = 0; i < d.Length; i++) g[i + 1] = d[i];
                    return r;
                }
            }
        """;

    [Fact]
    public void Trace_gives_the_gradients_value_and_gradient_for_every_kind_of_method()
    {
        const string source = "using System;\nusing SymDiff;\nnamespace Cases;\n" + Kinds + GradientWrappers;
        Assembly assembly = Harness.Load(source);
        Type type = assembly.GetType("Cases.K")!, wrappers = assembly.GetType("Cases.W")!;
        string[] xv = ["x", "v[0]", "v[1]", "v[2]"];
        var random = new Random(26);
        for (int point = 0; point < 6; point++)
        {
            double x = random.NextDouble() * 2 - 1, y = random.NextDouble() * 2 - 1;
            double[] v = [random.NextDouble() * 2 - 1, random.NextDouble() * 2 - 1, random.NextDouble() * 2 - 1];
            foreach (string method in new[] { "Taped", "Early", "Calls" })
            {
                Same(g => (double)Call(wrappers, method, x, v, g), t => Call(type, method + "Trace", x, v, t), xv, 1e-12);
            }

            Same(g => (double)Call(wrappers, "Single", x, v, g), t => Call(type, "SingleTrace", (float)x, v.Select(e => (float)e).ToArray(), t), xv, 1e-5);

            object p = Activator.CreateInstance(assembly.GetType("Cases.XY")!, x, y)!;
            Same(g => (double)Call(wrappers, "Struct", x, y, v, g), t => Call(type, "StructTrace", p, v, t), ["p.X", "p.Y", "v[0]", "v[1]", "v[2]"], 1e-12);

            MethodInfo gradient = type.GetMethod("GenericGradient")!.MakeGenericMethod(typeof(double));
            MethodInfo traced = type.GetMethod("GenericTrace")!.MakeGenericMethod(typeof(double));
            Same(
                g =>
                {
                    object[] args = [x, y, 0.0, 0.0];
                    double value = (double)gradient.Invoke(null, args)!;
                    (g[0], g[1]) = ((double)args[2], (double)args[3]);
                    return value;
                },
                t => traced.Invoke(null, [x, y, t])!,
                ["x", "y"],
                1e-12);
        }
    }

    [Fact]
    public void Taped_trace_records_each_save_and_its_restore_and_each_decision()
    {
        const string source = "using System;\nusing SymDiff;\nnamespace Cases;\n" + Kinds;
        Type type = Harness.Load(source).GetType("Cases.K")!;
        var trace = new GradientTrace(maxStepsPerLine: 100);
        Call(type, "TapedTrace", 0.5, new double[] { 0.3, -2, 0.7 }, trace);

        // acc > 0 twice, then not: the tanh branch saves acc twice, the other branch's += needs nothing.
        Assert.Equal([1.0, 1, 0], trace.Forward.Where(r => r.Kind == TraceStepKind.Decision).Select(r => r.Value));
        string[] saved = trace.Forward.Where(r => r.Kind == TraceStepKind.Saved).Select(r => $"{r.Name}={r.Value:R}").ToArray();
        string[] restored = trace.Backward.Where(r => r.Kind == TraceStepKind.Restored).Select(r => $"{r.Name}={r.Value:R}").ToArray();
        Assert.Equal(saved.Reverse(), restored);
        Assert.Contains(saved, s => s.StartsWith("acc=", StringComparison.Ordinal));

        // The backward pass visits the iterations last first.
        Assert.Equal([2.0, 1, 0], trace.Backward.Where(r => r.Kind == TraceStepKind.Iteration).Select(r => r.Value));
    }

    [Fact]
    public void Locals_that_are_not_numbers_are_not_recorded_and_other_integers_are()
    {
        Type type = Harness.Load("""
            using System;
            using SymDiff;
            namespace Cases;
            public enum Mode { A, B }
            public static partial class C
            {
                [Differentiable(Trace = true)]
                public static double F(double x, Mode m, string tag, int n, bool flag)
                {
                    Mode k = m;
                    string t = tag;
                    bool f = flag && x > 0;
                    char c = 'a';
                    long big = n * 2L;
                    uint u = (uint)n;
                    double s = x * big;
                    if (k == Mode.B && f && t.Length > 0 && c == 'a') s = s * x + u;
                    for (ulong i = 0; i < 3; i++) { k = (Mode)(int)(i % 2); s += x * i; }
                    return s;
                }
            }
            """).GetType("Cases.C")!;
        var trace = new GradientTrace();
        object mode = Enum.ToObject(type.Assembly.GetType("Cases.Mode")!, 1);
        Assert.Equal(0.5 * 6 * 0.5 + 3 + 0.5 * 3, Convert.ToDouble(Call(type, "FTrace", 0.5, mode, "tag", 3, true, trace)), 12);
        Assert.Equal(["c", "big", "u", "s", "s", "s", "s", "s"], trace.Forward.Where(r => r.Kind == TraceStepKind.Statement && r.Name != "F").Select(r => r.Name));
        Assert.Equal([0.0, 1, 2], trace.Forward.Where(r => r.Kind == TraceStepKind.Iteration).Select(r => r.Value));
        Assert.Equal(2 * 0.5 * 6 + 3, trace.GradientOf("x"), 12);
    }

    [Fact]
    public void A_long_loop_records_the_first_steps_of_each_line_and_counts_the_rest()
    {
        Type type = Harness.Load(Sources.InClass("""
                [Differentiable(Trace = true)]
                public static double Sum(double x, double[] v)
                {
                    double s = 0;
                    for (int i = 0; i < v.Length; i++) s += v[i] * x;
                    return s;
                }
            """)).GetType("Cases.C")!;
        var trace = new GradientTrace(maxStepsPerLine: 12);
        Call(type, "SumTrace", 2.0, Enumerable.Range(0, 100).Select(i => (double)i).ToArray(), trace);

        // Line 13 (the loop and its body on one line) has an iteration and a statement per pass: 200 steps, 12 shown.
        TraceStep omitted = trace.Forward.Single(r => r.Kind == TraceStepKind.Omitted && r.Line > 0);
        Assert.Equal(188, omitted.Omitted);
        Assert.Equal(12, trace.Forward.Count(r => r.Line == omitted.Line && r.Kind != TraceStepKind.Omitted));
        Assert.Contains("… 188 more steps of this line", trace.ToText(), StringComparison.Ordinal);

        // The inputs of a long array are capped the same way; the gradient is complete.
        Assert.Equal(12, trace.Forward.Count(r => r.Kind == TraceStepKind.Input && r.Source == "v"));
        Assert.Equal(88, trace.Forward.Single(r => r.Kind == TraceStepKind.Omitted && r.Line == 0).Omitted);
        Assert.Equal(101, trace.Gradient.Count);
        Assert.Equal(Enumerable.Range(0, 100).Sum(), trace.GradientOf("x"), 12);
    }

    // FTrace and FGradient of the same method at one point: the value and each gradient entry
    // (named in parameter order) agree, the tape is where it was, and each step that sets an
    // adjoint from one incoming adjoint holds factor × incoming.
    private static void Same(Func<double[], double> gradient, Func<GradientTrace, object> trace, string[] names, double tolerance)
    {
        int depth = SymDiff.Generated.Tape.Current.Depth;
        var recorded = new GradientTrace();
        double[] g = new double[names.Length];
        double value = gradient(g);
        Assert.Equal(value, Convert.ToDouble(trace(recorded)), tolerance);
        Assert.Equal(depth, SymDiff.Generated.Tape.Current.Depth);
        for (int i = 0; i < names.Length; i++)
        {
            Assert.Equal(g[i], recorded.GradientOf(names[i]), tolerance);
        }

        var steps = recorded.Backward.Where(r => r.Kind == TraceStepKind.Adjoint).ToList();
        for (int i = 0; i < steps.Count; i++)
        {
            bool alone = (i == 0 || (steps[i - 1].Line, steps[i - 1].Name) != (steps[i].Line, steps[i].Name))
                && (i == steps.Count - 1 || (steps[i + 1].Line, steps[i + 1].Name) != (steps[i].Line, steps[i].Name));
            if (alone && !steps[i].Accumulates && !double.IsNaN(steps[i].FactorValue))
            {
                Assert.Equal(steps[i].Contribution, steps[i].Value, Math.Max(tolerance, tolerance * Math.Abs(steps[i].Value)));
            }
        }
    }

    private static object Call(Type type, string method, params object[] args)
    {
        try
        {
            return type.GetMethod(method)!.Invoke(null, args)!;
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            throw e.InnerException;
        }
    }

    private static System.Collections.Generic.IEnumerable<TraceStep> Rows(System.Collections.Generic.IReadOnlyList<TraceStep> rows, TraceStepKind kind, string name) =>
        rows.Where(r => r.Kind == kind && r.Name == name);

    private static string[] Names(string array, int count) => Enumerable.Range(0, count).Select(i => $"{array}[{i}]").ToArray();
}
