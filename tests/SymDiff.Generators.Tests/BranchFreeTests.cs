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

    // The lines of generated code, without comments.
    private static string[] CodeLines(string source) =>
        source.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith("//", StringComparison.Ordinal)).ToArray();
}
