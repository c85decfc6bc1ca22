using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Reflection;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using SymDiff.Generators.Model;
using SymDiff.Generators.Parsing;

namespace SymDiff.Generators.Tests.Infrastructure;

/// <summary>
/// Calls a [Differentiable] method and its three generated methods through a compiled wrapper
/// (reflection cannot pass spans), with scalars, arrays and integers in flat arrays.
/// </summary>
internal sealed class Probe
{
    private readonly MethodInfo value, gradient, backward, derivative;

    private Probe(Type wrapper, Signature[] parameters)
    {
        value = wrapper.GetMethod("Value")!;
        gradient = wrapper.GetMethod("Gradient")!;
        backward = wrapper.GetMethod("Backward")!;
        derivative = wrapper.GetMethod("Derivative")!;
        Parameters = parameters;
    }

    /// <summary>One parameter: its kind, whether it is differentiated, and its slot in the flat arrays.</summary>
    public sealed record Signature(string Name, ParamKind Kind, bool Differentiable, int Slot);

    public Signature[] Parameters { get; }

    public int Scalars => Parameters.Count(p => p.Kind == ParamKind.Double);

    public int Arrays => Parameters.Count(p => p.Kind is ParamKind.DoubleArray or ParamKind.ReadOnlySpan or ParamKind.Span);

    public int Ints => Parameters.Count(p => p.Kind == ParamKind.Int);

    /// <summary>Compiles <paramref name="sources"/> with the generator and a wrapper for <paramref name="typeName"/>.<paramref name="method"/>.</summary>
    public static Probe For(string typeName, string method, params string[] sources)
    {
        CSharpCompilation plain = Harness.Compilation("Plain", null, sources);
        INamedTypeSymbol type = plain.GetTypeByMetadataName(typeName) ?? throw new ArgumentException("No type " + typeName);
        IMethodSymbol symbol = type.GetMembers(method).OfType<IMethodSymbol>().Single();
        AttributeData attribute = symbol.GetAttributes().Single(a => a.AttributeClass?.Name == "DifferentiableAttribute");
        IReadOnlyList<string> wrt = SymDiff.Generators.Parsing.Signature.WrtNames(attribute);
        int scalar = 0, array = 0, integer = 0;
        var parameters = symbol.Parameters.Select(p =>
        {
            ParamKind kind = SymDiff.Generators.Parsing.Signature.Classify(p.Type)!.Value;
            int slot = kind == ParamKind.Double ? scalar++ : kind == ParamKind.Int ? integer++ : array++;
            return new Signature(p.Name, kind, SymDiff.Generators.Parsing.Signature.IsDifferentiable(p, kind, wrt), slot);
        }).ToArray();

        string wrapper = Wrapper(typeName.Replace('+', '.'), method, parameters, symbol.Parameters.Select(p => p.Type.ToDisplayString()).ToArray());
        Assembly assembly = Harness.Load(sources.Append(wrapper).ToArray());
        return new Probe(assembly.GetType("ProbeWrapper")!, parameters);
    }

    private static string Wrapper(string type, string method, Signature[] ps, string[] typeNames)
    {
        string Arg(Signature p, int i) => p.Kind switch
        {
            ParamKind.Double => $"s[{p.Slot}]",
            ParamKind.Int => $"({typeNames[i]})n[{p.Slot}]",
            _ => $"a[{p.Slot}]",
        };
        string args = string.Join(", ", ps.Select(Arg));
        var diff = ps.Where(p => p.Differentiable).ToList();
        string Adj(string prefix) => string.Concat(diff.Select(p => p.Kind == ParamKind.Double ? $", {prefix}gs[{p.Slot}]" : $", ga[{p.Slot}]"));
        string tangents = string.Concat(diff.Select(p => p.Kind == ParamKind.Double ? $", ts[{p.Slot}]" : $", ta[{p.Slot}]"));
        string t = "global::" + type;
        var sb = new StringBuilder();
        sb.AppendLine("public static class ProbeWrapper {");
        sb.AppendLine($"  public static double Value(double[] s, double[][] a, long[] n) => {t}.{method}({args});");
        sb.AppendLine($"  public static double Gradient(double[] s, double[][] a, long[] n, double[] gs, double[][] ga) => {t}.{method}Gradient({args}{Adj("out ")});");
        sb.AppendLine($"  public static void Backward(double[] s, double[][] a, long[] n, double seed, double[] gs, double[][] ga) => {t}.{method}Backward({args}, seed{Adj("ref ")});");
        sb.AppendLine($"  public static double Derivative(double[] s, double[][] a, long[] n, double[] ts, double[][] ta) => {t}.{method}Derivative({args}{tangents});");
        sb.AppendLine("}");
        return sb.ToString();
    }

    public double Value(double[] s, double[][] a, long[] n) => Call<double>(value, s, a, n);

    public double Gradient(double[] s, double[][] a, long[] n, double[] gs, double[][] ga) => Call<double>(gradient, s, a, n, gs, ga);

    public void Backward(double[] s, double[][] a, long[] n, double seed, double[] gs, double[][] ga) => Call<object>(backward, s, a, n, seed, gs, ga);

    public double Derivative(double[] s, double[][] a, long[] n, double[] ts, double[][] ta) => Call<double>(derivative, s, a, n, ts, ta);

    private static T Call<T>(MethodInfo m, params object[] args)
    {
        try
        {
            return (T)m.Invoke(null, args)!;
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            throw e.InnerException;
        }
    }

    public static string Show(double[] values) => "[" + string.Join(", ", values.Select(v => v.ToString("R", CultureInfo.InvariantCulture))) + "]";
}
