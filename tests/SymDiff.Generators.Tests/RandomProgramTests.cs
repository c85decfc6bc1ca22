using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Text;
using Microsoft.CodeAnalysis;
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

    // 2,025 programs per run (45 batches); SYMDIFF_RANDOM_PROGRAMS=20000 runs the longer check
    // (README: "Random-program tests").
    private static int Batches =>
        (int.TryParse(Environment.GetEnvironmentVariable("SYMDIFF_RANDOM_PROGRAMS"), out int n) && n > 0 ? n + PerBatch - 1 : 2025) / PerBatch;

    public static IEnumerable<object[]> BatchSeeds => Enumerable.Range(0, Batches).Select(b => new object[] { 1000 + b });

    [Theory]
    [MemberData(nameof(BatchSeeds))]
    public void Random_programs_match_central_differences(int batchSeed)
    {
        var programs = new List<(string Name, int Seed, string Source)>();
        for (int i = 0; i < PerBatch; i++)
        {
            int seed = batchSeed * 1000 + i;
            programs.Add(($"P{i}", seed, new ProgramGenerator(seed).Write($"P{i}")));
        }

        // Generate once to learn which programs the generator refuses (they are counted, not run).
        string Source(IEnumerable<(string Name, int Seed, string Source)> ps) =>
            Sources.InClass(ProgramGenerator.Helpers + "\n" + string.Join("\n", ps.Select(p => p.Source)), "R");
        var (_, diagnostics, _) = Harness.Generate(Harness.Compilation("Random", null, Source(programs)));
        var refused = programs.Where(p => diagnostics.Any(d => d.GetMessage().Contains(p.Name + "'") || Within(d, Source(programs), p.Source))).ToList();
        foreach (var p in refused)
        {
            output.WriteLine($"refused seed {p.Seed}: {string.Join("; ", diagnostics.Select(d => d.GetMessage()))}\n{p.Source}");
        }

        var accepted = programs.Except(refused).ToList();
        Assembly assembly = Compile(Source(accepted), accepted.Select(p => p.Name));
        Type wrapper = assembly.GetType("RandomWrapper")!;
        int checkedPoints = 0, kinks = 0;
        foreach (var p in accepted)
        {
            var value = wrapper.GetMethod("V" + p.Name)!.CreateDelegate<Func<double[], double[], double>>();
            var gradient = wrapper.GetMethod("G" + p.Name)!.CreateDelegate<Func<double[], double[], double[], double[], double>>();
            var backward = wrapper.GetMethod("B" + p.Name)!.CreateDelegate<Action<double[], double[], double, double[], double[]>>();
            var derivative = wrapper.GetMethod("D" + p.Name)!.CreateDelegate<Func<double[], double[], double[], double[], double>>();
            var random = new Random(p.Seed);
            int done = 0;
            for (int attempt = 0; done < Points && attempt < 30; attempt++)
            {
                double[] s = [Next(random), Next(random)];
                double[] v = [Next(random), Next(random), Next(random)];
                try
                {
                    if (!Smooth(value, s, v))
                    {
                        kinks++;
                        continue;
                    }

                    CheckPoint(value, gradient, backward, derivative, s, v, random);
                    done++;
                }
                catch (Exception e) when (e is XunitException or IndexOutOfRangeException or InvalidOperationException)
                {
                    throw new XunitException($"program seed {p.Seed} at x={s[0]:R}, y={s[1]:R}, v=[{string.Join(", ", v.Select(d => d.ToString("R")))}]: {e.Message}\n{p.Source}");
                }
            }

            Assert.True(done == Points, $"program seed {p.Seed}: no smooth points found\n{p.Source}");
            checkedPoints += done;
        }

        output.WriteLine($"batch {batchSeed}: {programs.Count} programs, {refused.Count} refused, {accepted.Count} checked at {checkedPoints} points ({kinks} points near a kink replaced)");
        Assert.True(refused.Count <= programs.Count / 10, $"{refused.Count} of {programs.Count} programs refused");
    }

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

    private static void CheckPoint(
        Func<double[], double[], double> value,
        Func<double[], double[], double[], double[], double> gradient,
        Action<double[], double[], double, double[], double[]> backward,
        Func<double[], double[], double[], double[], double> derivative,
        double[] s, double[] v, Random random)
    {
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
    }

    // Warnings in the random user code (an unused local) do not matter; anything in the generated code does.
    private static Assembly Compile(string source, IEnumerable<string> names)
    {
        var wrapper = new StringBuilder("public static class RandomWrapper {\n");
        foreach (string n in names)
        {
            wrapper.AppendLine($"public static double V{n}(double[] s, double[] v) => Cases.R.{n}(s[0], s[1], v);");
            wrapper.AppendLine($"public static double G{n}(double[] s, double[] v, double[] gs, double[] gv) => Cases.R.{n}Gradient(s[0], s[1], v, out gs[0], out gs[1], gv);");
            wrapper.AppendLine($"public static void B{n}(double[] s, double[] v, double seed, double[] gs, double[] gv) => Cases.R.{n}Backward(s[0], s[1], v, seed, ref gs[0], ref gs[1], gv);");
            wrapper.AppendLine($"public static double D{n}(double[] s, double[] v, double[] ts, double[] tv) => Cases.R.{n}Derivative(s[0], s[1], v, ts[0], ts[1], tv);");
        }

        wrapper.AppendLine("}");
        return Harness.Load(null, d => d.Location.SourceTree?.FilePath.EndsWith(".g.cs", StringComparison.Ordinal) == true, source, wrapper.ToString());
    }
}
