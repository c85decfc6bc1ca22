using System;
using System.Linq;
using System.Reflection;
using SymDiff.Generators.Tests.Infrastructure;
using Xunit;

namespace SymDiff.Generators.Tests;

/// <summary>
/// Conditionals between plain values (variables, literals, a few arithmetic operations) are
/// written as <c>Branchless.Select</c>, which does not jump; others stay <c>?:</c>, and the doc
/// formulas keep <c>?:</c> everywhere.
/// </summary>
public class BranchFreeTests
{
    private const string Plain = """
            [Differentiable]
            public static double Hinge(double x, double y) => x > 0 ? x * y : -y;
        """;

    private const string WithCall = """
            [Differentiable]
            public static double Mixed(double x, double y) => x > 0 ? Math.Exp(y) : y;
        """;

    [Fact]
    public void A_conditional_between_plain_values_becomes_a_select()
    {
        string[] code = CodeLines(Harness.GeneratedSource(Sources.InClass(Plain), "Cases.C.Hinge.g.cs"));

        Assert.Contains(code, l => l.Contains("global::SymDiff.Branchless.Select(x > 0, ", StringComparison.Ordinal));
        Assert.DoesNotContain(code, l => l.Contains(" ? ", StringComparison.Ordinal));
    }

    [Fact]
    public void A_conditional_with_a_call_stays_a_conditional_expression()
    {
        string[] code = CodeLines(Harness.GeneratedSource(Sources.InClass(WithCall), "Cases.C.Mixed.g.cs"));

        Assert.Contains(code, l => l.Contains("x > 0 ? ", StringComparison.Ordinal) && l.Contains("Math.Exp(y)", StringComparison.Ordinal));
    }

    [Fact]
    public void A_conditional_with_many_element_reads_stays_a_conditional_expression()
    {
        // Eight element reads, nested three deep: counting them must not wrap around to "plain".
        const string deep = """
                [Differentiable]
                public static double Deep(double x, [NoGradient] double[] a) =>
                    x > 0 ? x * ((a[0] * a[1] + a[2] * a[3]) * (a[4] * a[5] + a[6] * a[7])) : x;
            """;
        string[] code = CodeLines(Harness.GeneratedSource(Sources.InClass(deep), "Cases.C.Deep.g.cs"));

        Assert.Contains(code, l => l.Contains("x > 0 ? ", StringComparison.Ordinal) && l.Contains("a[7]", StringComparison.Ordinal));
        Assert.DoesNotContain(code.SelectMany(SelectCalls), call => call.Contains("a[", StringComparison.Ordinal));
    }

    [Fact]
    public void The_selects_match_central_differences()
    {
        var probe = Probe.For("Cases.C", "Hinge", Sources.InClass(Plain));

        // Away from the kink at x = 0, where the one-sided slopes differ.
        Check.AtRandomPoints(probe, accept: (s, _) => Math.Abs(s[0]) > 0.01);
    }

    [Fact]
    public void Doc_formulas_keep_the_conditional_expression()
    {
        const string relu = """
                [Differentiable]
                public static double Relu(double z) => Math.Max(0, z);
            """;
        string source = Harness.GeneratedSource(Sources.InClass(relu), "Cases.C.Relu.g.cs");
        string[] docs = source.Split('\n').Where(l => l.TrimStart().StartsWith("///", StringComparison.Ordinal)).ToArray();

        Assert.Contains(docs, l => l.Contains("∂Relu/∂z = z &lt;= 0 ? 0 : 1", StringComparison.Ordinal));
        Assert.DoesNotContain(docs, l => l.Contains("Branchless", StringComparison.Ordinal));
    }

    [Fact]
    public void The_selects_give_the_conditionals_values_and_gradients()
    {
        Assembly assembly = Harness.Load(Sources.InClass(Plain));
        MethodInfo gradient = assembly.GetType("Cases.C")!.GetMethod("HingeGradient")!;
        foreach ((double x, double y) in new[] { (2.0, 3.0), (-2.0, 3.0), (0.0, 1.5), (-0.0, -1.5), (0.5, -4.0) })
        {
            object?[] args = [x, y, null, null];
            double value = (double)gradient.Invoke(null, args)!;

            Assert.Equal(x > 0 ? x * y : -y, value);
            Assert.Equal(x > 0 ? y : 0, (double)args[2]!);
            Assert.Equal(x > 0 ? x : -1, (double)args[3]!);
        }
    }

    // The text of each Branchless.Select(...) call on a line, up to its closing parenthesis.
    private static System.Collections.Generic.IEnumerable<string> SelectCalls(string line)
    {
        const string call = "Branchless.Select(";
        for (int at = line.IndexOf(call, StringComparison.Ordinal); at >= 0; at = line.IndexOf(call, at + 1, StringComparison.Ordinal))
        {
            int depth = 0, end = at + call.Length - 1;
            do
            {
                depth += line[end] == '(' ? 1 : line[end] == ')' ? -1 : 0;
                end++;
            }
            while (depth > 0);
            yield return line.Substring(at, end - at);
        }
    }

    // The lines of generated code, without comments.
    private static string[] CodeLines(string source) =>
        source.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith("//", StringComparison.Ordinal)).ToArray();
}
