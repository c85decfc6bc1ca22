using System;
using System.Collections.Generic;
using System.Linq;

namespace SymDiff.Tests;

/// <summary>
/// <see cref="GradientTrace"/> on its own: what it records (with the cap per line), and its three
/// renderings, filled by hand the way a generated <c>FTrace</c> fills it.
/// </summary>
public class GradientTraceTests
{
    // y = (a·b)², at a = 3, b = -2, filled as the generated code would.
    private static GradientTrace Small()
    {
        var trace = new GradientTrace();
        trace.Begin("Demo.F", "Demo.cs");
        trace.Input("a", 3.0);
        trace.Input("b", -2.0);
        trace.Statement(5, "double p = a * b;", "p", -6.0);
        trace.Result(6, "return p * p < 1e300 ? p * p : 0;", "F", 36.0);
        trace.Step(6, "return p * p < 1e300 ? p * p : 0;", "dp", -12.0, "2 * p", -12.0, "dF", 1.0, accumulates: false);
        trace.Step(5, "double p = a * b;", "da", 24.0, "b", -2.0, "dp", -12.0, accumulates: true);
        trace.Step(5, "double p = a * b;", "db", -36.0, "a", 3.0, "dp", -12.0, accumulates: true);
        trace.Derivative("a", 24.0);
        trace.Derivative("b", -36.0);
        return trace;
    }

    [Fact]
    public void Records_the_passes_in_order_and_the_gradient_by_name()
    {
        GradientTrace trace = Small();
        Assert.Equal("Demo.F", trace.Method);
        Assert.Equal(36, trace.Value);
        Assert.Equal([TraceStepKind.Input, TraceStepKind.Input, TraceStepKind.Statement, TraceStepKind.Statement], trace.Forward.Select(s => s.Kind));
        Assert.Equal(["dp", "da", "db"], trace.Backward.Select(s => s.Name));
        Assert.Equal(24, trace.Backward[1].Contribution);
        Assert.Equal(-36, trace.GradientOf("b"));
        Assert.Throws<KeyNotFoundException>(() => trace.GradientOf("c"));

        // A new call starts a new trace.
        trace.Begin("Demo.G", "Demo.cs");
        Assert.Empty(trace.Forward);
        Assert.Empty(trace.Backward);
        Assert.Empty(trace.Gradient);
        Assert.True(double.IsNaN(trace.Value));
    }

    [Fact]
    public void Text_shows_each_step_as_adjoint_equals_factor_times_incoming_and_names_a_statement_once()
    {
        string text = Small().ToText();
        Assert.Contains("dp = 2 * p × dF = -12 × 1 = -12", text);
        Assert.Contains("da += b × dp = -2 × (-12) = 24 → da = 24", text);
        Assert.Contains("∂F/∂b = -36", text);

        // Line 5 has two backward steps: the statement is shown on the first only.
        string[] lines = text.Split('\n');
        Assert.Single(lines, l => l.Contains("double p = a * b;") && l.Contains("da +="));
        Assert.Single(lines, l => l.Contains("db +=") && !l.Contains("double p"));
    }

    [Fact]
    public void Markdown_is_two_tables_and_the_gradient_with_pipes_escaped()
    {
        var trace = new GradientTrace();
        trace.Begin("Demo.G", "Demo.cs");
        trace.Statement(3, "double m = a > 0 || b > 0 ? a : b;", "m", 1.0);
        trace.Result(4, "return m;", "G", 1.0);
        trace.Derivative("a", 1.0);
        string md = trace.ToMarkdown();
        Assert.Contains("| line | statement | value |", md);
        Assert.Contains("`double m = a > 0 \\|\\| b > 0 ? a : b;`", md);
        Assert.Contains("| `a` | 1 |", md);
    }

    [Fact]
    public void Html_is_one_self_contained_page_with_the_source_escaped()
    {
        string html = Small().ToHtml();
        Assert.StartsWith("<!DOCTYPE html>", html);
        Assert.Contains("return p * p &lt; 1e300 ? p * p : 0;", html);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("http", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("class=\"passes\"", html);
        Assert.Equal(1, html.Split("<h2>Forward pass</h2>").Length - 1);
        Assert.Equal(1, html.Split("<h2>Backward pass</h2>").Length - 1);
    }

    [Fact]
    public void A_line_past_the_cap_becomes_one_row_that_counts_the_rest()
    {
        var trace = new GradientTrace(maxStepsPerLine: 3);
        trace.Begin("Demo.Sum", "Demo.cs");
        trace.Input("v", (ReadOnlySpan<double>)Enumerable.Range(0, 10).Select(i => (double)i).ToArray());
        for (int i = 0; i < 10; i++)
        {
            trace.Iteration(4, "for (int i = 0; i < v.Length; i++)", "i", i);
            trace.Statement(5, "s += v[i];", "s", i);
        }

        Assert.Equal(3, trace.Forward.Count(s => s.Kind == TraceStepKind.Input));
        Assert.Equal(3, trace.Forward.Count(s => s.Kind == TraceStepKind.Iteration));
        Assert.Equal(3, trace.Forward.Count(s => s.Kind == TraceStepKind.Statement));
        Assert.Equal([7, 7, 7], trace.Forward.Where(s => s.Kind == TraceStepKind.Omitted).Select(s => s.Omitted));
        Assert.Contains("… 7 more steps of this line", trace.ToText());
        Assert.Throws<ArgumentOutOfRangeException>(() => new GradientTrace(0));
    }

    [Fact]
    public void Numbers_read_as_people_write_them()
    {
        var trace = new GradientTrace();
        trace.Begin("Demo.H", "Demo.cs");
        trace.Statement(1, "double a = 0.1 * 3;", "a", 0.1 * 3);
        trace.Statement(2, "double big = 1e300;", "big", 1e300);
        trace.Statement(3, "double tiny = 1.5e-9;", "tiny", 1.5e-9);
        trace.Statement(4, "float f = 0.1f;", "f", 0.1f);
        string text = trace.ToText();
        Assert.Contains("a = 0.3", text);
        Assert.Contains("big = 1.0e+300", text);
        Assert.Contains("tiny = 1.5e-9", text);
        Assert.Contains("f = 0.1\n", text.Replace("\r", string.Empty));
    }
}
