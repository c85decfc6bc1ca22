using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using SymDiff.Generators.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace SymDiff.Generators.Tests;

/// <summary>
/// Differential testing: random programs from the supported grammar, compiled with the
/// generator in batches (generated code that does not compile fails the batch), each checked at
/// random points: Gradient's value and central differences, Backward with seed 1 equal to
/// Gradient, Backward called twice accumulating twice, Derivative along each axis equal to that
/// gradient component and along a random tangent to the dot product, inputs unchanged and the
/// tape back at its depth after every call. A point where the function has a
/// kink or jump within the difference step (detected by two step sizes disagreeing) is replaced
/// by another. A failure names the seed and prints the program.
/// </summary>
public class RandomProgramTests(ITestOutputHelper output)
{
    private const int PerBatch = 45, Points = 3;

    // 2,025 double programs per run (45 batches), with 405 float twins, 405 Vector2 twins, up to 405 generic twins, 405 struct twins, 405 in-place twins, 405 Hessian twins, 405 struct Hessian twins and 360 output methods; SYMDIFF_RANDOM_PROGRAMS=20000 runs the longer check
    // (README: "Random-program tests").
    private static int Batches =>
        (int.TryParse(Environment.GetEnvironmentVariable("SYMDIFF_RANDOM_PROGRAMS"), out int n) && n > 0 ? n + PerBatch - 1 : 2025) / PerBatch;

    public static IEnumerable<object[]> BatchSeeds => Enumerable.Range(0, Batches).Select(b => new object[] { 1000 + b });

    private enum Kind { Double, Float, Output, Hessian, Generic, Struct, InPlace, Vector, StructHessian }

    // The helpers as generic-math methods, for the generic twins to call.
    private static readonly Lazy<string> GenericHelpers = new(() => GenericTwin.Of(ProgramGenerator.Helpers)!);

    private sealed record Program(string Name, int Seed, string Source, Kind Kind, string? TwinOf = null);

    [Theory]
    [MemberData(nameof(BatchSeeds))]
    public void Random_programs_match_central_differences(int batchSeed)
    {
        // Per batch: 45 double methods, a float twin of every fifth (the same program in single
        // precision, checked against its double twin), a generic-math twin of every fifth (run at
        // T = double, checked like a double program and against its double twin), a struct twin of
        // every fifth (x and y as the fields of one struct parameter, checked the same way), a Hessian twin
        // of every fifth and a struct twin of that, and 8 methods with [Output] results.
        var programs = new List<Program>();
        for (int i = 0; i < PerBatch; i++)
        {
            int seed = batchSeed * 1000 + i;
            string source = new ProgramGenerator(seed).Write($"P{i}");

            // Every fifth program (and its float and Vector2 twins) also gets Trace, checked against its Gradient.
            if (i % 5 == 0)
            {
                source = source.Replace("[Differentiable]", "[Differentiable(Trace = true)]");
            }
            programs.Add(new Program($"P{i}", seed, source, Kind.Double));
            if (i % 5 == 0)
            {
                programs.Add(new Program($"F{i}", seed, ProgramGenerator.ToFloat(source).Replace($" P{i}(", $" F{i}("), Kind.Float, $"P{i}"));

                // ... and a vector twin of it: the float program with x and y the fields of one System.Numerics.Vector2.
                programs.Add(new Program($"W{i}", seed, StructTwin(ProgramGenerator.ToFloat(source), $"P{i}", $"W{i}", "Vector2"), Kind.Vector, $"P{i}"));
            }

            // A generic twin of every fifth program: the same method over T : IFloatingPointIeee754<T>,
            // run at T = double (unless it tests a floating value with a pattern, which a T cannot).
            if (i % 5 == 4 && GenericTwin.Of(source, ProgramGenerator.Helpers) is { } twin)
            {
                programs.Add(new Program($"T{i}", seed, twin.Replace($" P{i}<T>(", $" T{i}<T>("), Kind.Generic, $"P{i}"));
            }

            // A struct twin of every fifth program: x and y become the fields of one record struct
            // parameter (p.X, p.Y), whose adjoint and tangent are that struct.
            if (i % 5 == 1)
            {
                programs.Add(new Program($"S{i}", seed, StructTwin(source, $"P{i}", $"S{i}"), Kind.Struct, $"P{i}"));
            }

            // An in-place twin of every fifth program: its helpers without [Differentiable] (one in a
            // type that is not partial, read in place; one with a loop, generated beside it) and its
            // reads of x through a local function.
            if (i % 5 == 3)
            {
                programs.Add(new Program($"U{i}", seed, InPlaceTwin(source, $"P{i}", $"U{i}", statements: i % 10 == 8), Kind.InPlace, $"P{i}"));
            }

            // A Hessian twin of every fifth program: the same method with [Differentiable(Hessian = true)].
            // ... and a struct twin of that: x and y the fields of one struct parameter, at second order.
            if (i % 5 == 2)
            {
                string hessian = source.Replace("[Differentiable]", "[Differentiable(Hessian = true)]");
                programs.Add(new Program($"Q{i}", seed, hessian.Replace($" P{i}(", $" Q{i}("), Kind.Hessian, $"P{i}"));
                programs.Add(new Program($"Z{i}", seed, StructTwin(hessian, $"P{i}", $"Z{i}"), Kind.StructHessian, $"P{i}"));
            }
        }

        for (int i = 0; i < Outputs; i++)
        {
            int seed = batchSeed * 1000 + 500 + i;
            programs.Add(new Program($"O{i}", seed, new ProgramGenerator(seed).Write($"O{i}", outputs: true), Kind.Output));
        }

        // Generate once to learn which programs the generator refuses (they are counted, not run).
        var (_, diagnostics, _) = Harness.Generate(Harness.Compilation("Random", null, Source(programs)));
        string all = Source(programs);
        var refused = programs.Where(p => diagnostics.Any(d => d.GetMessage().Contains(p.Name + "'") || Within(d, all, p.Source))).ToList();
        foreach (var p in refused)
        {
            output.WriteLine($"refused seed {p.Seed}: {string.Join("; ", diagnostics.Select(d => d.GetMessage()))}\n{p.Source}");
        }

        var accepted = programs.Except(refused).Where(p => p.TwinOf is null || !refused.Any(r => r.Name == p.TwinOf)).ToList();
        Assembly assembly = Compile(Source(accepted), accepted);
        Type wrapper = assembly.GetType("RandomWrapper")!;
        int checkedPoints = 0, kinks = 0, sensitive = 0;
        foreach (var p in accepted)
        {
            var random = new Random(p.Seed);
            int done = 0;
            for (int attempt = 0; done < Points && attempt < 30; attempt++)
            {
                double[] s = [Next(random), Next(random)];
                double[] v = [Next(random), Next(random), Next(random)];
                try
                {
                    bool ok = p.Kind switch
                    {
                        Kind.Double => CheckPoint(Scalar(wrapper, p.Name), s, v, random) && CheckTrace(wrapper, p, s, v),
                        Kind.Float or Kind.Vector => CheckFloatPoint(Scalar(wrapper, p.TwinOf!), Scalar(wrapper, p.Name), s, v, random, ref sensitive),
                        Kind.Hessian or Kind.StructHessian => CheckHessianPoint(wrapper, p.Name, s, v, random),
                        Kind.Generic or Kind.Struct or Kind.InPlace => CheckTwinPoint(Scalar(wrapper, p.TwinOf!), Scalar(wrapper, p.Name), s, v, random, p.Kind.ToString().ToLowerInvariant()),
                        _ => CheckOutputPoint(wrapper, p.Name, s, v, random),
                    };
                    if (!ok)
                    {
                        kinks++;
                        continue;
                    }

                    done++;
                }
                catch (Exception e) when (e is XunitException or IndexOutOfRangeException or InvalidOperationException)
                {
                    throw new XunitException($"program seed {p.Seed} ({p.Kind}) at x={s[0]:R}, y={s[1]:R}, v=[{string.Join(", ", v.Select(d => d.ToString("R")))}]: {e.Message}\n{p.Source}");
                }
            }

            Assert.True(done == Points, $"program seed {p.Seed}: no smooth points found\n{p.Source}");
            checkedPoints += done;
        }

        output.WriteLine($"batch {batchSeed}: {programs.Count} programs ({programs.Count(p => p.Kind == Kind.Float)} float, {programs.Count(p => p.Kind == Kind.Vector)} Vector2, {programs.Count(p => p.Kind == Kind.Generic)} generic, {programs.Count(p => p.Kind == Kind.Struct)} struct, {programs.Count(p => p.Kind == Kind.InPlace)} in place ({programs.Count(p => p.Kind == Kind.InPlace && p.Source.Contains("Plain.U1("))} calling U1, {programs.Count(p => p.Kind == Kind.InPlace && p.Source.Contains("Plain.U3("))} U3, {programs.Count(p => p.Kind == Kind.InPlace && p.Source.Contains("Twice(x)"))} reading x through Twice), {programs.Count(p => p.Kind == Kind.Output)} with outputs, {programs.Count(p => p.Kind == Kind.Hessian)} with Hessians, {programs.Count(p => p.Kind == Kind.StructHessian)} of them on a struct), {refused.Count} refused, {accepted.Count} checked at {checkedPoints} points ({kinks} points near a kink and {sensitive} float points sensitive to rounding replaced)");
        Assert.True(refused.Count <= programs.Count / 10, $"{refused.Count} of {programs.Count} programs refused");
    }

    private const int Outputs = 8;

    // The program with its parameters x and y replaced by the fields of 'XY p': every read and
    // write of x becomes one of p.X.
    private static string StructTwin(string source, string name, string twin, string type = "XY")
    {
        var method = (MethodDeclarationSyntax)SyntaxFactory.ParseMemberDeclaration(source)!;
        var fields = new Dictionary<string, string> { ["x"] = "X", ["y"] = "Y" };
        var body = method.ReplaceNodes(
            method.DescendantNodes().OfType<IdentifierNameSyntax>().Where(n => fields.ContainsKey(n.Identifier.ValueText) && !(n.Parent is MemberAccessExpressionSyntax access && access.Name == n)),
            (n, _) => SyntaxFactory.ParseExpression("p." + fields[n.Identifier.ValueText]).WithTriviaFrom(n));
        var parameters = body.ParameterList.Parameters.Where(p => !fields.ContainsKey(p.Identifier.ValueText)).Prepend(SyntaxFactory.Parameter(SyntaxFactory.Identifier("p")).WithType(SyntaxFactory.ParseTypeName(type + " ")));
        return body.WithIdentifier(SyntaxFactory.Identifier(twin)).WithParameterList(SyntaxFactory.ParameterList(SyntaxFactory.SeparatedList(parameters))).NormalizeWhitespace().ToFullString();
    }

    // The program calling helpers without [Differentiable] instead of H1 and H2 (U1, of a type that
    // is not partial, read in place, or U3, the same with statements whose code runs before the
    // calling statement; U2, whose loop makes SymDiff generate its methods beside it), and reading x
    // as Twice(x) * 0.5 through a static local function (exactly x, slope 1).
    private static string InPlaceTwin(string source, string name, string twin, bool statements)
    {
        var method = (MethodDeclarationSyntax)SyntaxFactory.ParseMemberDeclaration(source)!;
        var reads = method.DescendantNodes().OfType<IdentifierNameSyntax>().Where(n => n.Identifier.ValueText == "x"
            && !(n.Parent is AssignmentExpressionSyntax a && a.Left == n)
            && n.Parent is not (PostfixUnaryExpressionSyntax or PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.PreIncrementExpression or (int)SyntaxKind.PreDecrementExpression })
            && n.Parent is not ArgumentSyntax { RefKindKeyword.RawKind: not 0 });
        var renamed = method.ReplaceNodes(reads, (n, _) => SyntaxFactory.ParseExpression("(Twice(x) * 0.5)").WithTriviaFrom(n));
        if (renamed.Body is { } body)
        {
            renamed = renamed.WithBody(body.WithStatements(body.Statements.Insert(0, SyntaxFactory.ParseStatement("static double Twice(double v) => v + v;\n"))));
        }

        string text = renamed.WithIdentifier(SyntaxFactory.Identifier(twin)).NormalizeWhitespace().ToFullString();
        return Regex.Replace(Regex.Replace(text, @"\bH1\(", statements ? "Plain.U3(" : "Plain.U1("), @"\bH2\(", "U2(");
    }

    private static string Source(IEnumerable<Program> programs) => $$"""
        using System;
        using System.Numerics;
        using SymDiff;

        namespace Cases;

        public record struct XY(double X, double Y);

        public static class Plain
        {
            public static double U1(double a, double b) { double t = Math.Tanh(b); return a * t + Math.Sin(a * b); }
            public static double U3(double a, double b) { double r = a * Math.Tanh(b); if (b > 100) { r = 0; } r += Math.Sin(a * b); return r; }
        }

        public static partial class R
        {
        {{ProgramGenerator.Helpers}}
        public static double U2(double a, ReadOnlySpan<double> w) { double s = a; for (int i = 0; i < w.Length; i++) { s = s * 0.5 + w[i] * Math.Cos(s); } return s; }
        {{string.Join("\n", programs.Where(p => p.Kind is not (Kind.Float or Kind.Generic or Kind.Vector)).Select(p => p.Source))}}
        }

        public static partial class RG
        {
        {{GenericHelpers.Value}}
        {{string.Join("\n", programs.Where(p => p.Kind == Kind.Generic).Select(p => p.Source))}}
        }

        public static partial class RF
        {
        {{ProgramGenerator.ToFloat(ProgramGenerator.Helpers)}}
        {{string.Join("\n", programs.Where(p => p.Kind is Kind.Float or Kind.Vector).Select(p => p.Source))}}
        }
        """;

    private sealed record ScalarMethods(
        Func<double[], double[], double> Value,
        Func<double[], double[], double[], double[], double> Gradient,
        Action<double[], double[], double, double[], double[]> Backward,
        Func<double[], double[], double[], double[], double> Derivative);

    private static ScalarMethods Scalar(Type wrapper, string name) => new(
        wrapper.GetMethod("V" + name)!.CreateDelegate<Func<double[], double[], double>>(),
        wrapper.GetMethod("G" + name)!.CreateDelegate<Func<double[], double[], double[], double[], double>>(),
        wrapper.GetMethod("B" + name)!.CreateDelegate<Action<double[], double[], double, double[], double[]>>(),
        wrapper.GetMethod("D" + name)!.CreateDelegate<Func<double[], double[], double[], double[], double>>());

    private static double Next(Random random) => (random.NextDouble() * 2 - 1) * 1.5;

    private static bool Within(Diagnostic d, string source, string program)
    {
        int start = source.IndexOf(program, StringComparison.Ordinal);
        return d.Location.IsInSource && d.Location.SourceSpan.Start >= start && d.Location.SourceSpan.Start < start + program.Length;
    }

    // Central differences with two step sizes agree unless a kink or jump is within the step.
    private static bool Smooth(Func<double[], double[], double> f, double[] s, double[] v)
    {
        for (int i = 0; i < 5; i++)
        {
            double Coordinate(double h) => Check.Central(h, t => Evaluate(f, s, v, i, t), Get(s, v, i));
            double a = Coordinate(1e-6), b = Coordinate(1e-4);
            if (!(Math.Abs(a - b) <= 1e-3 * (1 + Math.Abs(a))))
            {
                return false;
            }
        }

        return true;
    }

    private static double Get(double[] s, double[] v, int i) => i < 2 ? s[i] : v[i - 2];

    private static double Evaluate(Func<double[], double[], double> f, double[] s, double[] v, int i, double t)
    {
        double[] s2 = (double[])s.Clone(), v2 = (double[])v.Clone();
        if (i < 2)
        {
            s2[i] = t;
        }
        else
        {
            v2[i - 2] = t;
        }

        return f(s2, v2);
    }

    private static bool CheckPoint(ScalarMethods m, double[] s, double[] v, Random random)
    {
        var (value, gradient, backward, derivative) = (m.Value, m.Gradient, m.Backward, m.Derivative);
        if (!Smooth(value, s, v))
        {
            return false;
        }

        double[] sBefore = (double[])s.Clone(), vBefore = (double[])v.Clone();
        int depth = SymDiff.Generated.Tape.Current.Depth;
        void Unchanged(string after)
        {
            Assert.True(s.SequenceEqual(sBefore) && v.SequenceEqual(vBefore), $"{after} modified its inputs");
            Assert.True(SymDiff.Generated.Tape.Current.Depth == depth, $"{after} left the tape at depth {SymDiff.Generated.Tape.Current.Depth}, not {depth}");
        }

        double f = value(s, v);
        double[] gs = new double[2], gv = [double.NaN, double.NaN, double.NaN];
        Check.Close(f, gradient(s, v, gs, gv), 1e-12, "Gradient's value");
        Unchanged("Gradient");
        double[] g = [.. gs, .. gv];
        for (int i = 0; i < 5; i++)
        {
            int index = i;
            double numerical = Check.Central(t => Evaluate(value, s, v, index, t), Get(s, v, i));
            Check.Within(g[i], numerical, i < 2 ? (i == 0 ? "∂/∂x" : "∂/∂y") : $"∂/∂v[{i - 2}]");
        }

        // Backward with seed 1 from zero is the gradient; it accumulates on top of what the adjoints held.
        double[] us = new double[2], uv = new double[3];
        backward(s, v, 1, us, uv);
        Unchanged("Backward");
        double[] u = [.. us, .. uv];
        for (int i = 0; i < 5; i++)
        {
            Check.Close(g[i], u[i], 1e-12, $"Backward with seed 1, component {i}");
        }

        double seed = random.NextDouble() * 2 - 1;
        double[] bs = [0.25, -0.5], bv = [1, 2, 3];
        backward(s, v, seed, bs, bv);
        backward(s, v, seed, bs, bv);
        double[] start = [0.25, -0.5, 1, 2, 3];
        double[] b = [.. bs, .. bv];
        for (int i = 0; i < 5; i++)
        {
            Check.Close(start[i] + 2 * seed * g[i], b[i], 1e-9, $"Backward twice, component {i}");
        }

        // Derivative along each axis is that gradient component, and along a random tangent the dot product.
        for (int i = 0; i < 5; i++)
        {
            double[] es = new double[2], ev = new double[3];
            (i < 2 ? es : ev)[i < 2 ? i : i - 2] = 1;
            Check.Close(g[i], derivative(s, v, es, ev), 1e-9, $"Derivative along axis {i}");
        }

        double[] ts = [random.NextDouble() - 0.5, random.NextDouble() - 0.5], tv = [random.NextDouble() - 0.5, random.NextDouble() - 0.5, random.NextDouble() - 0.5];
        double expected = g[0] * ts[0] + g[1] * ts[1] + g[2] * tv[0] + g[3] * tv[1] + g[4] * tv[2];
        Check.Close(expected, derivative(s, v, ts, tv), 1e-9, "Derivative");
        Unchanged("Derivative");
        return true;
    }

    // A Hessian twin: Hessian's value and gradient are Gradient's, H is exactly symmetric,
    // HessianVectorProduct along a random t is H·t and central differences of the generated
    // gradient along t (two step sizes that disagree mark a kink: the point is replaced),
    // inputs and tape unchanged.
    private static bool CheckHessianPoint(Type wrapper, string name, double[] s, double[] v, Random random)
    {
        var value = wrapper.GetMethod("V" + name)!.CreateDelegate<Func<double[], double[], double>>();
        var gradient = wrapper.GetMethod("G" + name)!.CreateDelegate<Func<double[], double[], double[], double>>();
        var hessian = wrapper.GetMethod("H" + name)!.CreateDelegate<Func<double[], double[], double[], double[], double>>();
        var product = wrapper.GetMethod("T" + name)!.CreateDelegate<Func<double[], double[], double[], double[], double>>();
        if (!Smooth(value, s, v))
        {
            return false;
        }

        double[] t = Enumerable.Range(0, 5).Select(_ => random.NextDouble() * 2 - 1).ToArray();
        double[] Along(double h)
        {
            double[] sp = [s[0] + h * t[0], s[1] + h * t[1]], vp = [v[0] + h * t[2], v[1] + h * t[3], v[2] + h * t[4]];
            double[] sm = [s[0] - h * t[0], s[1] - h * t[1]], vm = [v[0] - h * t[2], v[1] - h * t[3], v[2] - h * t[4]];
            double[] gp = new double[5], gm = new double[5];
            gradient(sp, vp, gp);
            gradient(sm, vm, gm);
            return Enumerable.Range(0, 5).Select(i => (gp[i] - gm[i]) / (2 * h)).ToArray();
        }

        double[] fine = Along(1e-5), coarse = Along(1e-3);
        if (Enumerable.Range(0, 5).Any(i => !(Math.Abs(fine[i] - coarse[i]) <= 1e-3 * (1 + Math.Abs(fine[i])))))
        {
            return false;
        }

        double[] sBefore = (double[])s.Clone(), vBefore = (double[])v.Clone();
        int depth = SymDiff.Generated.Tape.Current.Depth;
        double[] g = new double[5], gh = new double[5], h = new double[25], hv = new double[5];
        double f = gradient(s, v, g);
        Check.Close(f, hessian(s, v, gh, h), 1e-12, "Hessian's value");
        Check.Close(f, product(s, v, t, hv), 1e-12, "HessianVectorProduct's value");
        Assert.True(s.SequenceEqual(sBefore) && v.SequenceEqual(vBefore), "a second-order method modified its inputs");
        Assert.True(SymDiff.Generated.Tape.Current.Depth == depth, "a second-order method left the tape unbalanced");
        for (int i = 0; i < 5; i++)
        {
            Check.Close(g[i], gh[i], 1e-12, $"Hessian's gradient component {i}");
            for (int j = 0; j < 5; j++)
            {
                Assert.True(h[(i * 5) + j] == h[(j * 5) + i], $"H[{i},{j}] = {h[(i * 5) + j]:R} and H[{j},{i}] = {h[(j * 5) + i]:R}");
            }

            double ht = Enumerable.Range(0, 5).Sum(j => h[(i * 5) + j] * t[j]);
            Check.Close(ht, hv[i], 1e-8, $"(H·t)[{i}]: HessianVectorProduct against Hessian·t");
            Check.Within(hv[i], fine[i], $"(H·t)[{i}] against central differences of the gradient");
        }

        return true;
    }

    // A float program against its double twin (itself checked against central differences):
    // the same value and gradient within single precision, and the same algebra among its
    // methods. A point where rounding moves the float value away from the double one (a branch
    // or kink decided differently) is replaced.
    // A generic twin at T = double: every check of a double program, and the double program's own
    // value and gradient (the same operations in the same order, so equal to rounding).
    // A struct twin: the same, through its struct parameter.
    private static bool CheckTwinPoint(ScalarMethods twin, ScalarMethods m, double[] s, double[] v, Random random, string kind)
    {
        if (!CheckPoint(m, s, v, random))
        {
            return false;
        }

        double[] gs = new double[2], gv = new double[3], ts = new double[2], tv = new double[3];
        double value = m.Gradient(s, v, gs, gv), twinValue = twin.Gradient(s, v, ts, tv);
        Check.Close(twinValue, value, 1e-12, $"the {kind} twin's value");
        double[] g = [.. gs, .. gv], t = [.. ts, .. tv];
        for (int i = 0; i < 5; i++)
        {
            Check.Close(t[i], g[i], 1e-12, $"the {kind} twin's gradient, component {i}");
        }

        return true;
    }

    private static bool CheckFloatPoint(ScalarMethods twin, ScalarMethods m, double[] s, double[] v, Random random, ref int sensitive)
    {
        if (!Smooth(twin.Value, s, v))
        {
            return false;
        }

        int depth = SymDiff.Generated.Tape.Current.Depth;
        double fd = twin.Value(s, v), ff = m.Value(s, v);
        if (!(Math.Abs(fd - ff) <= 1e-4 * (1 + Math.Abs(fd))))
        {
            sensitive++;
            return false;
        }

        double[] gs = new double[2], gv = new double[3], ds = new double[2], dv = new double[3];
        twin.Gradient(s, v, ds, dv);
        // The generated methods compute a float program's (float)Math.Tanh(x) with MathF.Tanh (README):
        // the values agree to float rounding, amplified by what follows (a cube, a cosine), not bit for bit.
        Check.Close(ff, m.Gradient(s, v, gs, gv), 1e-5, "float Gradient's value");
        double[] g = [.. gs, .. gv], d = [.. ds, .. dv];
        for (int i = 0; i < 5; i++)
        {
            if (!(Math.Abs(g[i] - d[i]) <= 2e-3 * (1 + Math.Abs(d[i]))))
            {
                throw new XunitException($"float gradient component {i}: {g[i]:R}, double twin {d[i]:R}");
            }
        }

        double[] bs = [0.25, -0.5], bv = [1, 2, 3];
        double seed = random.NextDouble() * 2 - 1;
        m.Backward(s, v, seed, bs, bv);
        m.Backward(s, v, seed, bs, bv);
        double[] start = [0.25, -0.5, 1, 2, 3], b = [.. bs, .. bv];
        for (int i = 0; i < 5; i++)
        {
            Check.Close(start[i] + 2 * seed * g[i], b[i], 1e-4, $"float Backward twice, component {i}");
            double[] es = new double[2], ev = new double[3];
            (i < 2 ? es : ev)[i < 2 ? i : i - 2] = 1;
            Check.Close(g[i], m.Derivative(s, v, es, ev), 1e-4, $"float Derivative along axis {i}");
        }

        Assert.True(SymDiff.Generated.Tape.Current.Depth == depth, "a float method left the tape unbalanced");
        return true;
    }

    // A method with [Output] z: Backward with a random output adjoint dz against central
    // differences of dz·z, Backward twice, Derivative along each axis against Backward (the
    // dot-product test), z written by all three as by the method, inputs and tape unchanged.
    private static bool CheckOutputPoint(Type wrapper, string name, double[] s, double[] v, Random random)
    {
        var value = wrapper.GetMethod("V" + name)!.CreateDelegate<Action<double[], double[], double[]>>();
        var backward = wrapper.GetMethod("B" + name)!.CreateDelegate<Action<double[], double[], double[], double[], double[], double[]>>();
        var derivative = wrapper.GetMethod("D" + name)!.CreateDelegate<Action<double[], double[], double[], double[], double[], double[]>>();
        double[] dz = [random.NextDouble() * 2 - 1, random.NextDouble() * 2 - 1];
        double Objective(double[] ps, double[] pv)
        {
            double[] z = new double[2];
            value(ps, pv, z);
            return dz[0] * z[0] + dz[1] * z[1];
        }

        if (!Smooth(Objective, s, v))
        {
            return false;
        }

        double[] sBefore = (double[])s.Clone(), vBefore = (double[])v.Clone();
        int depth = SymDiff.Generated.Tape.Current.Depth;
        double[] z0 = new double[2];
        value(s, v, z0);
        double[] gs = new double[2], gv = new double[3], zb = new double[2];
        backward(s, v, zb, dz, gs, gv);
        Assert.True(zb.SequenceEqual(z0), "Backward's outputs differ from the method's");
        double[] g = [.. gs, .. gv];
        for (int i = 0; i < 5; i++)
        {
            int index = i;
            Check.Within(g[i], Check.Central(t => Evaluate(Objective, s, v, index, t), Get(s, v, i)), $"∂(dz·z)/∂ component {i}");
        }

        double[] bs = [0.25, -0.5], bv = [1, 2, 3];
        backward(s, v, new double[2], dz, bs, bv);
        backward(s, v, new double[2], dz, bs, bv);
        double[] start = [0.25, -0.5, 1, 2, 3], b = [.. bs, .. bv];
        for (int i = 0; i < 5; i++)
        {
            Check.Close(start[i] + 2 * g[i], b[i], 1e-9, $"Backward twice, component {i}");
            double[] es = new double[2], ev = new double[3], zd = new double[2], tz = new double[2];
            (i < 2 ? es : ev)[i < 2 ? i : i - 2] = 1;
            derivative(s, v, zd, es, ev, tz);
            Assert.True(zd.SequenceEqual(z0), "Derivative's outputs differ from the method's");
            Check.Close(g[i], dz[0] * tz[0] + dz[1] * tz[1], 1e-9, $"Derivative along axis {i} (dot-product test)");
        }

        Assert.True(s.SequenceEqual(sBefore) && v.SequenceEqual(vBefore), "a generated method modified its inputs");
        Assert.True(SymDiff.Generated.Tape.Current.Depth == depth, "a generated method left the tape unbalanced");
        return true;
    }

    // Trace's value and recorded gradient are Gradient's, and it leaves the tape where it was.
    private static bool CheckTrace(Type wrapper, Program p, double[] s, double[] v)
    {
        if (!p.Source.Contains("Trace = true", StringComparison.Ordinal))
        {
            return true;
        }

        int depth = SymDiff.Generated.Tape.Current.Depth;
        double[] gs = new double[2], gv = new double[3], t = new double[5];
        double value = (double)wrapper.GetMethod("G" + p.Name)!.Invoke(null, [s, v, gs, gv])!;
        Check.Close(value, (double)wrapper.GetMethod("R" + p.Name)!.Invoke(null, [s, v, t])!, 1e-9, "Trace's value");
        Assert.True(SymDiff.Generated.Tape.Current.Depth == depth, "Trace left the tape unbalanced");
        double[] g = [.. gs, .. gv];
        for (int i = 0; i < 5; i++)
        {
            Check.Close(g[i], t[i], 1e-9, $"Trace's gradient, component {i}");
        }

        return true;
    }

    // Warnings in the random user code (an unused local) do not matter; anything in the generated code does.
    private static Assembly Compile(string source, IEnumerable<Program> programs)
    {
        var wrapper = new StringBuilder("""
            public static class RandomWrapper {
            static float[] F(double[] a) => System.Array.ConvertAll(a, x => (float)x);
            static void Back(float[] from, double[] to) { for (int i = 0; i < to.Length; i++) to[i] = from[i]; }
            static void Same(float[] a, double[] b) { for (int i = 0; i < b.Length; i++) if (a[i] != (float)b[i]) throw new System.InvalidOperationException("a float method modified its inputs"); }

            """);
        foreach (Program p in programs)
        {
            string n = p.Name;
            switch (p.Kind)
            {
                case Kind.Double or Kind.InPlace:
                    wrapper.AppendLine($"public static double V{n}(double[] s, double[] v) => Cases.R.{n}(s[0], s[1], v);");
                    wrapper.AppendLine($"public static double G{n}(double[] s, double[] v, double[] gs, double[] gv) => Cases.R.{n}Gradient(s[0], s[1], v, out gs[0], out gs[1], gv);");
                    wrapper.AppendLine($"public static void B{n}(double[] s, double[] v, double seed, double[] gs, double[] gv) => Cases.R.{n}Backward(s[0], s[1], v, seed, ref gs[0], ref gs[1], gv);");
                    wrapper.AppendLine($"public static double D{n}(double[] s, double[] v, double[] ts, double[] tv) => Cases.R.{n}Derivative(s[0], s[1], v, ts[0], ts[1], tv);");
                    if (p.Source.Contains("Trace = true", System.StringComparison.Ordinal))
                    {
                        wrapper.AppendLine($"public static double R{n}(double[] s, double[] v, double[] g) {{ var t = new SymDiff.GradientTrace(); double r = Cases.R.{n}Trace(s[0], s[1], v, t); g[0] = t.GradientOf(\"x\"); g[1] = t.GradientOf(\"y\"); for (int i = 0; i < v.Length; i++) g[2 + i] = t.GradientOf($\"v[{{i}}]\"); return r; }}");
                    }

                    break;
                case Kind.Struct:
                    wrapper.AppendLine($"public static double V{n}(double[] s, double[] v) => Cases.R.{n}(new Cases.XY(s[0], s[1]), v);");
                    wrapper.AppendLine($"public static double G{n}(double[] s, double[] v, double[] gs, double[] gv) {{ double r = Cases.R.{n}Gradient(new Cases.XY(s[0], s[1]), v, out Cases.XY d, gv); gs[0] = d.X; gs[1] = d.Y; return r; }}");
                    wrapper.AppendLine($"public static void B{n}(double[] s, double[] v, double seed, double[] gs, double[] gv) {{ var d = new Cases.XY(gs[0], gs[1]); Cases.R.{n}Backward(new Cases.XY(s[0], s[1]), v, seed, ref d, gv); gs[0] = d.X; gs[1] = d.Y; }}");
                    wrapper.AppendLine($"public static double D{n}(double[] s, double[] v, double[] ts, double[] tv) => Cases.R.{n}Derivative(new Cases.XY(s[0], s[1]), v, new Cases.XY(ts[0], ts[1]), tv);");
                    break;
                case Kind.Generic:
                    wrapper.AppendLine($"public static double V{n}(double[] s, double[] v) => Cases.RG.{n}(s[0], s[1], v);");
                    wrapper.AppendLine($"public static double G{n}(double[] s, double[] v, double[] gs, double[] gv) => Cases.RG.{n}Gradient(s[0], s[1], v, out gs[0], out gs[1], gv);");
                    wrapper.AppendLine($"public static void B{n}(double[] s, double[] v, double seed, double[] gs, double[] gv) => Cases.RG.{n}Backward(s[0], s[1], v, seed, ref gs[0], ref gs[1], gv);");
                    wrapper.AppendLine($"public static double D{n}(double[] s, double[] v, double[] ts, double[] tv) => Cases.RG.{n}Derivative(s[0], s[1], v, ts[0], ts[1], tv);");
                    break;
                case Kind.Float:
                    wrapper.AppendLine($"public static double V{n}(double[] s, double[] v) {{ var fv = F(v); float r = Cases.RF.{n}((float)s[0], (float)s[1], fv); Same(fv, v); return r; }}");
                    wrapper.AppendLine($"public static double G{n}(double[] s, double[] v, double[] gs, double[] gv) {{ var fv = F(v); var g = new float[gv.Length]; float r = Cases.RF.{n}Gradient((float)s[0], (float)s[1], fv, out float a, out float b, g); Same(fv, v); gs[0] = a; gs[1] = b; Back(g, gv); return r; }}");
                    wrapper.AppendLine($"public static void B{n}(double[] s, double[] v, double seed, double[] gs, double[] gv) {{ var fv = F(v); var g = F(gv); float a = (float)gs[0], b = (float)gs[1]; Cases.RF.{n}Backward((float)s[0], (float)s[1], fv, (float)seed, ref a, ref b, g); Same(fv, v); gs[0] = a; gs[1] = b; Back(g, gv); }}");
                    wrapper.AppendLine($"public static double D{n}(double[] s, double[] v, double[] ts, double[] tv) {{ var fv = F(v); float r = Cases.RF.{n}Derivative((float)s[0], (float)s[1], fv, (float)ts[0], (float)ts[1], F(tv)); Same(fv, v); return r; }}");
                    break;
                case Kind.Vector:
                    wrapper.AppendLine($"public static double V{n}(double[] s, double[] v) {{ var fv = F(v); float r = Cases.RF.{n}(new System.Numerics.Vector2((float)s[0], (float)s[1]), fv); Same(fv, v); return r; }}");
                    wrapper.AppendLine($"public static double G{n}(double[] s, double[] v, double[] gs, double[] gv) {{ var fv = F(v); var g = new float[gv.Length]; float r = Cases.RF.{n}Gradient(new System.Numerics.Vector2((float)s[0], (float)s[1]), fv, out System.Numerics.Vector2 d, g); Same(fv, v); gs[0] = d.X; gs[1] = d.Y; Back(g, gv); return r; }}");
                    wrapper.AppendLine($"public static void B{n}(double[] s, double[] v, double seed, double[] gs, double[] gv) {{ var fv = F(v); var g = F(gv); var d = new System.Numerics.Vector2((float)gs[0], (float)gs[1]); Cases.RF.{n}Backward(new System.Numerics.Vector2((float)s[0], (float)s[1]), fv, (float)seed, ref d, g); Same(fv, v); gs[0] = d.X; gs[1] = d.Y; Back(g, gv); }}");
                    wrapper.AppendLine($"public static double D{n}(double[] s, double[] v, double[] ts, double[] tv) {{ var fv = F(v); float r = Cases.RF.{n}Derivative(new System.Numerics.Vector2((float)s[0], (float)s[1]), fv, new System.Numerics.Vector2((float)ts[0], (float)ts[1]), F(tv)); Same(fv, v); return r; }}");
                    break;
                case Kind.Hessian:
                    wrapper.AppendLine($"public static double V{n}(double[] s, double[] v) => Cases.R.{n}(s[0], s[1], v);");
                    wrapper.AppendLine($"public static double G{n}(double[] s, double[] v, double[] g) => Cases.R.{n}Gradient(s[0], s[1], v, out g[0], out g[1], System.MemoryExtensions.AsSpan(g, 2));");
                    wrapper.AppendLine($"public static double H{n}(double[] s, double[] v, double[] g, double[] h) => Cases.R.{n}Hessian(s[0], s[1], v, out g[0], out g[1], System.MemoryExtensions.AsSpan(g, 2), h);");
                    wrapper.AppendLine($"public static double T{n}(double[] s, double[] v, double[] t, double[] hv) => Cases.R.{n}HessianVectorProduct(s[0], s[1], v, t[0], t[1], System.MemoryExtensions.AsSpan(t, 2), out hv[0], out hv[1], System.MemoryExtensions.AsSpan(hv, 2));");
                    break;
                case Kind.StructHessian:
                    wrapper.AppendLine($"public static double V{n}(double[] s, double[] v) => Cases.R.{n}(new Cases.XY(s[0], s[1]), v);");
                    wrapper.AppendLine($"public static double G{n}(double[] s, double[] v, double[] g) {{ double r = Cases.R.{n}Gradient(new Cases.XY(s[0], s[1]), v, out Cases.XY d, System.MemoryExtensions.AsSpan(g, 2)); g[0] = d.X; g[1] = d.Y; return r; }}");
                    wrapper.AppendLine($"public static double H{n}(double[] s, double[] v, double[] g, double[] h) {{ double r = Cases.R.{n}Hessian(new Cases.XY(s[0], s[1]), v, out Cases.XY d, System.MemoryExtensions.AsSpan(g, 2), h); g[0] = d.X; g[1] = d.Y; return r; }}");
                    wrapper.AppendLine($"public static double T{n}(double[] s, double[] v, double[] t, double[] hv) {{ double r = Cases.R.{n}HessianVectorProduct(new Cases.XY(s[0], s[1]), v, new Cases.XY(t[0], t[1]), System.MemoryExtensions.AsSpan(t, 2), out Cases.XY h, System.MemoryExtensions.AsSpan(hv, 2)); hv[0] = h.X; hv[1] = h.Y; return r; }}");
                    break;
                default:
                    wrapper.AppendLine($"public static void V{n}(double[] s, double[] v, double[] z) => Cases.R.{n}(s[0], s[1], v, z);");
                    wrapper.AppendLine($"public static void B{n}(double[] s, double[] v, double[] z, double[] dz, double[] gs, double[] gv) => Cases.R.{n}Backward(s[0], s[1], v, z, dz, ref gs[0], ref gs[1], gv);");
                    wrapper.AppendLine($"public static void D{n}(double[] s, double[] v, double[] z, double[] ts, double[] tv, double[] tz) => Cases.R.{n}Derivative(s[0], s[1], v, z, ts[0], ts[1], tv, tz);");
                    break;
            }
        }

        wrapper.AppendLine("}");
        return Harness.Load(null, d => d.Location.SourceTree?.FilePath.EndsWith(".g.cs", StringComparison.Ordinal) == true, source, wrapper.ToString());
    }
}
