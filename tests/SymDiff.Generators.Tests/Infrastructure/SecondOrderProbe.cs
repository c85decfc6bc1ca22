using System;
using System.Linq;
using System.Reflection;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using SymDiff.Generators.Model;
using Xunit;
using Xunit.Sdk;

namespace SymDiff.Generators.Tests.Infrastructure;

/// <summary>
/// Calls a <c>[Differentiable(Hessian = true)]</c> method's Gradient, Hessian and
/// HessianVectorProduct through a compiled wrapper, with the differentiated scalars flattened in
/// parameter order (arrays element by element), and checks them against each other and against
/// central differences of the generated gradient.
/// </summary>
internal sealed class SecondOrderProbe
{
    private readonly MethodInfo value, gradient, hessian, product;
    private readonly Probe.Signature[] parameters;

    private SecondOrderProbe(Type wrapper, Probe.Signature[] parameters)
    {
        value = wrapper.GetMethod("Value")!;
        gradient = wrapper.GetMethod("Gradient")!;
        hessian = wrapper.GetMethod("Hessian")!;
        product = wrapper.GetMethod("Product")!;
        this.parameters = parameters;
    }

    /// <summary>The relative step of the central differences: larger for float, whose rounding is 1e-7.</summary>
    public double Step { get; init; } = 1e-5;

    public int Scalars => parameters.Count(p => p.Kind == ParamKind.Double);

    public int Arrays => parameters.Count(p => p.Kind is ParamKind.DoubleArray or ParamKind.ReadOnlySpan or ParamKind.Span);

    public static SecondOrderProbe For(string typeName, string method, params string[] sources)
    {
        CSharpCompilation plain = Harness.Compilation("Plain", null, sources);
        INamedTypeSymbol type = plain.GetTypeByMetadataName(typeName) ?? throw new ArgumentException("No type " + typeName);
        IMethodSymbol symbol = type.GetMembers(method).OfType<IMethodSymbol>().Single();
        AttributeData attribute = symbol.GetAttributes().Single(a => a.AttributeClass?.Name == "DifferentiableAttribute");
        var wrt = Parsing.Signature.WrtNames(attribute);
        int scalar = 0, array = 0, integer = 0;
        Probe.Signature[] ps = symbol.Parameters.Select(p =>
        {
            ParamKind kind = Parsing.Signature.Classify(p.Type)!.Value;
            int slot = kind == ParamKind.Double ? scalar++ : kind == ParamKind.Int ? integer++ : array++;
            return new Probe.Signature(p.Name, kind, Parsing.Signature.IsDifferentiable(p, kind, wrt), slot);
        }).ToArray();
        string[] typeNames = symbol.Parameters.Select(p => p.Type.ToDisplayString()).ToArray();
        string fp = Parsing.Signature.FloatingElement(symbol.ReturnType) ?? "double";
        string Arg(Probe.Signature p, int i) => p.Kind switch
        {
            ParamKind.Double => $"({fp})s[{p.Slot}]",
            ParamKind.Int => $"({typeNames[i]})n[{p.Slot}]",
            _ => $"F(a[{p.Slot}])",
        };
        string args = string.Join(", ", ps.Select(Arg));
        var diff = ps.Where(p => p.Differentiable).ToList();

        // Scalars go through locals (out), arrays through float/double buffers copied back.
        var sb = new StringBuilder();
        sb.AppendLine("using System;");
        sb.AppendLine("public static class SecondOrderWrapper {");
        sb.AppendLine($"  static {fp}[] F(double[] x) {{ var r = new {fp}[x.Length]; for (int i = 0; i < x.Length; i++) r[i] = ({fp})x[i]; return r; }}");
        sb.AppendLine($"  static void Back({fp}[] from, double[] to, int at) {{ for (int i = 0; i < from.Length; i++) to[at + i] = from[i]; }}");
        string t = "global::" + typeName.Replace('+', '.');
        sb.AppendLine($"  public static double Value(double[] s, double[][] a, long[] n) => {t}.{method}({args});");

        // Flattened offsets of the differentiated parameters.
        string Offset(int k) => k == 0 ? "0" : string.Join(" + ", diff.Take(k).Select(p => p.Kind == ParamKind.Double ? "1" : $"a[{p.Slot}].Length"));
        string Outs(string arrayName) => string.Concat(diff.Select((p, k) => p.Kind == ParamKind.Double ? $", out {fp} o{k}" : $", {arrayName}{k}"));
        string Declare(string arrayName) => string.Concat(diff.Select((p, k) => p.Kind == ParamKind.Double ? string.Empty : $"var {arrayName}{k} = new {fp}[a[{p.Slot}].Length]; "));
        string Copy(string target, string arrayName) => string.Concat(diff.Select((p, k) => p.Kind == ParamKind.Double ? $"{target}[{Offset(k)}] = o{k}; " : $"Back({arrayName}{k}, {target}, {Offset(k)}); "));
        string Tangents = string.Concat(diff.Select((p, k) => p.Kind == ParamKind.Double ? $", ({fp})t[{Offset(k)}]" : $", F(t.AsSpan({Offset(k)}, a[{p.Slot}].Length).ToArray())"));
        sb.AppendLine($"  public static double Gradient(double[] s, double[][] a, long[] n, double[] g) {{ {Declare("ga")}var r = {t}.{method}Gradient({args}{Outs("ga")}); {Copy("g", "ga")}return r; }}");
        sb.AppendLine($"  public static double Hessian(double[] s, double[][] a, long[] n, double[] g, double[] h) {{ {Declare("ga")}var hf = new {fp}[h.Length]; var r = {t}.{method}Hessian({args}{Outs("ga")}, hf); {Copy("g", "ga")}for (int i = 0; i < h.Length; i++) h[i] = hf[i]; return r; }}");
        sb.AppendLine($"  public static double Product(double[] s, double[][] a, long[] n, double[] t, double[] hv) {{ {Declare("ha")}var r = {t}.{method}HessianVectorProduct({args}{Tangents}{Outs("ha")}); {Copy("hv", "ha")}return r; }}");
        sb.AppendLine("}");
        Assembly assembly = Harness.Load(sources.Append(sb.ToString()).ToArray());
        return new SecondOrderProbe(assembly.GetType("SecondOrderWrapper")!, ps) { Step = fp == "float" ? 3e-3 : 1e-5 };
    }

    public double Value(double[] s, double[][] a, long[] n) => Call(value, s, a, n);

    public double Gradient(double[] s, double[][] a, long[] n, double[] g) => Call(gradient, s, a, n, g);

    public double Hessian(double[] s, double[][] a, long[] n, double[] g, double[] h) => Call(hessian, s, a, n, g, h);

    public double Product(double[] s, double[][] a, long[] n, double[] t, double[] hv) => Call(product, s, a, n, t, hv);

    /// <summary>The number of differentiated scalars for arrays of these lengths.</summary>
    public int Size(double[][] a) => parameters.Where(p => p.Differentiable).Sum(p => p.Kind == ParamKind.Double ? 1 : a[p.Slot].Length);

    private static double Call(MethodInfo m, params object[] args)
    {
        try
        {
            return Convert.ToDouble(m.Invoke(null, args)!, System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            throw e.InnerException;
        }
    }

    /// <summary>
    /// At random points: Hessian's value and gradient equal Gradient's; the Hessian is exactly
    /// symmetric and equals central differences of the generated gradient; the product along a
    /// random direction equals H·t and central differences of the gradient along t.
    /// </summary>
    public void CheckAtRandomPoints(int[]? arrayLengths = null, long[]? ints = null, int points = 4, double range = 2, int seed = 2026, Func<double[], double[][], bool>? accept = null, double tolerance = 1e-5)
    {
        arrayLengths ??= Enumerable.Repeat(3, Arrays).ToArray();
        ints ??= Array.Empty<long>();
        var random = new Random(seed);
        double Next() => (random.NextDouble() * 2 - 1) * range;
        int done = 0;
        for (int attempt = 0; done < points && attempt < points * 50; attempt++)
        {
            double[] s = Enumerable.Range(0, Scalars).Select(_ => Next()).ToArray();
            double[][] a = arrayLengths.Select(len => Enumerable.Range(0, len).Select(_ => Next()).ToArray()).ToArray();
            if (accept is not null && !accept(s, a))
            {
                continue;
            }

            try
            {
                CheckAt(s, a, ints, random, tolerance);
            }
            catch (XunitException e)
            {
                throw new XunitException($"point {done}: scalars {Probe.Show(s)}, arrays {string.Join(" ", a.Select(Probe.Show))}\n{e.Message}");
            }

            done++;
        }

        Assert.Equal(points, done);
    }

    public void CheckAt(double[] s, double[][] a, long[] n, Random random, double tolerance)
    {
        int m = Size(a);
        var g = new double[m];
        double f = Gradient(s, a, n, g);
        var gh = new double[m];
        var h = Enumerable.Repeat(double.NaN, m * m).ToArray();
        double fh = Hessian(s, a, n, gh, h);
        Check.Close(f, fh, 1e-12, "Hessian's value");
        for (int i = 0; i < m; i++)
        {
            Check.Close(g[i], gh[i], 1e-12, $"Hessian's gradient[{i}]");
            for (int j = 0; j < m; j++)
            {
                Assert.True(h[(i * m) + j] == h[(j * m) + i], $"H[{i},{j}] = {h[(i * m) + j]:R} but H[{j},{i}] = {h[(j * m) + i]:R}: not exactly symmetric");
            }
        }

        // Column j against central differences of the generated gradient along coordinate j.
        for (int j = 0; j < m; j++)
        {
            double[] e = new double[m];
            e[j] = 1;
            double[] column = GradientDifference(s, a, n, e);
            for (int i = 0; i < m; i++)
            {
                Within(h[(i * m) + j], column[i], tolerance, $"H[{i},{j}] against differences of the gradient");
            }
        }

        // A random direction: the product equals H·t and differences of the gradient along t.
        double[] t = Enumerable.Range(0, m).Select(_ => random.NextDouble() * 2 - 1).ToArray();
        var hv = new double[m];
        double fp = Product(s, a, n, t, hv);
        Check.Close(f, fp, 1e-12, "HessianVectorProduct's value");
        double[] along = GradientDifference(s, a, n, t);
        for (int i = 0; i < m; i++)
        {
            double ht = Enumerable.Range(0, m).Sum(j => h[(i * m) + j] * t[j]);
            Within(ht, hv[i], Step > 1e-4 ? 1e-5 : 1e-9, $"(H·t)[{i}] from HessianVectorProduct against Hessian·t");
            Within(hv[i], along[i], tolerance, $"(H·t)[{i}] against differences of the gradient");
        }
    }

    // (∇f(x + h·d) − ∇f(x − h·d)) / 2h, with the step scaled to the point.
    private double[] GradientDifference(double[] s, double[][] a, long[] n, double[] d)
    {
        int m = d.Length;
        double scale = 1 + s.Concat(a.SelectMany(x => x)).Select(Math.Abs).DefaultIfEmpty(0).Max();
        double step = Step * scale;
        double[] plus = new double[m], minus = new double[m];
        Gradient(Shift(s, a, d, step, out double[][] ap), ap, n, plus);
        Gradient(Shift(s, a, d, -step, out double[][] am), am, n, minus);
        return Enumerable.Range(0, m).Select(i => (plus[i] - minus[i]) / (2 * step)).ToArray();
    }

    private double[] Shift(double[] s, double[][] a, double[] d, double step, out double[][] shiftedArrays)
    {
        double[] shifted = (double[])s.Clone();
        shiftedArrays = a.Select(x => (double[])x.Clone()).ToArray();
        int k = 0;
        foreach (Probe.Signature p in parameters.Where(p => p.Differentiable))
        {
            if (p.Kind == ParamKind.Double)
            {
                shifted[p.Slot] += step * d[k++];
            }
            else
            {
                for (int i = 0; i < a[p.Slot].Length; i++)
                {
                    shiftedArrays[p.Slot][i] += step * d[k++];
                }
            }
        }

        return shifted;
    }

    private static void Within(double expected, double actual, double tolerance, string what)
    {
        double scale = Math.Max(1, Math.Max(Math.Abs(expected), Math.Abs(actual)));
        Assert.True(Math.Abs(expected - actual) <= tolerance * scale, $"{what}: expected {expected:R}, got {actual:R}");
    }
}
