using System;
using System.Linq;
using Xunit;
using Xunit.Sdk;

namespace SymDiff.Generators.Tests.Infrastructure;

/// <summary>
/// Checks every generated method of one [Differentiable] method at random points:
/// Gradient's value equals the method's, Gradient's components equal central differences
/// (GradCheck tolerances), Backward adds seed · gradient to whatever the adjoints held, and
/// Derivative along random tangents equals the gradient's dot product with them.
/// </summary>
internal static class Check
{
    /// <summary>True when <paramref name="x"/> is more than <paramref name="margin"/> from <paramref name="from"/>: a point away from a kink.</summary>
    public static bool Away(double x, double from, double margin = 1e-2) => Math.Abs(x - from) > margin;

    public static void AtRandomPoints(Probe probe, int[]? arrayLengths = null, long[]? ints = null, int points = 6, double range = 2, int seed = 12345, Func<double[], double[][], bool>? accept = null)
    {
        arrayLengths ??= Enumerable.Repeat(3, probe.Arrays).ToArray();
        ints ??= new long[probe.Ints];
        var random = new Random(seed);
        double Next() => (random.NextDouble() * 2 - 1) * range;
        int done = 0;
        for (int attempt = 0; done < points && attempt < points * 50; attempt++)
        {
            double[] s = Enumerable.Range(0, probe.Scalars).Select(_ => Next()).ToArray();
            double[][] a = arrayLengths.Select(n => Enumerable.Range(0, n).Select(_ => Next()).ToArray()).ToArray();
            if (accept is not null && !accept(s, a))
            {
                continue;
            }

            try
            {
                AtPoint(probe, s, a, ints, random);
            }
            catch (Exception e) when (e is XunitException or InvalidOperationException)
            {
                throw new XunitException($"seed {seed}, point {done}: scalars {Probe.Show(s)}, arrays {string.Join(" ", a.Select(Probe.Show))}\n{e.Message}");
            }

            done++;
        }

        Assert.Equal(points, done);
    }

    public static void AtPoint(Probe probe, double[] s, double[][] a, long[] n, Random random)
    {
        double value = probe.Value(s, a, n);
        var gs = new double[s.Length];

        // Gradient overwrites its array adjoints: start them with garbage that must not survive.
        double[][] ga = a.Select(x => Enumerable.Repeat(double.NaN, x.Length).ToArray()).ToArray();
        double gradientValue = probe.Gradient(s, a, n, gs, ga);
        Close(value, gradientValue, 1e-12, "Gradient's value");

        // Central differences on the method itself, over every differentiated coordinate.
        foreach (Probe.Signature p in probe.Parameters.Where(p => p.Differentiable))
        {
            if (p.Kind == Model.ParamKind.Double)
            {
                double numerical = Central(x => { var c = (double[])s.Clone(); c[p.Slot] = x; return probe.Value(c, a, n); }, s[p.Slot]);
                Within(gs[p.Slot], numerical, $"∂/∂{p.Name}");
            }
            else
            {
                for (int i = 0; i < a[p.Slot].Length; i++)
                {
                    int index = i;
                    double numerical = Central(x => { var c = a.Select(v => (double[])v.Clone()).ToArray(); c[p.Slot][index] = x; return probe.Value(s, c, n); }, a[p.Slot][i]);
                    Within(ga[p.Slot][i], numerical, $"∂/∂{p.Name}[{i}]");
                }
            }
        }

        // Backward accumulates seed · gradient on top of what the adjoints already hold.
        double seed = random.NextDouble() * 4 - 2;
        double[] startS = s.Select(_ => random.NextDouble()).ToArray();
        double[][] startA = a.Select(x => x.Select(_ => random.NextDouble()).ToArray()).ToArray();
        double[] bs = (double[])startS.Clone();
        double[][] ba = startA.Select(x => (double[])x.Clone()).ToArray();
        probe.Backward(s, a, n, seed, bs, ba);
        foreach (Probe.Signature p in probe.Parameters.Where(p => p.Differentiable))
        {
            if (p.Kind == Model.ParamKind.Double)
            {
                Close(startS[p.Slot] + seed * gs[p.Slot], bs[p.Slot], 1e-9, $"Backward d{p.Name}");
            }
            else
            {
                for (int i = 0; i < a[p.Slot].Length; i++)
                {
                    Close(startA[p.Slot][i] + seed * ga[p.Slot][i], ba[p.Slot][i], 1e-9, $"Backward d{p.Name}[{i}]");
                }
            }
        }

        // Derivative along random tangents equals ⟨gradient, tangent⟩ (the dot-product test).
        double[] ts = s.Select(_ => random.NextDouble() * 2 - 1).ToArray();
        double[][] ta = a.Select(x => x.Select(_ => random.NextDouble() * 2 - 1).ToArray()).ToArray();
        double expected = 0;
        foreach (Probe.Signature p in probe.Parameters.Where(p => p.Differentiable))
        {
            expected += p.Kind == Model.ParamKind.Double ? gs[p.Slot] * ts[p.Slot] : ga[p.Slot].Zip(ta[p.Slot], (g, t) => g * t).Sum();
        }

        Close(expected, probe.Derivative(s, a, n, ts, ta), 1e-9, "Derivative");
    }

    public static double Central(Func<double, double> f, double x) => Central(GradCheck.DefaultStep, f, x);

    public static double Central(double step, Func<double, double> f, double x)
    {
        double h = step * Math.Max(1, Math.Abs(x));
        return (f(x + h) - f(x - h)) / (2 * h);
    }

    public static void Within(double analytic, double numerical, string what)
    {
        double allowed = GradCheck.DefaultAbsoluteTolerance + GradCheck.DefaultRelativeTolerance * Math.Abs(numerical);
        if (!(Math.Abs(analytic - numerical) <= allowed))
        {
            throw new XunitException($"{what}: analytic {analytic:R}, central difference {numerical:R}");
        }
    }

    public static void Close(double expected, double actual, double tolerance, string what)
    {
        if (!(Math.Abs(expected - actual) <= tolerance * Math.Max(1, Math.Abs(expected))))
        {
            throw new XunitException($"{what}: expected {expected:R}, got {actual:R}");
        }
    }
}
