using System.Linq;
using System.Text.RegularExpressions;
using SymDiff.Generators.Tests.Infrastructure;
using Xunit;

namespace SymDiff.Generators.Tests;

/// <summary>
/// Taped code saves only what its backward sweep reads, as a hand-writer would: a running sum
/// whose old values nobody reads is not pushed per iteration; a counted loop over a bound that
/// nothing changes runs backward as a count-down loop, with no counter or count on the tape; a
/// loop-carried <c>h = tanh(…)</c> reads tanh's result from h instead of calling tanh again; a
/// stored <c>z[o] = tanh(s)</c> keeps tanh's result and saves it once per row; and input
/// elements at constant indices are read once. Each case is also checked against central
/// differences, since a restore dropped by mistake gives a wrong number, not a compile error.
/// </summary>
public sealed class TapeEconomyTests
{
    private const string Dense = """
            [Differentiable(nameof(W), nameof(b))]
            public static void Dense(double[] W, double[] b, double[] x, [Output] double[] z)
            {
                for (int o = 0; o < z.Length; o++)
                {
                    double s = b[o];
                    for (int i = 0; i < x.Length; i++)
                    {
                        s += W[o * x.Length + i] * x[i];
                    }

                    z[o] = Math.Tanh(s);
                }
            }
        """;

    private const string Recurrence = """
            [Differentiable(nameof(a), nameof(b))]
            public static double Recurrence(double a, double b, double[] xs)
            {
                double h = 0.1;
                for (int t = 0; t < xs.Length; t++)
                {
                    h = Math.Tanh(a * h + b * xs[t]);
                }

                return h * h;
            }
        """;

    [Fact]
    public void A_dense_layer_saves_one_value_per_row_computes_tanh_once_and_saves_nothing_per_input()
    {
        string backward = Method(Harness.GeneratedSource(Sources.InClass(Dense), "Cases.C.Dense.g.cs"), "DenseBackward");
        Assert.Single(Regex.Matches(backward, @"tape\.Push\("));
        Assert.DoesNotContain("PopInt", backward);
        Assert.DoesNotContain("iterations", backward);
        Assert.Contains("for (int i = x.Length - 1; i >= 0; i--)", backward);

        // tanh once per row: its result is kept in a local and saved after it is computed.
        Assert.Single(Regex.Matches(backward, @"Math\.Tanh\("));
        Assert.Contains("tape.Push(tanhS);", backward);
        Assert.Contains("double tanh = tape.PopDouble();", backward);

        // The numbers of this shape (an [Output] layer, both loops over fixed bounds) are checked
        // against central differences by LanguageTests.Output_span_backward_accumulates_….
    }

    [Fact]
    public void A_recurrence_reads_tanh_from_the_carried_value()
    {
        string gradient = Method(Harness.GeneratedSource(Sources.InClass(Recurrence), "Cases.C.Recurrence.g.cs"), "RecurrenceGradient");
        Assert.Single(Regex.Matches(gradient, @"Math\.Tanh\("));
        Assert.Single(Regex.Matches(gradient, @"tape\.Push\("));
        Assert.Contains("double tanh = h;", gradient);

        var probe = Probe.For("Cases.C", "Recurrence", Sources.InClass(Recurrence));
        Check.AtRandomPoints(probe, [5], range: 1);
    }

    [Fact]
    public void A_loop_that_breaks_keeps_its_count_and_matches_central_differences()
    {
        const string source = """
                [Differentiable]
                public static double F(double[] v, double w)
                {
                    double s = 0;
                    for (int i = 0; i < v.Length; i++)
                    {
                        s += v[i] * w;
                        if (s > 1.5) break;
                        s = s * w;
                    }

                    return s;
                }
            """;
        string gradient = Method(Harness.GeneratedSource(Sources.InClass(source), "Cases.C.F.g.cs"), "FGradient");
        Assert.Matches(@"iterationsAtLine\d+-- > 0", gradient);
        Assert.Matches(@"int i = iterationsAtLine\d+;", gradient);

        var probe = Probe.For("Cases.C", "F", Sources.InClass(source));
        Check.AtRandomPoints(probe, [4], accept: (s, a) => true);
    }

    [Fact]
    public void Constant_index_inputs_are_read_once()
    {
        const string source = """
                [Differentiable]
                public static double F(double w0, double w1, [NoGradient] double[] x)
                {
                    double z = w0 * x[0] + w1 * x[1];
                    return z * z + w0 * x[1];
                }
            """;
        string gradient = Method(Harness.GeneratedSource(Sources.InClass(source), "Cases.C.F.g.cs"), "FGradient");
        Assert.Contains("double x0 = x[0];", gradient);
        Assert.Contains("double x1 = x[1];", gradient);
        Assert.Single(Regex.Matches(gradient, @"x\[1\]"));

        var probe = Probe.For("Cases.C", "F", Sources.InClass(source));
        Check.AtRandomPoints(probe, [2]);
    }

    // One generated method's code without its comments, from its signature to the next method.
    private static string Method(string file, string name)
    {
        int start = file.IndexOf(" " + name + "(", System.StringComparison.Ordinal);
        Assert.True(start >= 0, $"{name} not generated:\n{file}");
        int end = file.IndexOf("[global::System.CodeDom.Compiler.GeneratedCode", start, System.StringComparison.Ordinal);
        string method = end < 0 ? file.Substring(start) : file.Substring(start, end - start);
        return string.Join("\n", method.Split('\n').Where(line => !line.TrimStart().StartsWith("//", System.StringComparison.Ordinal)));
    }
}
