using System.Linq;
using Microsoft.CodeAnalysis;
using SymDiff.Generators.Diagnostics;
using SymDiff.Generators.Tests.Infrastructure;
using Xunit;

namespace SymDiff.Generators.Tests;

/// <summary>One test per diagnostic id: the id, its location (marked [| |] in the source) and that the rest of the project still gets its code.</summary>
public class DiagnosticTests
{
    [Theory]
    [InlineData("SD0001", "public static class [|NotPartial|] { [Differentiable] public static double F(double x) => x; }")]
    [InlineData("SD0002", "public partial struct S { double k; [Differentiable] public double [|F|](double x) => x * k; }")]
    [InlineData("SD0003", "public static partial class C { [Differentiable] public static [|int|] F(double x) => 1; }")]
    [InlineData("SD0004", "public static partial class C { [Differentiable] public static double F(double x, [|object|] o) => x; }")]
    [InlineData("SD0005", "public static partial class C { [Differentiable([|\"z\"|])] public static double F(double x) => x; }")]
    [InlineData("SD0006", "public static partial class C { static double H(double x) => x; [Differentiable] public static double F(double x) => [|H(x)|]; }")]
    [InlineData("SD0007", "public static partial class C { [Differentiable] public static double F(double[] v) { double s = 0; [|foreach (double e in v) s += e;|] return s; } }")]
    [InlineData("SD0007", "public static partial class C { [Differentiable] public static double F(double x) { ref double [|r = ref x|]; return r; } }")]
    [InlineData("SD0007", "public static partial class C { [Differentiable] public static double F(double x) { for (int i = 0; i < 2; i++) { double[] [|a = new double[2]|]; x += a[0]; } return x; } }")]
    [InlineData("SD0010", "public static partial class C { [Differentiable] public static double F(double x) => [|(float)x|] * 2; }")]
    [InlineData("SD0008", "public static partial class C { [Differentiable] public static double F(double x) => [|x switch { > 0 => x, _ => -x }|]; }")]
    [InlineData("SD0009", "public static partial class C { [Differentiable] public static double F(double x) { string [|s = \"\"|]; return x; } }")]
    [InlineData("SD0010", "public static partial class C { [Differentiable] public static double F(double x, [|float y|]) => x * y; }")]
    [InlineData("SD0010", "public static partial class C { [Differentiable] public static double F(double x) { float [|f = 1|]; return x; } }")]
    [InlineData("SD0011", "public static partial class C { [Differentiable] public static extern double [|F|](double x); }")]
    [InlineData("SD0012", "public static partial class C { [Differentiable] public static double [|F|]<T>(double x) => x; }")]
    [InlineData("SD0013", "public static partial class C { [Differentiable([|\"n\"|])] public static double F(double x, int n) => x * n; }")]
    [InlineData("SD0014", "public static partial class C { [Differentiable] public static double F([|ref double x|]) => x; }")]
    [InlineData("SD0015", "public static partial class C { static double field; [Differentiable] public static double F(double x) { [|field|] = x; return x; } }")]
    [InlineData("SD0017", "public static partial class C { [Differentiable(nameof(a))] public static double G(double a, double b) => a * b; [Differentiable] public static double F(double x) => G(1, [|x|]); }")]
    [InlineData("SD0018", "public static partial class C { [Differentiable] public static double F(double x) => x < 1 ? x : [|F(x - 1)|] * x; }")]
    [InlineData("SD0019", "public static partial class C { [Differentiable] public static double F(double x) { again: x = x * 2; if (x < 1) [|goto again;|] return x; } }")]
    [InlineData("SD0020", "public static partial class C { [Differentiable] public static double F(double x) { [|try { x = x * 2; } finally { }|] return x; } }")]
    [InlineData("SD0021", "public static partial class C { [Differentiable] public static double F(double x) { [|double Sq(double v) => v * v;|] return x; } }")]
    [InlineData("SD0022", "public static partial class C { [Differentiable] public static double F(double x) { dynamic [|d = x|]; return x; } }")]
    [InlineData("SD0023", "public static partial class C { [Differentiable] public static double F(double x) { [|unsafe { }|] return x; } }")]
    [InlineData("SD0024", "public static partial class C { [Differentiable] public static double F(double x) { [|Console.WriteLine(x);|] return x; } }")]
    [InlineData("SD0024", "public static partial class C { static int Bump(ref double v) { v *= 2; return 1; } [Differentiable] public static double F(double x) => x * [|Bump(ref x)|]; }")]
    [InlineData("SD0025", "public static partial class C { [[|CustomDerivative(nameof(B), nameof(D))|]] public static double F(double x) => x; public static void B(double x, double dF, double dx) { } public static double D(double x, double dx) => dx; }")]
    [InlineData("SD0026", "public static partial class C { public static double LossGradient(double w, out double dw) { dw = 1; return w; } [Differentiable] public static double [|Loss|](double w) => w * w; }")]
    [InlineData("SD0003", "public static partial class C { [Differentiable] public static [|double|] F(double x, [Output] Span<double> z) { z[0] = x; return x; } }")]
    public void Each_diagnostic_is_reported_at_its_construct(string id, string marked)
    {
        int start = marked.IndexOf("[|", System.StringComparison.Ordinal);
        int end = marked.IndexOf("|]", System.StringComparison.Ordinal) - 2;
        string code = "using System; using SymDiff; namespace Cases; " + marked.Replace("[|", "").Replace("|]", "");
        int offset = "using System; using SymDiff; namespace Cases; ".Length;

        // A healthy method elsewhere in the project must still get its generated code.
        const string healthy = "namespace Cases; public static partial class Healthy { [SymDiff.Differentiable] public static double Sq(double x) => x * x; }";
        var (output, diagnostics, run) = Harness.Generate(Harness.Compilation("Diag", null, code, healthy));

        Diagnostic d = Assert.Single(diagnostics);
        Assert.Equal(id, d.Id);
        Assert.Equal(DiagnosticSeverity.Error, d.Severity);
        Assert.Equal(offset + start, d.Location.SourceSpan.Start);
        Assert.Equal(end - start, d.Location.SourceSpan.Length);
        Assert.Equal(Descriptors.ById(id).Title.ToString(), d.Descriptor.Title.ToString());
        Assert.Contains(run.GeneratedTrees, t => t.FilePath.EndsWith("Cases.Healthy.Sq.g.cs", System.StringComparison.Ordinal));
        Assert.Null(run.Results.Single().Exception);
        Assert.DoesNotContain(output.GetDiagnostics(), x => x.Id == "CS8785");
    }

    [Fact]
    public void Every_descriptor_has_a_test_and_a_readme_row()
    {
        var tested = typeof(DiagnosticTests).GetMethod(nameof(Each_diagnostic_is_reported_at_its_construct))!
            .GetCustomAttributes(typeof(InlineDataAttribute), false).Cast<InlineDataAttribute>()
            .Select(a => (string)a.GetData(null!).First()[0]).ToHashSet();
        string readme = System.IO.File.ReadAllText(Paths.Repo("README.md"));
        foreach (DiagnosticDescriptor descriptor in Descriptors.Every.Where(d => d.Id != "SD0099"))
        {
            Assert.Contains(descriptor.Id, tested);
            Assert.Contains($"| {descriptor.Id} |", readme);
        }

        Assert.Contains("| SD0099 |", readme);
    }

    [Fact]
    public void An_internal_failure_becomes_SD0099_and_other_methods_still_generate()
    {
        const string code = "namespace Cases; public static partial class C { [SymDiff.Differentiable] public static double Boom(double x) => x; [SymDiff.Differentiable] public static double Fine(double x) => x * x; }";
        Parsing.MethodParser.FaultInjection = name => { if (name == "Boom") throw new System.InvalidOperationException("injected"); };
        try
        {
            var (output, diagnostics, run) = Harness.Generate(Harness.Compilation("Fault", null, code));
            Diagnostic d = Assert.Single(diagnostics);
            Assert.Equal("SD0099", d.Id);
            Assert.Contains("injected", d.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
            Assert.Null(run.Results.Single().Exception);
            Assert.Contains(run.GeneratedTrees, t => t.FilePath.EndsWith("Cases.C.Fine.g.cs", System.StringComparison.Ordinal));
            Assert.DoesNotContain(output.GetDiagnostics(), x => x.Id == "CS8785");
        }
        finally
        {
            Parsing.MethodParser.FaultInjection = null;
        }
    }
}
