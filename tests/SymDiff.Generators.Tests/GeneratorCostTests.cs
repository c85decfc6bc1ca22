using System;
using System.Text;
using Microsoft.CodeAnalysis;
using SymDiff.Generators.Tests.Infrastructure;
using Xunit;

namespace SymDiff.Generators.Tests;

/// <summary>
/// Generation time grows with a method's size, not faster: each case here took minutes or never
/// finished before (a chain of locals read twice doubled at every line; an expression nested
/// 300 deep took 29 s). The budgets are ten times what the generator needs on the development VM
/// (bench/SymDiff.GeneratorBench --sizes), wide enough for CI noise and narrow enough to catch a
/// return to quadratic or worse. The results are checked against central differences too. They run
/// alone, after the other tests: run beside the random-program batches on two cores, the
/// 2,000-statement case once took 15.6 s of wall time.
/// </summary>
[Collection(nameof(GeneratorCostTests))]
public sealed class GeneratorCostTests
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(10);

    [Fact]
    public void Two_thousand_straight_line_statements_generate_within_the_budget()
    {
        var body = new StringBuilder("double s0 = x * y;");
        for (int i = 1; i < 2000; i++)
        {
            body.Append($" double s{i} = s{i - 1} * 0.5 + Math.Sin(s{i - 1}) * y;");
        }

        string members = $"[Differentiable] public static double F(double x, double y) {{ {body} return s1999; }}";
        AssertGeneratedWithinBudget(members);
        Check.AtRandomPoints(Probe.For("Cases.C", "F", Sources.InClass(members)), points: 3, range: 0.5);
    }

    [Fact]
    public void An_expression_nested_three_hundred_deep_generates_within_the_budget()
    {
        string members = $"[Differentiable] public static double F(double x, double y) => Math.Sin({Nested(300)});";
        AssertGeneratedWithinBudget(members);
        Check.AtRandomPoints(Probe.For("Cases.C", "F", Sources.InClass(members)), points: 3, range: 0.5);
    }

    [Fact]
    public void An_expression_nested_three_hundred_deep_in_a_taped_method_generates_within_the_budget()
    {
        string members = $"[Differentiable] public static double F(double x, double y) {{ double s = x; if (x > -10) {{ s = Math.Sin({Nested(300)}); }} return s * y; }}";
        AssertGeneratedWithinBudget(members);
        Check.AtRandomPoints(Probe.For("Cases.C", "F", Sources.InClass(members)), points: 3, range: 0.5);
    }

    [Fact]
    public void A_large_expression_is_split_into_named_parts_and_an_ordinary_one_is_not()
    {
        string deep = Harness.GeneratedSource(Sources.InClass($"[Differentiable] public static double F(double x, double y) => Math.Sin({Nested(60)});"), ".F.g.cs");
        Assert.Contains("double part = ", deep, StringComparison.Ordinal);
        Assert.Contains("double part2 = ", deep, StringComparison.Ordinal);
        Assert.Contains("double dPart = ", deep, StringComparison.Ordinal);

        string shallow = Harness.GeneratedSource(Sources.InClass($"[Differentiable] public static double F(double x, double y) => Math.Sin({Nested(8)});"), ".F.g.cs");
        Assert.DoesNotContain("double part", shallow, StringComparison.Ordinal);
    }

    // ((x * y + 0.5) - x * 0.25) * 0.75 …: each level refers to the one below, x and y at every third.
    private static string Nested(int depth)
    {
        var expression = new StringBuilder("x");
        for (int i = 0; i < depth; i++)
        {
            expression.Insert(0, '(').Append((i % 3) switch { 0 => " * y + 0.5)", 1 => " - x * 0.25)", _ => " * 0.75)" });
        }

        return expression.ToString();
    }

    private static void AssertGeneratedWithinBudget(string members)
    {
        GeneratorDriver driver = Harness.Driver().RunGenerators(Harness.Compilation("Cost", null, Sources.InClass(members)));
        TimeSpan elapsed = driver.GetTimingInfo().ElapsedTime;
        Assert.True(elapsed < Budget, $"the generator took {elapsed.TotalSeconds:0.0} s (budget {Budget.TotalSeconds} s)");
    }
}

/// <summary>The timed tests' collection: xUnit runs it on its own, with no other test in parallel.</summary>
[CollectionDefinition(nameof(GeneratorCostTests), DisableParallelization = true)]
public sealed class GeneratorCostCollection
{
}
